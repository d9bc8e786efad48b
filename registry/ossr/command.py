"""``esap-registry ossr``: import software records from the OSSR.

Registered on the main command by :mod:`registry.cli.main`. Of the CLI it imports
:mod:`registry.cli.common` alone: the error handling that maps the registry's errors
to exit codes, and opening the registry.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from registry.cli.common import EXIT_ERROR, EXIT_FAIL, EXIT_OK, connect, fail, handle_errors
from registry.store import STORE_ENV, default_store_path

__all__ = ["ossr"]


@click.group(
    epilog="\b\nExamples:\n  esap-registry ossr import tests/data/ossr/\n  esap-registry ossr import --record 5176089"
)
def ossr() -> None:
    """Import software records (CodeMeta, Zenodo) from the OSSR, the Zenodo community escape2020."""


@ossr.command(
    name="import",
    epilog="\b\nExamples:\n  esap-registry ossr import codemeta.json zenodo-records/\n"
    "  esap-registry ossr import --record 5176089 --record 6806728\n  esap-registry ossr import --all --timeout 60",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--record", "record_ids", multiple=True, metavar="ID", help="A Zenodo record id to fetch online (repeatable).")
@click.option("--all", "all_records", is_flag=True, help="Fetch every record of the OSSR online.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds to wait for Zenodo.")
@click.option(
    "--store",
    "store_spec",
    envvar=STORE_ENV,
    default=None,
    metavar="PATH|memory",
    help=f"The store: a directory (created if missing), or 'memory'. Default: ${STORE_ENV}, else {default_store_path()}.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
def import_records(
    paths: tuple[Path, ...],
    record_ids: tuple[str, ...],
    all_records: bool,
    timeout: float,
    store_spec: str | None,
    quiet: bool,
) -> None:
    """Import saved codemeta.json and Zenodo record JSON files (FILE or DIR...), or
    records fetched from Zenodo (--record ID, --all; needs the eossr extra).

    Beside each input, <base>esap-executables.json (the software's executables, in the
    seed format) and, for a Zenodo record, <base>codemeta.json are read too.

    Exit 0 when every record was stored, 1 when one was rejected, 2 on an error
    (an unreadable file, Zenodo unreachable, eossr missing).
    """
    handle_errors(_run)(paths, record_ids, all_records, timeout, store_spec, quiet)


def _run(
    paths: tuple[Path, ...], record_ids: tuple[str, ...], all_records: bool, timeout: float, store_spec: str | None, quiet: bool
) -> None:
    from registry.ossr.importer import OssrImporter, fetch_records, find_inputs  # noqa: PLC0415

    online = bool(record_ids) or all_records
    if online == bool(paths) or (record_ids and all_records):
        fail("give files or directories to import, or --record ID, or --all", EXIT_ERROR)
    registry = connect(store_spec)
    with registry.store:
        importer = OssrImporter(registry)
        if online:
            count, fetched = fetch_records(record_ids, all_records=all_records, timeout=timeout)
            batch = _with_progress(count, quiet, lambda step: importer.import_fetched(fetched, progress=step))
        else:
            files = find_inputs(paths)
            missing = [p for p in files if not p.exists()]
            if missing:
                fail(f"no such file: {missing[0]}", EXIT_ERROR)
            batch = _with_progress(len(files), quiet, lambda step: importer.import_files(files, progress=step))
    if not quiet:
        for issue in batch.issues:
            click.echo(f"{issue.severity.lower()}: {issue.where()}: {issue.message}", err=True)
    for name, reason in batch.rejected.items():
        click.echo(f"rejected {name}: {reason}", err=True)
    click.echo(batch.summary())
    sys.exit(EXIT_FAIL if batch.rejected else EXIT_OK)


def _with_progress(count: int, quiet: bool, work: Callable[[Callable[[str], None] | None], Any]) -> Any:
    if count > 1 and not quiet:
        if not sys.stderr.isatty():  # a log, not a terminal: one line that says what is under way, no bar
            click.echo(f"importing {count} record(s)...", err=True)
            return work(None)
        with click.progressbar(length=count, label="importing", file=sys.stderr) as bar:
            return work(lambda _: bar.update(1))
    return work(None)
