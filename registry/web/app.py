"""The app factory: :func:`create_app` builds the FastAPI app on a store."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from registry import __version__
from registry.broker import Broker
from registry.service import Registry
from registry.store import CREDENTIALS_FILE_ENV, Store, open_store
from registry.web import api, broker, ontology
from registry.web.dependencies import Services, get_pages
from registry.web.endpoint import SparqlRouter
from registry.web.errors import register_handlers
from registry.web.http import BEARER_SCHEME, negotiate
from registry.web.pages import STATIC_DIR, Pages
from registry.web.settings import Settings

__all__ = ["create_app"]

_PAGES = Depends(get_pages)

_DESCRIPTION = """A linked-data registry of scientific executables (Jupyter notebooks, containers,
batch jobs from ESCAPE's OSSR) and the platforms that can run them.

`GET /executables` and `GET /platforms` are the known locations ESAP reads. Writes need the
operator's bearer token. `/sparql` is a SPARQL 1.1 Protocol endpoint over the union of every
graph; `/ontology` browses the vocabulary. The `broker` operations answer IVOA ExecutionBroker
requests (`POST /requests`) with offers from the platforms of the registry."""


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the web app.

    :param settings: the operator's settings (read-only, default limits when not given).
    :param store: the store to serve; when not given the default store is opened, and
        closed when the app shuts down (a store passed in is left open for its owner).
    :raises StoreError: when the store cannot be opened or prepared.
    """
    settings = settings or Settings()
    owned = store is None
    store = store if store is not None else open_store(None)
    registry = Registry(store)
    registry.prepare()
    pages = Pages(registry)
    write_lock = threading.Lock()
    sparql = SparqlRouter(
        store,
        token=settings.token,
        max_body_bytes=settings.max_body_bytes,
        query_timeout=settings.query_timeout,
        query_workers=settings.query_workers,
        write_lock=write_lock,
        query_page=pages.query_page,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sparql.start()  # new workers when started again (a test client per request)
        yield
        sparql.stop()
        if owned:
            store.close()

    app = FastAPI(
        title="ESAP registry",
        version=__version__,
        description=_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    execution_broker = Broker(
        registry,
        offers=settings.broker_offers,
        ttl=settings.offer_ttl,
        retention=settings.offer_retention,
        max_open=settings.max_open_offersets,
        lock=write_lock,
    )
    Services(
        settings=settings,
        registry=registry,
        pages=pages,
        broker=execution_broker,
        write_lock=write_lock,
        plan_slots=threading.BoundedSemaphore(settings.plan_workers),
    ).attach(app)
    register_handlers(app, pages.error_page)
    if settings.cors:
        # Reads only: no Authorization header and no PUT or DELETE from other origins.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=["Location", "Content-Type"],
        )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # The SPARQL endpoint first: its routes are fixed paths, and its requests (the most
    # frequent, and the cheapest to answer) are then matched without trying every other route.
    app.include_router(sparql)
    app.include_router(api.router)
    app.include_router(ontology.router)
    app.include_router(broker.router)

    @app.get("/", tags=["service"], summary="The home page (HTML) or an index of the service (JSON)", response_class=Response)
    def home(request: Request, pages: Pages = _PAGES) -> Response:
        chosen = negotiate(request, ["application/json", "text/html"])
        if chosen == "text/html":
            return HTMLResponse(pages.home(request), headers={"Vary": "Accept"})
        index: dict[str, Any] = {
            "executables": "/executables",
            "platforms": "/platforms",
            "datasets": "/datasets",
            "sparql": "/sparql",
            "ontology": "/ontology",
            "vocabulary": "/vocab",
            "shapes": "/shapes",
            "context": "/context.jsonld",
            "health": "/health",
            "docs": "/docs",
            "openapi": "/openapi.json",
            "broker": "/requests",
        }
        return JSONResponse(index, headers={"Vary": "Accept"})

    describe = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's description, with the bearer token that writes need."""
        if app.openapi_schema is None:
            schema = describe()
            schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(BEARER_SCHEME)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ESAP registry API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        )

    return app


#: The environment variables through which ``serve --workers N`` hands its settings to
#: each worker process (the store comes from ``$ESAP_REGISTRY_STORE`` and
#: ``$ESAP_REGISTRY_UPDATE_URL``, the token from ``$ESAP_REGISTRY_TOKEN``).
WORKER_SETTINGS_ENV = {
    "max_body_bytes": ("ESAP_REGISTRY_MAX_BODY", int),
    "query_timeout": ("ESAP_REGISTRY_QUERY_TIMEOUT", float),
    "query_workers": ("ESAP_REGISTRY_QUERY_WORKERS", int),
    "broker_offers": ("ESAP_REGISTRY_OFFERS", int),
    "offer_ttl": ("ESAP_REGISTRY_OFFER_TTL", float),
    "offer_retention": ("ESAP_REGISTRY_OFFER_RETENTION", float),
    "max_open_offersets": ("ESAP_REGISTRY_MAX_OFFERSETS", int),
}
#: The token file of ``serve --token-file``, for worker processes.
TOKEN_FILE_ENV = "ESAP_REGISTRY_TOKEN_FILE"


def create_app_from_env() -> FastAPI:
    """The app of one worker process of ``esap-registry serve --workers N``, configured
    from the environment the command set (uvicorn imports it by name in each worker).

    :raises StoreError: when the store cannot be opened.
    :raises OSError: when the token or credentials file cannot be read.
    """
    overrides: dict[str, Any] = {}
    for name, (variable, kind) in WORKER_SETTINGS_ENV.items():
        if os.environ.get(variable):
            overrides[name] = kind(os.environ[variable])
    token_file = os.environ.get(TOKEN_FILE_ENV)
    settings = Settings.from_env(token_file=Path(token_file) if token_file else None, **overrides)
    credentials = os.environ.get(CREDENTIALS_FILE_ENV)
    return create_app(settings, store=open_store(None, credentials_file=Path(credentials) if credentials else None))
