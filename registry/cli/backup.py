"""``esap-registry dump`` and ``restore``: the whole store backed up and read back
(:mod:`registry.backup`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from registry.cli.common import examples, handle_errors, open_registry, store_option

__all__ = ["dump", "restore"]


@click.command(epilog=examples("esap-registry dump --output backup.nq", "esap-registry dump --store var/registry --format trig > backup.trig"))
@store_option
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default=None, help="Default: from the ending of --output (.nq, .trig), else nquads.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file instead of standard output.")
@handle_errors
def dump(store_spec: str | None, fmt: str | None, output: Path | None) -> None:
    """Back up the whole store: every quad of every named graph (entries, vocabulary, shapes),
    canonical, as N-Quads or TriG. `restore` reads it back."""
    from registry import backup

    chosen = backup.format_for(output, fmt)
    with open_registry(store_spec) as registry:
        data = backup.dump(registry.store, chosen)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@click.command(epilog=examples("esap-registry restore backup.nq --store var/new-registry", "esap-registry restore backup.trig --replace"))
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
    with open_registry(store_spec) as registry:
        count = backup.restore(registry.store, data, chosen, source=str(file), replace=replace)
    click.echo(f"restored {count} quad(s) from {file}")
