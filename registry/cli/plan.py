"""``esap-registry plan``, ``platforms``, ``runnable`` and ``shopping-list``: which
platforms can run an executable, and what it needs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rdflib import URIRef

from registry.cli.common import DEFAULT_MAX_SIZE, examples, handle_errors, open_registry, store_option
from registry.readers import Document, load_path
from registry.errors import ParameterError, ValidationFailed
from registry.planview import quantity
from registry.texttable import table
from registry.vocabulary import ESAP

__all__ = ["plan", "platforms", "runnable", "shopping_list_command"]

F = TypeVar("F", bound=Callable[..., Any])


def override_option(name: str, help: str) -> Callable[[F], F]:
    return click.option(f"--{name}", default=None, metavar="VALUE", help=help)


@click.command(
    epilog=examples(
        "esap-registry plan 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03",
        "esap-registry plan 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03 --nodes 6 --cores 50 --memory 100 --data-size 500MB",
        "esap-registry plan my-notebook.yaml --at max --format json",
    )
)
@click.argument("target")
@store_option
@click.option("--at", type=click.Choice(["min", "max"]), default="min", show_default=True, help="Plan at the minima or the maxima of the ranges.")
@override_option("cores", "Total cores needed, instead of the executable's.")
@override_option("memory", "Total memory needed (GiB, or with a unit: 100GiB).")
@override_option("nodes", "Nodes needed: pins the node range to exactly N (with --max-nodes, its lower end).")
@override_option("max-nodes", "The most nodes the executable may spread over (the upper end of its node range).")
@override_option("hours", "Wall-clock time needed (hours, or with a unit: 30min).")
@override_option("storage", "Working storage needed (GiB, or with a unit).")
@override_option("data-size", "Size of each data resource (GiB, or with a unit: 500MB).")
@click.option("--uuid", "uuid", default=None, metavar="UUID", help="Which executable of a manifest FILE that holds several.")
@click.option("--limit", default="20", show_default=True, metavar="N|all", help="List the best N matches and the N nearest rejections, or all of them (the summary counts every platform).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def plan(target: str, store_spec: str | None, at: str, limit: str, fmt: str, uuid: str | None, **overrides: str | None) -> None:
    """Find the platforms that can run an executable (a registered UUID, a manifest FILE;
    --uuid picks one of several; or an IVOA ExecutionRequest FILE in JSON or YAML), ranked,
    with the reason every other platform is rejected and the overrides that would make it fit.

    \b
    Examples:
      esap-registry plan 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03
      esap-registry plan 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03 --nodes 8 --max-nodes 14
      esap-registry plan examples/gaia-hdbscan.json --uuid c3e9a2d4-6f1b-4a8e-b7c5-0d2e9f4a6b18 --format json

    Exit 0 when planned (even with no match), 1 for an unknown uuid, a bad override, or a
    manifest that is malformed or does not conform (its report is printed).
    """
    from registry.planner import Overrides, Planner, parse_limit
    from registry.planview import plan_text

    count = parse_limit(limit)

    with open_registry(store_spec) as registry:
        path = Path(target)
        subject: str | Document = target
        if path.suffix.lower() in (".json", ".yaml", ".yml") and path.is_file():
            from registry.broker.export import read_request_file

            request_document = read_request_file(registry, path, DEFAULT_MAX_SIZE)
            if request_document is not None:
                subject, notes = request_document
                for note in notes:
                    click.echo(f"esap-registry: note: {note}", err=True)
        if isinstance(subject, Document):
            if uuid is not None:
                raise ParameterError("uuid", "picks an executable of a manifest FILE; an ExecutionRequest holds one", uuid)
            report = registry.validate(subject)  # as POST /plan: a manifest that does not conform is not planned
            if not report.conforms:
                raise ValidationFailed(report)
        elif path.suffix.lower() in (".json", ".jsonld", ".json-ld", ".yaml", ".yml", ".ttl", ".nt", ".rdf"):
            subject = load_path(path, max_bytes=DEFAULT_MAX_SIZE)
            report = registry.validate(subject)  # as POST /plan: a manifest that does not conform is not planned
            if not report.conforms:
                raise ValidationFailed(report)
        elif uuid is not None:
            raise ParameterError("uuid", "picks an executable of a manifest FILE; a registered executable is planned by its uuid alone", uuid)
        given = Overrides(**{name: value for name, value in overrides.items()})
        result = Planner(registry).plan(subject, at=at, overrides=given, limit=count, uuid=uuid)  # type: ignore[arg-type]
        label = registry.vocabulary.label
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(plan_text(result.to_dict(), lambda term: label(URIRef(term))))


@click.command(epilog=examples("esap-registry platforms", "esap-registry platforms --format json"))
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_errors
def platforms(store_spec: str | None, fmt: str) -> None:
    """List the platforms with their node pools, storage and executable types."""
    with open_registry(store_spec) as registry:
        manifest = registry.export_manifest(kind=ESAP.Platform)
    entries = manifest.get("platforms", [])
    if fmt == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    rows = []
    for entry in entries:
        pools = "; ".join(
            f"{p.get('nodes')} x {p.get('cores')} cores x {p.get('memory')} GiB"
            + (f", {p['maxwalltime']} h" if "maxwalltime" in p else "")
            for p in entry.get("compute-resources", [])
        )
        storage = " + ".join(str(s.get("size")) for s in entry.get("storage-resources", [])) or "0"
        rows.append((entry["uuid"], entry.get("title", ""), entry.get("type", ""), pools, storage, " ".join(entry.get("executable-types", []))))
    click.echo(table(["uuid", "title", "type", "node pools", "storage", "runs"], rows))
    click.echo(f"{len(entries)} platform(s)")


@click.command(epilog=examples("esap-registry runnable f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01",
                               "esap-registry runnable f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01 --limit all --format json"))
@click.argument("platform")
@store_option
@click.option("--limit", default="20", show_default=True, metavar="N|all", help="List the first N executables by title, or all of them (the count is of every one).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def runnable(platform: str, store_spec: str | None, limit: str, fmt: str) -> None:
    """The reverse plan: the executables a registered PLATFORM (uuid) can run, by the
    planner's rule at the minima, by title; the first 20 unless --limit says otherwise,
    and how many in all.

    Exit 0 (even with none), 1 for an unknown uuid, a uuid that names an executable or a
    bad --limit.
    """
    from registry.planner import Planner, parse_limit

    count = parse_limit(limit)
    with open_registry(store_spec) as registry:
        listing = Planner(registry).runnable(platform, limit=count)
    if fmt == "json":
        click.echo(json.dumps(listing.to_dict(platform), indent=2, ensure_ascii=False))
        return
    rows = [
        (e["executable"], e["title"] or "", e["type"], f"{quantity(e['storage']['needed'], 'GiB')} of {quantity(e['storage']['offered'], 'GiB')}")
        for e in listing.executables
    ]
    if rows:
        click.echo(table(["uuid", "title", "type", "storage needed of offered"], rows))
    shown = f" (the first {len(rows)} listed; --limit all lists every one)" if len(rows) < listing.count else ""
    click.echo(f"{listing.count} executable(s) can run on {platform}{shown}")



@click.command(name="shopping-list")
@click.argument("target")
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def shopping_list_command(target: str, store_spec: str | None, fmt: str) -> None:
    """The data shopping list of an executable (a registered UUID, or a manifest FILE holding
    one executable): for each data resource it needs, the registered data sets that satisfy
    it and how each is reached, the platforms holding a copy, and, when none does, the
    nearest broader terms that have data sets. Nothing is fetched from any access.

    \b
    Examples:
      esap-registry shopping-list 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03
      esap-registry shopping-list 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03 --format json

    Exit 0 (even when data is missing), 1 for an unknown uuid, a uuid that is not an
    executable, or a manifest that is malformed or does not conform.
    """
    from registry.shopping import shopping_list, shopping_text

    with open_registry(store_spec) as registry:
        subject: str | Document = target
        if Path(target).suffix.lower() in (".json", ".jsonld", ".json-ld", ".ttl", ".nt", ".rdf"):
            subject = load_path(Path(target), max_bytes=DEFAULT_MAX_SIZE)
            report = registry.validate(subject)
            if not report.conforms:
                raise ValidationFailed(report)
        listing = shopping_list(registry, subject)
    if fmt == "json":
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    click.echo(shopping_text(listing))
