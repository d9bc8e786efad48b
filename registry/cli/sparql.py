"""``esap-registry query`` and ``update``: SPARQL on the registry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click
from rdflib import Graph

from registry.cli.common import counts, examples, handle_errors, issue_lines, open_registry, store_option
from registry.store import Solutions
from registry.texttable import table

__all__ = ["query", "update"]


@click.command(
    epilog=examples(
        "esap-registry query queries/entries.rq --format csv",
        "esap-registry query titles.rq --store http://127.0.0.1:8000/sparql --format json",
    )
)
@click.argument("sparql")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@handle_errors
def query(sparql: str, store_spec: str | None, fmt: str) -> None:
    """Run a SPARQL query (text, or a .rq file) over every graph of the registry.

    The default graph is the union of all graphs; the vocabulary is in
    <https://w3id.org/esap-registry/graph/vocabulary>.
    """
    text = Path(sparql).read_text(encoding="utf-8") if sparql.endswith(".rq") else sparql
    with open_registry(store_spec) as registry:
        result = registry.query(text)
    if isinstance(result, bool):
        click.echo(json.dumps({"boolean": result}) if fmt == "json" else str(result).lower())
    elif isinstance(result, Graph):
        click.echo(result.serialize(format="json-ld" if fmt == "json" else "turtle"))
    else:
        _print_solutions(result, fmt)


@click.command(
    epilog=examples(
        "esap-registry update \"DROP GRAPH <urn:uuid:5cec9f3d-79c0-49ad-9a5a-455596c55341>\"",
        "esap-registry update fix-titles.ru --store var/registry",
        "esap-registry update fix.ru --store http://127.0.0.1:8000/sparql --update-url http://127.0.0.1:8000/update",
    )
)
@click.argument("sparql")
@store_option
@handle_errors
def update(sparql: str, store_spec: str | None) -> None:
    """Run a SPARQL Update (text, or a .ru/.rq file) on the registry.

    The entries it changes are validated as an ingest's are, their quantities read
    afresh: it is tried on a copy first, and when a changed entry does not conform,
    nothing is stored (exit 1, with the report). LOAD and SERVICE are refused, as on the
    web. Exit 0 when stored, 1 for a malformed or refused update or an entry that does
    not conform, 2 when the store fails.
    """
    text = Path(sparql).read_text(encoding="utf-8") if sparql.endswith((".ru", ".rq")) else sparql
    with open_registry(store_spec) as registry:
        result = registry.update(text)
    for line in issue_lines(result.report.issues, None):
        click.echo(line, err=True)
    click.echo(
        f"updated: {len(result.entries)} entr{'y' if len(result.entries) == 1 else 'ies'} validated and stored, "
        f"{len(result.graphs)} other graph(s) written, {len(result.dropped)} graph(s) emptied; "
        + counts(0, len(result.report.warnings))
    )


def _print_solutions(result: Solutions, fmt: str) -> None:
    if fmt == "json":
        bindings = []
        for row in result:
            bindings.append({k: _sparql_json_term(v) for k, v in row.items() if v is not None})
        click.echo(json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else str(v) for v in row] for row in result.rows])
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(table(result.variables, [tuple("" if v is None else str(v) for v in row) for row in result.rows]))
        click.echo(f"{len(result)} row(s)")


def _sparql_json_term(term: Any) -> dict[str, str]:
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    return {"type": "uri", "value": str(term)}
