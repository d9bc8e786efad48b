"""The ``esap-registry`` command.

Exit codes mean something, as in pySHACL: 0 all is well (the input conforms,
everything was stored), 1 it does not (a violation, malformed input, an
unknown uuid), 2 an error (a file that cannot be read, a store that cannot be
opened, a bad option).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rdflib import Graph, URIRef

from registry import __version__
from registry.readers import Document, load_path
from registry.errors import InputError, NotFound, ParameterError, QueryError, RegistryError, StoreError, StoreNotEmpty, ValidationFailed
from registry.service import Registry, find_files
from registry.store import (
    CREDENTIALS_FILE_ENV,
    STORE_ENV,
    UPDATE_URL_ENV,
    Solutions,
    default_store_path,
    open_store,
)
from registry.planview import quantity
from registry.texttable import table as _table
from registry.report import Issue, Report
from registry.validation import get_validator
from registry.vocabulary import ESAP

__all__ = ["main"]

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"esap-registry: {message}", err=True)
    sys.exit(code)


def examples(*lines: str) -> str:
    """A command's ``--help`` epilog: examples, one a line, kept as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


#: Above this many lines of issues, ``--warnings`` defaults to a summary.
SUMMARY_ABOVE = 20
#: The paths a summary line names for each message.
SUMMARY_PATHS = 3

warnings_option = click.option(
    "--warnings",
    "warnings_mode",
    type=click.Choice(["all", "summary", "none"]),
    default=None,
    help=f"How issues are shown: every one, a summary (per message: how many, and the first "
    f"{SUMMARY_PATHS} paths), or no warnings (violations still shown). Default: all, or a summary "
    f"above {SUMMARY_ABOVE} lines.",
)


def _issue_line(issue: Issue) -> str:
    value = f" (value: {json.dumps(issue.value, ensure_ascii=False)})" if issue.value is not None else ""
    return f"{issue.severity.lower()}: {issue.where()}: {issue.message}{value}"


def issue_lines(issues: list[Issue], mode: str | None) -> list[str]:
    """The lines that tell ``issues`` (in their order) as ``--warnings`` asks: every one; a
    summary, one line per severity and message with its count and first paths; or
    without warnings. The default is every one up to :data:`SUMMARY_ABOVE` lines, else the summary."""
    shown = [i for i in issues if mode != "none" or i.severity != "Warning"]
    if mode == "all" or (mode != "summary" and len(shown) <= SUMMARY_ABOVE):
        return [_issue_line(i) for i in shown]
    groups: dict[tuple[str, str], list[Issue]] = {}
    for issue in shown:
        groups.setdefault((issue.severity, issue.message), []).append(issue)
    lines = []
    for (severity, message), found in groups.items():
        if len(found) == 1:
            lines.append(_issue_line(found[0]))
            continue
        named = found[:SUMMARY_PATHS]
        sources = {i.source for i in named}
        if len(sources) == 1 and None not in sources and all(i.path for i in named):
            first = f"{named[0].source}: " + ", ".join(str(i.path) for i in named)
        else:
            first = ", ".join(i.where() for i in named)
        more = f" and {len(found) - SUMMARY_PATHS:,} more" if len(found) > SUMMARY_PATHS else ""
        lines.append(f"{severity.lower()}: {message} ({len(found):,} times, at {first}{more})")
    return lines


def _counts(errors: int, warnings: int) -> str:
    """The end of a command's final line: what it found, counted."""
    return f"{errors} error(s), {warnings} warning(s)"


def handle_errors(function: F) -> F:
    """Map the registry's errors to messages and exit codes (the only place that does)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ValidationFailed as exc:
            click.echo(exc.report.to_text(), err=True)
            _fail(str(exc), EXIT_FAIL)
        except (InputError, NotFound, QueryError, StoreNotEmpty) as exc:
            _fail(str(exc), EXIT_FAIL)
        except StoreError as exc:
            _fail(str(exc), EXIT_ERROR)
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), EXIT_ERROR)
        except RegistryError as exc:
            _fail(str(exc), EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta[f"esap-registry.{param.name}"] = value
    return value


def store_option(function: F) -> F:
    """``--store`` on every command that reads or writes the registry, with a remote
    store's ``--update-url`` and ``--credentials-file`` (kept in the context, read by
    :func:`_registry`)."""
    function = click.option(
        "--credentials-file",
        envvar=CREDENTIALS_FILE_ENV,
        type=click.Path(path_type=Path, dir_okay=False),
        expose_value=False,
        callback=_remember,
        help="A remote store's credentials: user=/password= or token= lines "
        "(default: $ESAP_REGISTRY_STORE_USER, _PASSWORD or _TOKEN).",
    )(function)
    function = click.option(
        "--update-url",
        envvar=UPDATE_URL_ENV,
        expose_value=False,
        callback=_remember,
        metavar="URL",
        help="A remote store's SPARQL update endpoint, when it differs from --store (its query endpoint).",
    )(function)
    return click.option(
        "--store",
        "store_spec",
        envvar=STORE_ENV,
        default=None,
        metavar="PATH|memory|URL",
        help="The store: a directory (created if missing), 'memory', or a SPARQL 1.1 query endpoint "
        f"(http(s)://). Default: ${STORE_ENV}, else {default_store_path()}.",
    )(function)


def _registry(store_spec: str | None) -> Registry:
    context = click.get_current_context(silent=True)
    meta = context.meta if context is not None else {}
    return Registry(
        open_store(
            store_spec,
            update_url=meta.get("esap-registry.update_url"),
            credentials_file=meta.get("esap-registry.credentials_file"),
        )
    )


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
        "esap-registry ingest examples/                   # validate and store manifests",
        "esap-registry plan 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03",
        "esap-registry serve --examples                   # the web service on http://127.0.0.1:8000/",
        "esap-registry COMMAND --help                     # each command's options and examples",
    ),
)
@click.version_option(__version__, "--version", "-V", prog_name="esap-registry")
def cli() -> None:
    """A linked-data registry of scientific executables and the platforms that can run them."""


# -- validate ------------------------------------------------------------------


#: The largest input file read by default (``--max-size``), as the web service's body limit is 10 MiB.
DEFAULT_MAX_SIZE = 64 * 1024 * 1024

max_size_option = click.option(
    "--max-size",
    "max_size",
    default=DEFAULT_MAX_SIZE,
    type=click.IntRange(1),
    show_default=True,
    metavar="BYTES",
    help="The largest file read; a larger one is refused unread, as malformed input.",
)


@cli.command(
    epilog=examples(
        "esap-registry validate examples/gaia-hdbscan.json",
        "esap-registry validate manifests/ --warnings none       # violations only",
        "esap-registry validate my.yaml --format json",
    )
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@max_size_option
@warnings_option
@handle_errors
def validate(files: tuple[Path, ...], fmt: str, max_size: int, warnings_mode: str | None) -> None:
    """Validate manifests (JSON or YAML), JSON-LD or Turtle files without storing them.

    Exit 0 when every file conforms (warnings allowed), 1 when one does not or
    is malformed or too large, 2 when a file cannot be read.
    """
    validator = get_validator()
    report = Report()
    malformed: list[InputError] = []
    unreadable: list[str] = []
    for path in find_files(files):
        try:
            report.extend(validator.validate(load_path(path, max_bytes=max_size)))
        except InputError as exc:
            malformed.append(exc)
        except OSError as exc:
            unreadable.append(f"{path}: {exc.strerror or exc}")
    if fmt == "json":
        body = report.to_dict()
        body["errors"] = [e.to_dict() for e in malformed] + [{"error": "unreadable", "message": m} for m in unreadable]
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    elif fmt == "turtle":
        click.echo(report.to_graph().serialize(format="turtle"))
    else:
        for error in malformed:
            click.echo(f"error: {error}", err=True)
        for line in issue_lines(report.issues, warnings_mode):
            click.echo(line)
    for message in unreadable:
        click.echo(f"esap-registry: cannot read {message}", err=True)
    if fmt == "text":
        unread = len(malformed) + len(unreadable)
        verdict = "conforms" if report.conforms and not unread else "does not conform"
        click.echo(
            f"{verdict}: {len(report.violations)} violation(s), {unread} file(s) not read; "
            + _counts(len(report.violations) + unread, len(report.warnings))
        )
    if unreadable:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if report.conforms and not malformed else EXIT_FAIL)


# -- ingest ----------------------------------------------------------------------


@cli.command(
    epilog=examples(
        "esap-registry ingest examples/",
        "esap-registry ingest platforms.yaml --store var/registry --warnings summary",
        "esap-registry ingest new.json --store http://127.0.0.1:8000/sparql --update-url http://127.0.0.1:8000/update",
    )
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@max_size_option
@warnings_option
@handle_errors
def ingest(paths: tuple[Path, ...], store_spec: str | None, quiet: bool, max_size: int, warnings_mode: str | None) -> None:
    """Validate and store files (JSON or YAML manifests, JSON-LD, Turtle) and directories
    of files, each file whole or not at all.

    Exit 0 when every file was stored, 1 when a file was rejected, 2 when a file
    could not be read (or on another error).
    """
    files = find_files(paths)
    missing = [p for p in files if not p.exists()]
    if missing:
        _fail(f"no such file: {missing[0]}", EXIT_ERROR)
    registry = _registry(store_spec)
    with registry.store:
        if len(files) > 1 and not quiet:
            registry.prepare()  # before the clock starts: the bar's first estimate is of files, not of setting up
            if sys.stderr.isatty():
                with click.progressbar(length=len(files), label="ingesting", file=sys.stderr) as bar:
                    batch = registry.ingest_paths(files, progress=lambda _: bar.update(1), max_bytes=max_size)
            else:  # a log, not a terminal: one line that says what is under way, no bar
                click.echo(f"ingesting {len(files)} file(s)...", err=True)
                batch = registry.ingest_paths(files, max_bytes=max_size)
        else:
            batch = registry.ingest_paths(files, max_bytes=max_size)
    if not quiet:
        for line in issue_lines(batch.issues, warnings_mode):
            click.echo(line, err=True)
    for path, reason in batch.rejected.items():
        click.echo(f"rejected {path}: {reason}", err=True)
    violations = sum(1 for i in batch.issues if i.severity == "Violation")
    refused = {i.source for i in batch.issues if i.severity == "Violation"}
    unparsed = sum(1 for p in batch.rejected if p not in refused)  # malformed or unreadable: an error each
    warnings = sum(1 for i in batch.issues if i.severity == "Warning")
    click.echo(f"{batch.summary()}; {_counts(violations + unparsed, warnings)}")
    sys.exit(EXIT_ERROR if batch.unreadable else EXIT_FAIL if batch.rejected else EXIT_OK)


# -- export ------------------------------------------------------------------------


@cli.command(
    epilog=examples(
        "esap-registry export > executables.json",
        "esap-registry export --kind platforms --format jsonld -o platforms.jsonld",
        "esap-registry export --uuid 5cec9f3d-79c0-49ad-9a5a-455596c55341 --format turtle",
        "esap-registry export --uuid 5cec9f3d-79c0-49ad-9a5a-455596c55341 --format execution-request > request.yaml",
    )
)
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonld", "turtle", "trig", "nquads", "execution-request", "execution-request-json"]),
    default="json",
    show_default=True,
    help="execution-request: one executable (--uuid) as an IVOA ExecutionRequest in YAML (-json: in JSON).",
)
@click.option("--kind", type=click.Choice(["executables", "platforms", "datasets"]), help="Only this kind of entry.")
@click.option("--uuid", "uuids", multiple=True, help="Only these entries, in this order (repeatable).")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of standard output.")
@handle_errors
def export(store_spec: str | None, fmt: str, kind: str | None, uuids: tuple[str, ...], output: Path | None) -> None:
    """Export the registry as a manifest (the list ESAP reads), JSON-LD, Turtle, TriG or N-Quads,
    or one executable as an ExecutionRequest (what it cannot say is noted on standard error)."""
    kind_iri = {"executables": ESAP.Executable, "platforms": ESAP.Platform}.get(kind or "")
    if kind == "datasets":
        kind_iri = ESAP.Dataset
    with _registry(store_spec).store as store:
        registry = Registry(store)
        if fmt.startswith("execution-request"):
            from registry.broker.export import execution_request

            request, notes = execution_request(registry, uuids)
            for note in notes:
                click.echo(f"esap-registry: note: {note}", err=True)
            if fmt == "execution-request-json":
                text = json.dumps(request, indent=2, ensure_ascii=False)
            else:
                import yaml

                text = yaml.safe_dump(request, sort_keys=False, allow_unicode=True).rstrip()
        elif fmt in ("json", "jsonld"):
            text = json.dumps(
                registry.export_manifest(kind=kind_iri, uuids=uuids or None, jsonld=fmt == "jsonld"),
                indent=2,
                ensure_ascii=False,
            )
        else:
            text = registry.export_rdf(fmt, kind=kind_iri, uuids=uuids or None)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


# -- list, show, delete ------------------------------------------------------------


@cli.command(name="list", epilog=examples("esap-registry list", "esap-registry list --kind platforms --format json"))
@store_option
@click.option("--kind", type=click.Choice(["executables", "platforms", "datasets"]), help="Only this kind of entry.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_errors
def list_entries(store_spec: str | None, kind: str | None, fmt: str) -> None:
    """List what the registry holds."""
    kind_iri = {"executables": ESAP.Executable, "platforms": ESAP.Platform, "datasets": ESAP.Dataset}.get(kind or "")
    with _registry(store_spec).store as store:
        entries = Registry(store).entries(kind_iri)
    if fmt == "json":
        click.echo(json.dumps([e.__dict__ for e in entries], indent=2, ensure_ascii=False))
        return
    rows = [(e.kind, e.uuid, e.type or "", e.title or "") for e in entries]
    click.echo(_table(["kind", "uuid", "type", "title"], rows))
    executables = sum(1 for e in entries if e.kind == "executable")
    datasets = sum(1 for e in entries if e.kind == "dataset")
    summary = f"{executables} executable(s), {len(entries) - executables - datasets} platform(s)"
    click.echo(summary + (f", {datasets} data set(s)" if datasets else ""))


@cli.command(epilog=examples("esap-registry show 5cec9f3d-79c0-49ad-9a5a-455596c55341", "esap-registry show 5cec9f3d-79c0-49ad-9a5a-455596c55341 --format turtle"))
@click.argument("uuid")
@store_option
@click.option("--format", "fmt", type=click.Choice(["json", "jsonld", "turtle"]), default="json", show_default=True)
@handle_errors
def show(uuid: str, store_spec: str | None, fmt: str) -> None:
    """Show one entry. Exit 1 when there is no such entry."""
    with _registry(store_spec).store as store:
        registry = Registry(store)
        if fmt == "turtle":
            click.echo(registry.export_rdf("turtle", uuids=[uuid]))
            return
        manifest = registry.export_manifest(uuids=[uuid], jsonld=fmt == "jsonld")
    entries = manifest.get("executables", []) + manifest.get("platforms", []) + manifest.get("datasets", [])
    click.echo(json.dumps(entries[0], indent=2, ensure_ascii=False))


@cli.command(epilog=examples("esap-registry delete 5cec9f3d-79c0-49ad-9a5a-455596c55341", "esap-registry delete UUID1 UUID2 --store var/registry"))
@click.argument("uuids", nargs=-1, required=True)
@store_option
@handle_errors
def delete(uuids: tuple[str, ...], store_spec: str | None) -> None:
    """Delete entries and everything they say. Exit 1 when one is not in the registry."""
    with _registry(store_spec).store as store:
        registry = Registry(store)
        targets = [registry.resolve(u)[0] for u in uuids]
        store.drop_graphs(targets)
    for target in targets:
        click.echo(f"deleted {target}")


# -- query ---------------------------------------------------------------------------


@cli.command(
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
    with _registry(store_spec).store as store:
        result = Registry(store).query(text)
    if isinstance(result, bool):
        click.echo(json.dumps({"boolean": result}) if fmt == "json" else str(result).lower())
    elif isinstance(result, Graph):
        click.echo(result.serialize(format="json-ld" if fmt == "json" else "turtle"))
    else:
        _print_solutions(result, fmt)


@cli.command(
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
    with _registry(store_spec).store as store:
        result = Registry(store).update(text)
    for line in issue_lines(result.report.issues, None):
        click.echo(line, err=True)
    click.echo(
        f"updated: {len(result.entries)} entr{'y' if len(result.entries) == 1 else 'ies'} validated and stored, "
        f"{len(result.graphs)} other graph(s) written, {len(result.dropped)} graph(s) emptied; "
        + _counts(0, len(result.report.warnings))
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
        click.echo(_table(result.variables, [tuple("" if v is None else str(v) for v in row) for row in result.rows]))
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


# -- planning ------------------------------------------------------------------------


def _override_option(name: str, help: str) -> Callable[[F], F]:
    return click.option(f"--{name}", default=None, metavar="VALUE", help=help)


@cli.command(
    epilog=examples(
        "esap-registry plan 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03",
        "esap-registry plan 8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03 --nodes 6 --cores 50 --memory 100 --data-size 500MB",
        "esap-registry plan my-notebook.yaml --at max --format json",
    )
)
@click.argument("target")
@store_option
@click.option("--at", type=click.Choice(["min", "max"]), default="min", show_default=True, help="Plan at the minima or the maxima of the ranges.")
@_override_option("cores", "Total cores needed, instead of the executable's.")
@_override_option("memory", "Total memory needed (GiB, or with a unit: 100GiB).")
@_override_option("nodes", "Nodes needed: pins the node range to exactly N (with --max-nodes, its lower end).")
@_override_option("max-nodes", "The most nodes the executable may spread over (the upper end of its node range).")
@_override_option("hours", "Wall-clock time needed (hours, or with a unit: 30min).")
@_override_option("storage", "Working storage needed (GiB, or with a unit).")
@_override_option("data-size", "Size of each data resource (GiB, or with a unit: 500MB).")
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

    with _registry(store_spec).store as store:
        registry = Registry(store)
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


@cli.command(epilog=examples("esap-registry platforms", "esap-registry platforms --format json"))
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_errors
def platforms(store_spec: str | None, fmt: str) -> None:
    """List the platforms with their node pools, storage and executable types."""
    with _registry(store_spec).store as store:
        manifest = Registry(store).export_manifest(kind=ESAP.Platform)
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
    click.echo(_table(["uuid", "title", "type", "node pools", "storage", "runs"], rows))
    click.echo(f"{len(entries)} platform(s)")


# -- dump, restore (registry/backup.py) --------------------------------------------------


@cli.command(epilog=examples("esap-registry dump --output backup.nq", "esap-registry dump --store var/registry --format trig > backup.trig"))
@store_option
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default=None, help="Default: from the ending of --output (.nq, .trig), else nquads.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file instead of standard output.")
@handle_errors
def dump(store_spec: str | None, fmt: str | None, output: Path | None) -> None:
    """Back up the whole store: every quad of every named graph (entries, vocabulary, shapes),
    canonical, as N-Quads or TriG. `restore` reads it back."""
    from registry import backup

    chosen = backup.format_for(output, fmt)
    with _registry(store_spec).store as store:
        data = backup.dump(store, chosen)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@cli.command(epilog=examples("esap-registry restore backup.nq --store var/new-registry", "esap-registry restore backup.trig --replace"))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@store_option
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default=None, help="Default: from the file's ending (.nq, .trig).")
@click.option("--replace", is_flag=True, help="Replace whatever the store holds (in the same atomic step).")
@handle_errors
def restore(file: Path, store_spec: str | None, fmt: str | None, replace: bool) -> None:
    """Restore a dump (N-Quads or TriG) into an empty store, all or nothing.

    A store that already holds graphs is refused (exit 1) unless --replace is given.
    Exit 1 for a malformed dump (nothing is stored), 2 when the store fails.
    """
    from registry import backup

    chosen = backup.format_for(None if str(file) == "-" else file, fmt)
    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    with _registry(store_spec).store as store:
        count = backup.restore(store, data, chosen, source=str(file), replace=replace)
    click.echo(f"restored {count} quad(s) from {file}")
@cli.command(epilog=examples("esap-registry runnable f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01", "esap-registry runnable f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01 --format json"))
@click.argument("platform")
@store_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def runnable(platform: str, store_spec: str | None, fmt: str) -> None:
    """The reverse plan: every executable a registered PLATFORM (uuid) can run, by the
    planner's rule at the minima.

    Exit 0 (even with none), 1 for an unknown uuid or a uuid that names an executable.
    """
    from registry.planner import Planner

    with _registry(store_spec).store as store:
        executables = Planner(Registry(store)).runnable(platform)
    if fmt == "json":
        click.echo(json.dumps({"platform": platform, "executables": executables}, indent=2, ensure_ascii=False))
        return
    rows = [
        (e["executable"], e["title"] or "", e["type"], f"{quantity(e['storage']['needed'], 'GiB')} of {quantity(e['storage']['offered'], 'GiB')}")
        for e in executables
    ]
    if rows:
        click.echo(_table(["uuid", "title", "type", "storage needed of offered"], rows))
    click.echo(f"{len(rows)} executable(s) can run on {platform}")



# -- shopping-list (registry/shopping.py) ---------------------------------------------


@cli.command(name="shopping-list")
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

    with _registry(store_spec).store as store:
        registry = Registry(store)
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


# -- ossr (registry/ossr/command.py) -------------------------------------------------

from registry.ossr.command import ossr as _ossr  # noqa: E402 - the OSSR import group, kept with its module

cli.add_command(_ossr)


# -- broker (registry/broker/command.py) ----------------------------------------------

from registry.broker.command import broker as _broker  # noqa: E402 - the ExecutionBroker client, kept with its module

cli.add_command(_broker)


# -- serve (registry/web/command.py) ------------------------------------------------

from registry.web.command import serve as _serve  # noqa: E402 - the web service's command, kept with its module

_serve.epilog = examples(  # kept here: the command lives with the web service
    "esap-registry serve --store var/registry --examples",
    "ESAP_REGISTRY_TOKEN=secret esap-registry serve --host 0.0.0.0 --port 8000",
    "esap-registry serve --store http://127.0.0.1:7878/query --update-url http://127.0.0.1:7878/update --workers 4",
)
cli.add_command(store_option(_serve))  # type: ignore[arg-type]


def main() -> None:
    """Entry point of the console script."""
    cli()

