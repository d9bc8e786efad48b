"""``esap-registry serve``: the web service under uvicorn.

Registered on the main command by :mod:`registry.cli.main`; of the CLI it imports
:mod:`registry.cli.common` alone (the ``--store`` options, opening the registry, error
handling).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from registry.cli.common import connect, examples, handle_errors, store_option
from registry.resources import data_dir
from registry.service import find_files

__all__ = ["serve"]


@store_option
@click.command(
    epilog=examples(
        "esap-registry serve --store var/registry --examples",
        "ESAP_REGISTRY_TOKEN=secret esap-registry serve --host 0.0.0.0 --port 8000",
        "esap-registry serve --store http://127.0.0.1:7878/query --update-url http://127.0.0.1:7878/update --workers 4",
    )
)
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
@click.option(
    "--workers",
    default=1,
    type=click.IntRange(1),
    show_default=True,
    help="Worker processes; more than one needs a remote store (--store http(s)://...), which they share.",
)
@click.option("--offers", default=5, type=click.IntRange(1), show_default=True, help="ExecutionBroker: the most offers an offer set holds.")
@click.option("--offer-ttl", default=300.0, type=click.FloatRange(0.001), show_default=True, help="ExecutionBroker: seconds an offer stays OFFERED.")
@click.option("--offer-retention", default=3600.0, type=click.FloatRange(0), show_default=True, help="ExecutionBroker: seconds an offer set is kept after its offers lapsed.")
@click.option("--max-offersets", default=1000, type=click.IntRange(1), show_default=True, help="ExecutionBroker: the most open offer sets (503 beyond).")
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
    workers: int,
    offers: int,
    offer_ttl: float,
    offer_retention: float,
    max_offersets: int,
    log_level: str,
) -> None:
    """Serve the registry over HTTP: the REST API, the known-location lists, a SPARQL
    endpoint, and pages for the registry and the ontology.

    Writes need the bearer token the operator configures; the token is never printed.
    """
    @handle_errors
    def run() -> None:
        import uvicorn

        from registry.web import Settings, create_app

        broker = {"broker_offers": offers, "offer_ttl": offer_ttl, "offer_retention": offer_retention, "max_open_offersets": max_offersets}
        settings = Settings.from_env(
            token_file=token_file, max_body_bytes=max_body, query_timeout=query_timeout, query_workers=query_workers, **broker
        )
        registry = connect(store_spec)
        if workers > 1 and registry.store.backend != "remote":
            registry.store.close()
            raise click.UsageError(
                f"--workers {workers} needs a remote store (--store http(s)://...): "
                "the embedded store belongs to one process"
            )
        try:
            if examples:
                batch = registry.ingest_paths(find_files([data_dir("examples")]))
                click.echo(f"examples: {batch.summary()}", err=True)
            mode = "read-only (no token configured)" if settings.read_only else "writes allowed with the bearer token"
            click.echo(f"serving {registry.store.backend} store on http://{host}:{port}/ - {mode}", err=True)
            if workers > 1:
                registry.prepare()  # once, before the workers start
                _worker_environment(store_spec, token_file, max_body, query_timeout, query_workers, broker)
                uvicorn.run(
                    "registry.web.app:create_app_from_env",
                    factory=True, host=host, port=port, log_level=log_level, workers=workers,
                )
            else:
                app = create_app(settings, store=registry.store)
                uvicorn.run(app, host=host, port=port, log_level=log_level, workers=1)
        finally:
            registry.store.close()

    run()


def _worker_environment(
    store_spec: str | None,
    token_file: Path | None,
    max_body: int,
    query_timeout: float,
    query_workers: int,
    broker: dict[str, float] | None = None,
) -> None:
    """Hand the command's settings to uvicorn's worker processes through the environment."""
    from registry.store import CREDENTIALS_FILE_ENV, STORE_ENV, UPDATE_URL_ENV
    from registry.web.app import TOKEN_FILE_ENV, WORKER_SETTINGS_ENV

    meta = click.get_current_context().meta
    values: dict[str, object] = {
        STORE_ENV: store_spec,
        UPDATE_URL_ENV: meta.get("esap-registry.update_url"),
        CREDENTIALS_FILE_ENV: meta.get("esap-registry.credentials_file"),
        TOKEN_FILE_ENV: token_file,
        WORKER_SETTINGS_ENV["max_body_bytes"][0]: max_body,
        WORKER_SETTINGS_ENV["query_timeout"][0]: query_timeout,
        WORKER_SETTINGS_ENV["query_workers"][0]: query_workers,
        **{WORKER_SETTINGS_ENV[name][0]: value for name, value in (broker or {}).items()},
    }
    for name, value in values.items():
        if value is not None:
            os.environ[name] = str(Path(value).resolve()) if isinstance(value, Path) else str(value)
