"""The ``esap-registry`` group and the console script's entry point: it adds every
command, the CLI's own (a module per group in this package) and those kept with the
packages they drive (``ossr``, ``broker``, ``serve``), which import only
:mod:`registry.cli.common`.
"""

from __future__ import annotations

import click

from registry import __version__
from registry.broker.command import broker
from registry.cli.backup import dump, restore
from registry.cli.common import examples
from registry.cli.entries import delete, export, list_entries, show
from registry.cli.manifests import ingest, validate
from registry.cli.plan import plan, platforms, runnable, shopping_list_command
from registry.cli.sparql import query, update
from registry.ossr.command import ossr
from registry.web.command import serve

__all__ = ["cli", "main"]


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


for _command in (
    validate,
    ingest,
    export,
    list_entries,
    show,
    delete,
    query,
    update,
    plan,
    platforms,
    runnable,
    shopping_list_command,
    dump,
    restore,
    ossr,
    broker,
    serve,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the console script."""
    cli()
