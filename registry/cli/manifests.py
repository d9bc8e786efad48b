"""``esap-registry validate`` and ``ingest``: manifests, JSON-LD and Turtle files,
checked, and stored whole or not at all."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from registry.cli.common import (
    EXIT_ERROR,
    EXIT_FAIL,
    EXIT_OK,
    counts,
    examples,
    fail,
    handle_errors,
    issue_lines,
    max_size_option,
    open_registry,
    store_option,
    warnings_option,
)
from registry.readers import load_path
from registry.errors import InputError
from registry.service import find_files
from registry.report import Report
from registry.validation import get_validator

__all__ = ["ingest", "validate"]


@click.command(
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
            + counts(len(report.violations) + unread, len(report.warnings))
        )
    if unreadable:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if report.conforms and not malformed else EXIT_FAIL)




@click.command(
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
        fail(f"no such file: {missing[0]}", EXIT_ERROR)
    with open_registry(store_spec) as registry:
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
    click.echo(f"{batch.summary()}; {counts(violations + unparsed, warnings)}")
    sys.exit(EXIT_ERROR if batch.unreadable else EXIT_FAIL if batch.rejected else EXIT_OK)
