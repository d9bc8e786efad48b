"""``esap-registry serve``: the web service under uvicorn.

Registered on the main command by :mod:`registry.cli`, which adds its ``--store``
options; nothing of :mod:`registry.cli` is imported here at import time.
"""

from __future__ import annotations

from pathlib import Path

import click

from registry.resources import data_dir
from registry.service import find_files

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, type=click.IntRange(0, 65535), show_default=True, help="The port to listen on.")
@click.option("--examples", is_flag=True, help="Ingest the shipped examples/ at start.")
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A file whose first line is the bearer token that allows writes (default: $ESAP_REGISTRY_TOKEN; "
    "with neither the service is read-only).",
)
@click.option("--max-body", default=10 * 1024 * 1024, type=click.IntRange(1), show_default=True, help="The largest request body, in bytes (413 beyond).")
@click.option("--query-timeout", default=30.0, type=click.FloatRange(0.001), show_default=True, help="Seconds a SPARQL query may run (503 beyond).")
@click.option("--query-workers", default=4, type=click.IntRange(1), show_default=True, help="SPARQL queries run at once.")
@click.option("--log-level", default="info", type=click.Choice(["critical", "error", "warning", "info", "debug"]), show_default=True)
def serve(
    host: str,
    port: int,
    store_spec: str | None,
    examples: bool,
    token_file: Path | None,
    max_body: int,
    query_timeout: float,
    query_workers: int,
    log_level: str,
) -> None:
    """Serve the registry over HTTP: the REST API, the known-location lists, a SPARQL
    endpoint, and pages for the registry and the ontology.

    Writes need the bearer token the operator configures; the token is never printed.
    """
    from registry import cli  # late: registry.cli imports this module and adds --store to the command

    @cli.handle_errors
    def run() -> None:
        import uvicorn

        from registry.web import Settings, create_app

        settings = Settings.from_env(
            token_file=token_file, max_body_bytes=max_body, query_timeout=query_timeout, query_workers=query_workers
        )
        registry = cli._registry(store_spec)
        try:
            if examples:
                batch = registry.ingest_paths(find_files([data_dir("examples")]))
                click.echo(f"examples: {batch.summary()}", err=True)
            app = create_app(settings, store=registry.store)
            mode = "read-only (no token configured)" if settings.read_only else "writes allowed with the bearer token"
            click.echo(f"serving {registry.store.backend} store on http://{host}:{port}/ - {mode}", err=True)
            uvicorn.run(app, host=host, port=port, log_level=log_level, workers=1)
        finally:
            registry.store.close()

    run()
