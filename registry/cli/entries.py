"""``esap-registry export``, ``list``, ``show`` and ``delete``: the registry's entries."""

from __future__ import annotations

import json
from pathlib import Path

import click

from registry.cli.common import examples, handle_errors, open_registry, store_option
from registry.texttable import table
from registry.vocabulary import ESAP

__all__ = ["delete", "export", "list_entries", "show"]


@click.command(
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
    with open_registry(store_spec) as registry:
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


@click.command(name="list", epilog=examples("esap-registry list", "esap-registry list --kind platforms --format json"))
@store_option
@click.option("--kind", type=click.Choice(["executables", "platforms", "datasets"]), help="Only this kind of entry.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_errors
def list_entries(store_spec: str | None, kind: str | None, fmt: str) -> None:
    """List what the registry holds."""
    kind_iri = {"executables": ESAP.Executable, "platforms": ESAP.Platform, "datasets": ESAP.Dataset}.get(kind or "")
    with open_registry(store_spec) as registry:
        entries = registry.entries(kind_iri)
    if fmt == "json":
        click.echo(json.dumps([e.__dict__ for e in entries], indent=2, ensure_ascii=False))
        return
    rows = [(e.kind, e.uuid, e.type or "", e.title or "") for e in entries]
    click.echo(table(["kind", "uuid", "type", "title"], rows))
    executables = sum(1 for e in entries if e.kind == "executable")
    datasets = sum(1 for e in entries if e.kind == "dataset")
    summary = f"{executables} executable(s), {len(entries) - executables - datasets} platform(s)"
    click.echo(summary + (f", {datasets} data set(s)" if datasets else ""))


@click.command(epilog=examples("esap-registry show 5cec9f3d-79c0-49ad-9a5a-455596c55341", "esap-registry show 5cec9f3d-79c0-49ad-9a5a-455596c55341 --format turtle"))
@click.argument("uuid")
@store_option
@click.option("--format", "fmt", type=click.Choice(["json", "jsonld", "turtle"]), default="json", show_default=True)
@handle_errors
def show(uuid: str, store_spec: str | None, fmt: str) -> None:
    """Show one entry. Exit 1 when there is no such entry."""
    with open_registry(store_spec) as registry:
        if fmt == "turtle":
            click.echo(registry.export_rdf("turtle", uuids=[uuid]))
            return
        manifest = registry.export_manifest(uuids=[uuid], jsonld=fmt == "jsonld")
    entries = manifest.get("executables", []) + manifest.get("platforms", []) + manifest.get("datasets", [])
    click.echo(json.dumps(entries[0], indent=2, ensure_ascii=False))


@click.command(epilog=examples("esap-registry delete 5cec9f3d-79c0-49ad-9a5a-455596c55341", "esap-registry delete UUID1 UUID2 --store var/registry"))
@click.argument("uuids", nargs=-1, required=True)
@store_option
@handle_errors
def delete(uuids: tuple[str, ...], store_spec: str | None) -> None:
    """Delete entries and everything they say. Exit 1 when one is not in the registry."""
    with open_registry(store_spec) as registry:
        targets = [registry.resolve(u)[0] for u in uuids]
        registry.store.drop_graphs(targets)
    for target in targets:
        click.echo(f"deleted {target}")
