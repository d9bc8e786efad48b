"""The REST API: the known-location lists, entries with content negotiation,
writes with a bearer token, validation, and plans."""

from __future__ import annotations

import json
import os
import threading
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from rdflib import URIRef

from registry import __version__
from registry.readers import Document, entry_iri, load_document
from registry.errors import InputError, NotFound, ParameterError, ValidationFailed
from registry.planner import Overrides, Planner, parse_limit
from registry.service import IngestResult, Registry
from registry.shopping import shopping_list
from registry.vocabulary import ESAP
from registry.web.dependencies import (
    get_pages,
    get_plan_slots,
    get_planner,
    get_registry,
    get_settings,
    get_write_lock,
    require_token,
)
from registry.web.http import WRITE_SECURITY, body_format, negotiate, read_body
from registry.web.pages import Pages, type_filter
from registry.web.settings import Settings

__all__ = ["COLLECTIONS", "ENTRY_TYPES", "router"]

#: The collections: URL segment -> (class of its entries, singular name).
COLLECTIONS: dict[str, tuple[URIRef, str]] = {
    "executables": (ESAP.Executable, "executable"),
    "platforms": (ESAP.Platform, "platform"),
    "datasets": (ESAP.Dataset, "dataset"),
}
#: Each entry class -> its collection.
_COLLECTION_OF = {kind: collection for collection, (kind, _) in COLLECTIONS.items()}

#: What an entry (or a list of entries) can be given as, in the server's order of preference.
ENTRY_TYPES = [
    "application/json",
    "application/ld+json",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "text/html",
]
_RDF_NAMES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}
#: ``?format=`` names (for links, which cannot set Accept) -> media type.
FORMAT_NAMES = {
    "json": "application/json",
    "jsonld": "application/ld+json",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "html": "text/html",
}
_FORMAT = Query(None, description="overrides Accept: json, jsonld, turtle, nt, rdfxml or html")
_REGISTRY = Depends(get_registry)
_PAGES = Depends(get_pages)
_SETTINGS = Depends(get_settings)
_WRITE_LOCK = Depends(get_write_lock)
_PLANNER = Depends(get_planner)
_PLAN_SLOTS = Depends(get_plan_slots)
_TOKEN = [Depends(require_token)]
_RUNNABLE_LIMIT = Query(None, description="list the first N executables by title (default 20), or all of them: all (count is of every one)")

router = APIRouter()


def _json(body: Any, status: int = 200, media_type: str = "application/json", headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8"),
        status_code=status,
        media_type=media_type,
        headers=headers,
    )


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    return response


# -- health ---------------------------------------------------------------------


@router.get("/health", tags=["service"], summary="Is the service up, and what does it hold")
def health(registry: Registry = _REGISTRY, settings: Settings = _SETTINGS) -> dict[str, Any]:
    """``{"status": "ok"}`` with the number of entries and whether writes are possible."""
    entries = registry.entries()
    executables = sum(1 for e in entries if e.kind == "executable")
    datasets = sum(1 for e in entries if e.kind == "dataset")
    return {
        "status": "ok",
        "version": __version__,
        "store": registry.store.backend,
        "executables": executables,
        "platforms": len(entries) - executables - datasets,
        "datasets": datasets,
        "writable": not settings.read_only,
        "vocabulary": registry.vocabulary.version,
        "process": os.getpid(),
    }


# -- reading --------------------------------------------------------------------


def _check_kind(registry: Registry, uuid: str, collection: str) -> URIRef:
    """The entry's IRI, when the entry is of this collection.

    :raises NotFound: when there is no entry of this kind with this uuid.
    :raises InputError: when ``uuid`` is not a UUID.
    """
    kind, name = COLLECTIONS[collection]
    iri, found = registry.resolve(uuid)
    if found != kind:
        raise NotFound(uuid, name)
    return iri


def _entry_type(request: Request, format: str | None) -> str:
    """The media type asked for by ``?format=``, else by Accept.

    :raises ParameterError: for an unknown format name.
    :raises NotAcceptable: when Accept allows none of the entry formats.
    """
    if format:
        if format not in FORMAT_NAMES:
            raise ParameterError("format", f"unknown format: use {', '.join(FORMAT_NAMES)}", format)
        return FORMAT_NAMES[format]
    return negotiate(request, ENTRY_TYPES)


def list_entries(
    request: Request, registry: Registry, pages: Pages, collection: str, q: str, type_: str, format: str | None = None
) -> Response:
    """A collection as the manifest ESAP reads (or JSON-LD, RDF, or an HTML list)."""
    kind, _ = COLLECTIONS[collection]
    type_filter(type_)  # refused when not an IRI, whichever format is asked for
    chosen = _entry_type(request, format)
    if chosen == "text/html":
        return _vary(HTMLResponse(pages.entry_list(request, collection, q, type_)))
    if chosen in _RDF_NAMES:
        text = registry.export_rdf(_RDF_NAMES[chosen], kind=kind)
        return _vary(Response(text.encode("utf-8"), media_type=chosen))
    manifest = registry.export_manifest(kind=kind, jsonld=chosen == "application/ld+json")
    if chosen == "application/json":
        manifest.setdefault(collection, [])
    return _vary(_json(manifest, media_type=chosen))


def get_entry(
    request: Request, registry: Registry, pages: Pages, collection: str, uuid: str, format: str | None = None
) -> Response:
    """One entry, in the format the client prefers."""
    _check_kind(registry, uuid, collection)
    chosen = _entry_type(request, format)
    if chosen == "text/html":
        return _vary(HTMLResponse(pages.entry_page(request, collection, uuid)))
    if chosen in _RDF_NAMES:
        text = registry.export_rdf(_RDF_NAMES[chosen], uuids=[uuid])
        return _vary(Response(text.encode("utf-8"), media_type=chosen))
    if chosen == "application/ld+json":
        return _vary(_json(registry.export_manifest(uuids=[uuid], jsonld=True), media_type=chosen))
    manifest = registry.export_manifest(uuids=[uuid])
    return _vary(_json(manifest[collection][0]))


# -- writing --------------------------------------------------------------------


def _load(body: bytes, fmt: str | None, registry: Registry) -> Document:
    return load_document(body, source="<request>", format=fmt, vocabulary=registry.vocabulary)


def _check_document(document: Document, collection: str) -> None:
    """Every entry of the document is of this collection's kind.

    :raises InputError: when it holds none, or holds entries of the other kind.
    """
    kind, name = COLLECTIONS[collection]
    wrong = [e for e, k in document.kinds.items() if k != kind]
    if wrong:
        other = _COLLECTION_OF.get(document.kinds[wrong[0]], next(c for c in COLLECTIONS if c != collection))
        raise InputError(
            f"the document holds {len(wrong)} entr{'y' if len(wrong) == 1 else 'ies'} that "
            f"{'is' if len(wrong) == 1 else 'are'} not {name}s: send them to /{other}",
            source="<request>",
        )
    if not document.kinds and not document.problems:
        raise InputError(f"the document holds no {name}", source="<request>")


def _stored(result: IngestResult, collection: str) -> dict[str, Any]:
    entries = {"executables": result.executables, "platforms": result.platforms, "datasets": result.datasets}[collection]
    replaced = set(result.replaced)
    return {
        "stored": [
            {
                "uuid": str(iri).removeprefix("urn:uuid:"),
                "iri": str(iri),
                "url": f"/{collection}/{str(iri).removeprefix('urn:uuid:')}",
                "replaced": iri in replaced,
            }
            for iri in entries
        ],
        "report": result.report.to_dict(),
    }


def _ingest(
    registry: Registry, lock: threading.Lock, body: bytes, fmt: str | None, collection: str, uuid: str | None
) -> IngestResult:
    """Read, check and store a document in one step (run in a worker thread).

    :raises InputError: when it is malformed, of the wrong kind, or (for PUT) not the entry named.
    :raises ValidationFailed: when it does not conform; nothing is stored.
    """
    document = _load(body, fmt, registry)
    _check_document(document, collection)
    if uuid is not None:
        iri = entry_iri(uuid)
        names = list(document.kinds)
        if names != [iri]:
            found = ", ".join(str(n) for n in names) or "none"
            raise InputError(
                f"the body must hold exactly the entry {iri} named by the URL; it holds {found}",
                source="<request>",
            )
    with lock:
        return registry.ingest(document)


def _validate(registry: Registry, lock: threading.Lock, body: bytes, fmt: str | None) -> dict[str, Any]:
    document = _load(body, fmt, registry)
    with lock:
        return registry.validate(document).to_dict()


async def post_entries(
    request: Request, registry: Registry, settings: Settings, lock: threading.Lock, collection: str
) -> Response:
    """Store every entry of a document (JSON, JSON-LD or Turtle), all or none (the token checked first)."""
    fmt = body_format(request)
    body = await read_body(request, settings.max_body_bytes)
    result = await run_in_threadpool(_ingest, registry, lock, body, fmt, collection, None)
    answer = _stored(result, collection)
    headers = {"Location": answer["stored"][0]["url"]} if len(answer["stored"]) == 1 else None
    return _json(answer, status=201, headers=headers)


async def put_entry(
    request: Request, registry: Registry, settings: Settings, lock: threading.Lock, collection: str, uuid: str
) -> Response:
    """Store one entry under its uuid, replacing what was there (the token checked first)."""
    entry_iri(uuid)
    fmt = body_format(request)
    body = await read_body(request, settings.max_body_bytes)
    result = await run_in_threadpool(_ingest, registry, lock, body, fmt, collection, uuid)
    answer = _stored(result, collection)
    created = not answer["stored"][0]["replaced"]
    return _json(answer, status=201 if created else 200, headers={"Location": answer["stored"][0]["url"]} if created else None)


def delete_entry(registry: Registry, lock: threading.Lock, collection: str, uuid: str) -> Response:
    """Remove an entry and everything it says (the token checked first)."""
    with lock:
        _check_kind(registry, uuid, collection)
        registry.delete(uuid)
    return Response(status_code=204)


def _register_collection(collection: str) -> None:
    _, name = COLLECTIONS[collection]
    tags: list[str | Enum] = [collection]

    @router.get(
        f"/{collection}",
        tags=tags,
        summary=f"Every {name} (the known location ESAP reads)",
        response_class=Response,
        responses={200: {"content": {t: {} for t in ENTRY_TYPES}}, 406: {"description": "no acceptable format"}},
        name=f"list_{collection}",
    )
    def _list(
        request: Request,
        q: str = Query("", description="HTML list only: text to search for in titles, descriptions and uuids"),
        type: str = Query("", description="HTML list only: a type URN; narrower types match too"),
        format: str | None = _FORMAT,
        registry: Registry = _REGISTRY,
        pages: Pages = _PAGES,
    ) -> Response:
        return list_entries(request, registry, pages, collection, q.strip(), type.strip(), format)

    @router.get(
        f"/{collection}/{{uuid}}",
        tags=tags,
        summary=f"One {name}: seed JSON, JSON-LD, Turtle, N-Triples, RDF/XML or HTML by Accept",
        response_class=Response,
        responses={200: {"content": {t: {} for t in ENTRY_TYPES}}, 404: {"description": f"no such {name}"}},
        name=f"get_{name}",
    )
    def _get(
        request: Request, uuid: str, format: str | None = _FORMAT, registry: Registry = _REGISTRY, pages: Pages = _PAGES
    ) -> Response:
        return get_entry(request, registry, pages, collection, uuid, format)

    @router.post(
        f"/{collection}",
        tags=tags,
        status_code=201,
        summary=f"Store {name}s (needs the token); a document with any violation stores nothing (422)",
        name=f"post_{collection}",
        openapi_extra={
            "requestBody": {"content": {t: {} for t in ("application/json", "application/ld+json", "text/turtle")}},
            "security": WRITE_SECURITY,
        },
        dependencies=_TOKEN,
    )
    async def _post(
        request: Request, registry: Registry = _REGISTRY, settings: Settings = _SETTINGS, lock: threading.Lock = _WRITE_LOCK
    ) -> Response:
        return await post_entries(request, registry, settings, lock, collection)

    @router.put(
        f"/{collection}/{{uuid}}",
        tags=tags,
        summary=f"Store or replace one {name} (needs the token); the body's uuid must be the URL's",
        name=f"put_{name}",
        openapi_extra={
            "requestBody": {"content": {t: {} for t in ("application/json", "application/ld+json", "text/turtle")}},
            "security": WRITE_SECURITY,
        },
        dependencies=_TOKEN,
    )
    async def _put(
        request: Request,
        uuid: str,
        registry: Registry = _REGISTRY,
        settings: Settings = _SETTINGS,
        lock: threading.Lock = _WRITE_LOCK,
    ) -> Response:
        return await put_entry(request, registry, settings, lock, collection, uuid)

    @router.delete(
        f"/{collection}/{{uuid}}",
        tags=tags,
        status_code=204,
        summary=f"Delete one {name} (needs the token)",
        name=f"delete_{name}",
        openapi_extra={"security": WRITE_SECURITY},
        dependencies=_TOKEN,
    )
    def _delete(uuid: str, registry: Registry = _REGISTRY, lock: threading.Lock = _WRITE_LOCK) -> Response:
        return delete_entry(registry, lock, collection, uuid)


for _collection in COLLECTIONS:
    _register_collection(_collection)


@router.get("/entries/{uuid}", tags=["service"], summary="Redirect to an entry, whichever its kind")
def entry_redirect(uuid: str, registry: Registry = _REGISTRY) -> RedirectResponse:
    """303 to ``/executables/{uuid}``, ``/platforms/{uuid}`` or ``/datasets/{uuid}``."""
    _, kind = registry.resolve(uuid)
    collection = _COLLECTION_OF[kind]
    return RedirectResponse(f"/{collection}/{uuid.strip().lower().removeprefix('urn:uuid:')}", status_code=303)


@router.post(
    "/validate",
    tags=["service"],
    summary="Validate a document without storing it (no token needed)",
    openapi_extra={"requestBody": {"content": {t: {} for t in ("application/json", "application/ld+json", "text/turtle")}}},
)
async def validate(
    request: Request, registry: Registry = _REGISTRY, settings: Settings = _SETTINGS, lock: threading.Lock = _WRITE_LOCK
) -> JSONResponse:
    """The whole SHACL report (``conforms``, and each issue's JSON path, value and message)."""
    fmt = body_format(request)
    body = await read_body(request, settings.max_body_bytes)
    report = await run_in_threadpool(_validate, registry, lock, body, fmt)
    return JSONResponse(report)


# -- plans ------------------------------------------------------------------------


def plan_overrides(
    cores: str | None = None,
    memory: str | None = None,
    nodes: str | None = None,
    hours: str | None = None,
    storage: str | None = None,
    data_size: str | None = None,
    max_nodes: str | None = None,
) -> Overrides:
    """The what-if values of a request (blank ones ignored); checked by the planner."""

    def given(value: str | None) -> str | None:
        return value.strip() if value is not None and value.strip() else None

    return Overrides(
        cores=given(cores),
        memory=given(memory),
        nodes=given(nodes),
        max_nodes=given(max_nodes),
        hours=given(hours),
        storage=given(storage),
        data_size=given(data_size),
    )


def make_plan(
    planner: Planner,
    slots: threading.BoundedSemaphore,
    target: str | Document,
    at: str,
    overrides: Overrides,
    limit: str | int | None = None,
    uuid: str | None = None,
) -> dict[str, Any]:
    """The plan's JSON (as ``esap-registry plan --format json``).

    :param slots: the plans that may run at once (``Settings.plan_workers``).
    :param limit: how many matches and rejections to list: a number, ``all``, or None
        for :data:`registry.planner.DEFAULT_LIMIT`.
    :param uuid: which executable of a document holding several.
    :raises NotFound: for an unknown uuid.
    :raises ParameterError: for a bad ``at``, override or limit (422).
    :raises InputError: for a target that is no executable, or a document holding
        several executables and no ``uuid`` naming one of them.
    """
    if at not in ("min", "max"):
        raise ParameterError("at", "must be min or max", at)
    count = parse_limit(limit)
    with slots:  # at most Settings.plan_workers plans at once; the others wait
        return planner.plan(target, at=at, overrides=overrides, limit=count, uuid=uuid).to_dict()  # type: ignore[arg-type]


@router.get(
    "/platforms/{uuid}/runnable",
    tags=["plan"],
    summary="The reverse plan: every executable a registered platform can run",
)
def platform_runnable(
    uuid: str, registry: Registry = _REGISTRY, planner: Planner = _PLANNER,
    slots: threading.BoundedSemaphore = _PLAN_SLOTS, limit: str | None = _RUNNABLE_LIMIT,
) -> Response:
    """The JSON of ``esap-registry runnable UUID --format json``: the first ``limit``
    executables (by title) the platform can run by the planner's rule at the minima, and
    their ``count``; 404 for an unknown platform.

    :raises NotFound: when no platform has this uuid (404).
    :raises InputError: when it is not a UUID (400).
    :raises ParameterError: for a bad limit (422).
    """
    _check_kind(registry, uuid, "platforms")
    count = parse_limit(limit)
    with slots:  # the reverse plan shares the plans' bounded pool
        return _json(planner.runnable(uuid, limit=count).to_dict(uuid))


_AT = Query("min", description="plan at the minima (min) or the maxima (max) of the executable's ranges")
_CORES = Query(None, description="total cores needed, instead of the executable's")
_MEMORY = Query(None, description="total memory needed (GiB, or with a unit: 100GiB)")
_NODES = Query(None, description="nodes needed: pins the node range to exactly N (with max-nodes, its lower end)")
_MAX_NODES = Query(None, alias="max-nodes", description="the most nodes the executable may spread over (the upper end of its node range)")
_HOURS = Query(None, description="wall-clock time needed (hours, or 30min, 2d, 12:30:00)")
_STORAGE = Query(None, description="working storage needed (GiB, or with a unit)")
_DATA_SIZE = Query(None, alias="data-size", description="size of each data resource (GiB, or with a unit)")
_LIMIT = Query(None, description="list the best N matches and the N nearest rejections (default 20), or all of them: all (the summary counts every platform)")


@router.get(
    "/plan/{uuid}",
    tags=["plan"],
    summary="Where a registered executable can run: ranked matches, explained rejections",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
def plan_registered(
    request: Request,
    uuid: str,
    at: str = _AT,
    cores: str | None = _CORES,
    memory: str | None = _MEMORY,
    nodes: str | None = _NODES,
    max_nodes: str | None = _MAX_NODES,
    hours: str | None = _HOURS,
    storage: str | None = _STORAGE,
    data_size: str | None = _DATA_SIZE,
    limit: str | None = _LIMIT,
    registry: Registry = _REGISTRY,
    pages: Pages = _PAGES,
    planner: Planner = _PLANNER,
    slots: threading.BoundedSemaphore = _PLAN_SLOTS,
) -> Response:
    """The same JSON as ``esap-registry plan UUID --format json`` with the same overrides.
    A page (``Accept: text/html``) with a bad override shows the form again, the error
    beside its field (422)."""
    overrides = plan_overrides(cores, memory, nodes, hours, storage, data_size, max_nodes)
    chosen = negotiate(request, ["application/json", "text/html"])
    if chosen == "text/html":
        try:
            plan = make_plan(planner, slots, uuid, at, overrides, limit)
        except ParameterError as exc:
            _check_kind(registry, uuid, "executables")
            return _vary(HTMLResponse(pages.plan_page(request, uuid, None, exc), status_code=422))
        return _vary(HTMLResponse(pages.plan_page(request, uuid, plan)))
    return _vary(_json(make_plan(planner, slots, uuid, at, overrides, limit)))


@router.post(
    "/plan",
    tags=["plan"],
    summary="Plan an unregistered executable given as a manifest (no token needed)",
    openapi_extra={"requestBody": {"content": {t: {} for t in ("application/json", "application/ld+json", "text/turtle")}}},
)
async def plan_document(
    request: Request,
    at: str = _AT,
    cores: str | None = _CORES,
    memory: str | None = _MEMORY,
    nodes: str | None = _NODES,
    max_nodes: str | None = _MAX_NODES,
    hours: str | None = _HOURS,
    storage: str | None = _STORAGE,
    data_size: str | None = _DATA_SIZE,
    limit: str | None = _LIMIT,
    uuid: str | None = Query(None, description="which executable of a manifest that holds several"),
    registry: Registry = _REGISTRY,
    settings: Settings = _SETTINGS,
    lock: threading.Lock = _WRITE_LOCK,
    planner: Planner = _PLANNER,
    slots: threading.BoundedSemaphore = _PLAN_SLOTS,
) -> Response:
    """The document must conform to the shapes (else 422) and hold one executable, or
    several and ``uuid`` naming the one to plan (else 400, listing their uuids)."""
    fmt = body_format(request)
    body = await read_body(request, settings.max_body_bytes)
    overrides = plan_overrides(cores, memory, nodes, hours, storage, data_size, max_nodes)

    def work() -> dict[str, Any]:
        document = _load(body, fmt, registry)
        with lock:
            report = registry.validate(document)
        if not report.conforms:
            raise ValidationFailed(report)
        return make_plan(planner, slots, document, at, overrides, limit, uuid)

    return _json(await run_in_threadpool(work))


# -- the data shopping list ---------------------------------------------------------------


@router.get(
    "/executables/{uuid}/shopping-list",
    tags=["plan"],
    summary="The data shopping list of a registered executable: data sets, their access, copies",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/html": {}}}, 404: {"description": "no such executable"}},
)
def executable_shopping_list(
    request: Request, uuid: str, registry: Registry = _REGISTRY, pages: Pages = _PAGES
) -> Response:
    """The JSON of ``esap-registry shopping-list UUID --format json`` (HTML in a browser): for
    each data resource of the executable, the registered data sets that satisfy it (content
    and format equal to or narrower than asked), how each is reached, the platforms holding a
    copy, and, when none, the nearest broader terms that have data sets. Nothing is fetched.

    :raises NotFound: when no executable has this uuid (404).
    :raises InputError: when it is not a UUID (400).
    """
    _check_kind(registry, uuid, "executables")
    chosen = negotiate(request, ["application/json", "text/html"])
    listing = shopping_list(registry, uuid)
    if chosen == "text/html":
        return _vary(HTMLResponse(pages.shopping_page(request, listing)))
    return _vary(_json(listing))
