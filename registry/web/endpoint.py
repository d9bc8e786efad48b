"""The SPARQL 1.1 Protocol at ``/sparql`` (queries, and updates with the token)
and ``/update`` (updates only), with a Service Description and a query page:
:class:`SparqlRouter`, a router configured through its constructor (its store, its
limits, the token updates need), which an app includes.

Queries run in a pool of worker threads, each with a deadline that the store
checks while it reads results; a query still running when the time is up is
answered with 503 while other requests carry on.
"""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from registry.errors import InputError, QueryError, QueryTimeout
from registry.sparql import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    error_position,
    run_query,
    run_update,
    scan,
    select_results,
    serialize_boolean,
    serialize_graph,
    serialize_solutions,
)
from registry.store import Solutions, Store
from registry.store.base import Deadline
from registry.store.terms import to_oxigraph
from registry.vocabulary import SHAPES_GRAPH, VOCABULARY_GRAPH
from registry.web.errors import UnsupportedMediaType
from registry.web.http import OPTIONAL_WRITE_SECURITY, WRITE_SECURITY, check_token, media_type, negotiate, read_body
from registry.web.negotiation import choose

__all__ = ["GRAPH_TYPES", "RESULT_TYPES", "QueryPage", "SparqlRouter", "service_description"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: Media types of SELECT and ASK results -> format name (aliases after the standard types).
RESULT_TYPES = {media: name for name, media in RESULT_FORMATS.items()} | {
    "application/json": "json",
    "application/xml": "xml",
}
#: Media types of CONSTRUCT and DESCRIBE results -> format name.
GRAPH_TYPES = {media: name for name, media in GRAPH_FORMATS.items()} | {
    "application/x-turtle": "turtle",
    "text/plain": "nt",
}
_DESCRIPTION_TYPES = ["text/turtle", "text/html", "application/n-triples", "application/ld+json", "application/rdf+xml"]
_ALL_TYPES = [*RESULT_FORMATS.values(), *GRAPH_FORMATS.values()]
_QUERY_BODY = "application/sparql-query"
_UPDATE_BODY = "application/sparql-update"
_FORM_BODY = "application/x-www-form-urlencoded"

#: The protocol's dataset of an update, in the URL of a direct POST (a form carries them in its body).
_USING_PARAMETERS = [
    {"name": "using-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
     "description": "an update: the graphs whose merge each DELETE/INSERT ... WHERE matches as its default graph"},
    {"name": "using-named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
     "description": "an update: the named graphs GRAPH sees in each DELETE/INSERT ... WHERE"},
]


@dataclass
class Operation:
    """One protocol request, read from its URL and body."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    using_graphs: list[str] | None = None
    using_named_graphs: list[str] | None = None


def _single(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    if len(found) > 1:
        raise InputError(f"the request gives {name} {len(found)} times; give it once")
    return found[0] if found else None


def _operation(values: dict[str, list[str]], *, query: str | None = None, update: str | None = None) -> Operation:
    query = query if query is not None else _single(values, "query")
    update = update if update is not None else _single(values, "update")
    if query is not None and update is not None:
        raise InputError("a request gives either a query or an update, not both")
    return Operation(
        query=query,
        update=update,
        default_graphs=values.get("default-graph-uri"),
        named_graphs=values.get("named-graph-uri"),
        using_graphs=values.get("using-graph-uri"),
        using_named_graphs=values.get("using-named-graph-uri"),
    )


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("the form body is not UTF-8") from exc
    return parse_qs(text, keep_blank_values=True)


def _iris(values: list[str] | None, name: str) -> list[URIRef] | None:
    if values is None:
        return None
    iris = [URIRef(v.strip()) for v in values]
    for iri in iris:
        try:
            to_oxigraph(iri)
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from exc
    return iris


async def _read_operation(request: Request, limit: int) -> Operation:
    """The operation a POST carries: a form, or a query or update as the body.

    :param limit: the largest body read, in bytes.
    :raises UnsupportedMediaType: for any other body.
    :raises PayloadTooLarge: for a body beyond the limit.
    """
    kind = media_type(request)
    url_values = {k: request.query_params.getlist(k) for k in request.query_params}
    body = await read_body(request, limit)
    if kind == _FORM_BODY:
        # The protocol puts every parameter in the form; those of the URL are read too.
        values = url_values
        for name, found in _form(body).items():
            values[name] = values.get(name, []) + found
        return _operation(values)
    if kind in (_QUERY_BODY, _UPDATE_BODY):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"the {kind} body is not UTF-8") from exc
        if kind == _QUERY_BODY:
            return _operation(url_values, query=text)
        return _operation(url_values, update=text)
    raise UnsupportedMediaType(
        f"a SPARQL request body is {_FORM_BODY}, {_QUERY_BODY} or {_UPDATE_BODY}, not {kind or 'untyped'}"
    )


# -- running -------------------------------------------------------------------------


def base_iri(request: Request) -> str:
    """The base IRI relative IRIs of users' queries and updates resolve against: the
    URL of the endpoint the request went to, without its query string."""
    return str(request.url.replace(query="", fragment="")).rstrip("?")


def _answer(store: Store, operation: Operation, chosen: str, deadline: Deadline, base: str | None = None) -> tuple[bytes, str]:
    """Run the query and write its result (in a worker thread)."""
    assert operation.query is not None
    default_graph = named_graphs = None
    if operation.default_graphs is not None or operation.named_graphs is not None:
        # A dataset given in the protocol is exactly that: graphs not named are not in it.
        default_graph = _iris(operation.default_graphs or [], "default-graph-uri")
        named_graphs = _iris(operation.named_graphs or [], "named-graph-uri")
    if chosen in RESULT_TYPES:  # the store's own writer, when it has one, for a SELECT
        body = select_results(
            store,
            operation.query,
            RESULT_TYPES[chosen],
            default_graph=default_graph,
            named_graphs=named_graphs,
            deadline=deadline,
            base_iri=base,
        )
        if body is not None:
            return body, chosen
    result = run_query(
        store,
        operation.query,
        default_graph=default_graph,
        named_graphs=named_graphs,
        deadline=deadline,
        base_iri=base,
    )
    if isinstance(result, Graph):
        if chosen not in GRAPH_TYPES:
            chosen = "text/turtle"
        return serialize_graph(result, GRAPH_TYPES[chosen]), chosen
    if chosen not in RESULT_TYPES:
        chosen = RESULT_FORMATS["json"]
    if isinstance(result, Solutions):
        return serialize_solutions(result, RESULT_TYPES[chosen]), chosen
    return serialize_boolean(bool(result), RESULT_TYPES[chosen]), chosen


def _offered(query: str) -> list[str]:
    """The media types the answer to a query may take.

    :raises QueryError: when it is an update.
    """
    found = scan(query)
    if found.is_update:
        raise QueryError("this is a SPARQL Update sent to the query operation: POST it as update= (with the token)")
    return list(GRAPH_TYPES if found.form in ("CONSTRUCT", "DESCRIBE") else RESULT_TYPES)


# -- the router ----------------------------------------------------------------------


class QueryPage(Protocol):
    """Renders the query page: the query given (else an example) in the editor and, when
    it was run, its ``outcome`` (``results``, ``graph`` or ``error``) with the status."""

    def __call__(
        self, request: Request, query: str | None = None, outcome: dict[str, Any] | None = None, status: int = 200
    ) -> str: ...


class SparqlRouter(APIRouter):
    """The SPARQL 1.1 Protocol over one store: ``GET``/``POST /sparql`` (queries, and
    updates with the token) and ``POST /update`` (updates only), each configured here.

    :param store: the store queries and updates run on (its default graph the union of its graphs).
    :param token: the bearer token updates need; ``None``: updates are refused (403) and
        the Service Description lists none.
    :param max_body_bytes: the largest request body (413 beyond).
    :param query_timeout: seconds a query may run (503 beyond).
    :param query_workers: queries run at once, each in a worker thread.
    :param write_lock: held while an update runs, shared with the app's other writers
        (a lock of the router's own when not given).
    :param query_page: renders the query page a browser gets; without it the endpoint
        answers no request with HTML.
    :param kwargs: the :class:`fastapi.APIRouter`'s own (``tags`` is ``["sparql"]`` unless given).
    """

    def __init__(
        self,
        store: Store,
        *,
        token: str | None = None,
        max_body_bytes: int = 10 * 1024 * 1024,
        query_timeout: float = 30.0,
        query_workers: int = 4,
        write_lock: threading.Lock | None = None,
        query_page: QueryPage | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("tags", ["sparql"])
        super().__init__(**kwargs)
        self.store = store
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.query_timeout = query_timeout
        self.query_workers = query_workers
        self.write_lock = write_lock if write_lock is not None else threading.Lock()
        self.query_page = query_page
        self._page_types = ["text/html"] if query_page is not None else []
        self._description_types = [t for t in _DESCRIPTION_TYPES if query_page is not None or t != "text/html"]
        self._executor = self._workers()
        self._stopped = False

        self.add_api_route(
            "/sparql",
            self.sparql_get,
            methods=["GET"],
            summary="SPARQL 1.1 query by GET; without a query: the Service Description (or the query page for browsers)",
            response_class=Response,
            responses={
                200: {"content": {t: {} for t in [*_ALL_TYPES, *self._page_types]}},
                400: {"description": "a malformed query, with the parser's message"},
                406: {"description": "no acceptable result format"},
                503: {"description": "the query ran past the time limit"},
            },
            openapi_extra={
                "parameters": [
                    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "the SPARQL query; without it, the Service Description"},
                    {"name": "default-graph-uri", "in": "query", "required": False,
                     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
                     "description": "the graphs whose merge is the default graph (repeatable)"},
                    {"name": "named-graph-uri", "in": "query", "required": False,
                     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
                     "description": "the named graphs GRAPH sees (repeatable)"},
                ]
            },
        )
        self.add_api_route(
            "/sparql",
            self.sparql_post,
            methods=["POST"],
            summary="SPARQL 1.1 query (urlencoded query= or application/sparql-query) or update (with the token)",
            response_class=Response,
            openapi_extra={
                "requestBody": {"content": {t: {} for t in (_FORM_BODY, _QUERY_BODY, _UPDATE_BODY)}},
                "security": OPTIONAL_WRITE_SECURITY,
                "parameters": _USING_PARAMETERS,
            },
        )
        self.add_api_route(
            "/update",
            self.update_post,
            methods=["POST"],
            summary="SPARQL 1.1 Update (urlencoded update= or application/sparql-update; needs the token)",
            status_code=204,
            response_class=Response,
            openapi_extra={
                "requestBody": {"content": {t: {} for t in (_FORM_BODY, _UPDATE_BODY)}},
                "security": WRITE_SECURITY,
                "parameters": _USING_PARAMETERS,
            },
        )

    # -- the query workers -------------------------------------------------------------

    def _workers(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.query_workers, thread_name_prefix="sparql")

    def start(self) -> None:
        """New query workers after :meth:`stop` (an app started again: a test client per request)."""
        if self._stopped:
            self._executor, self._stopped = self._workers(), False

    def stop(self) -> None:
        """Stop the query workers (the app shuts down); a query still running finishes in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._stopped = True

    # -- running -------------------------------------------------------------------------

    async def _query(self, request: Request, operation: Operation) -> Response:
        assert operation.query is not None
        chosen = negotiate(request, _offered(operation.query))
        body, media = await self._run(request, operation, chosen)
        charset = "; charset=utf-8" if media.startswith("text/") or media.endswith(("json", "xml")) else ""
        return Response(body, media_type=media + charset, headers={"Vary": "Accept"})

    async def _run(self, request: Request, operation: Operation, chosen: str) -> tuple[bytes, str]:
        """The query's answer in the format chosen, run in a worker within the time limit.

        :raises QueryError: when the query is malformed.
        :raises QueryTimeout: when the time is up first.
        """
        seconds = self.query_timeout
        deadline = Deadline(seconds)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, _answer, self.store, operation, chosen, deadline, base_iri(request))
        try:
            body, media = await asyncio.wait_for(future, timeout=seconds + 0.05)
        except TimeoutError as exc:
            # The worker is still inside the store: it stops at its next result, or
            # finishes in the background; either way this request is answered now.
            raise QueryTimeout(seconds) from exc
        return body, media

    def _wants_page(self, request: Request, query: str) -> bool:
        """Whether the client (a browser following a shared ``/sparql?query=`` link) prefers
        HTML to every result format of the query; ``*/*`` alone gets results (and every
        client, when the router has no query page)."""
        if self.query_page is None:
            return False
        try:
            offered = _offered(query)
        except QueryError:
            offered = list(RESULT_TYPES)
        return choose(request.headers.get("accept"), [*offered, "text/html"]) == "text/html"

    async def _query_page(self, request: Request, operation: Operation) -> Response:
        """The query page with the query filled in and its answer shown: a table of
        solutions, the boolean, the graph as Turtle, or the error (with its line and column)."""
        assert operation.query is not None and self.query_page is not None
        status, outcome = 200, {}
        try:
            offered = _offered(operation.query)
            chosen = RESULT_FORMATS["json"] if RESULT_FORMATS["json"] in offered else GRAPH_FORMATS["turtle"]
            body, media = await self._run(request, operation, chosen)
            if media == RESULT_FORMATS["json"]:
                outcome = {"results": json.loads(body)}
            else:
                outcome = {"graph": body.decode("utf-8")}
        except (InputError, QueryError) as exc:
            status, outcome = 400, {"error": str(exc), "position": error_position(str(exc))}
        except QueryTimeout as exc:
            status, outcome = 503, {"error": str(exc), "position": None}
        page = self.query_page(request, query=operation.query, outcome=outcome, status=status)
        return HTMLResponse(page, status_code=status, headers={"Vary": "Accept"})

    async def _update(self, request: Request, operation: Operation) -> Response:
        assert operation.update is not None
        found = scan(operation.update)
        if found.form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            raise QueryError(f"this is a {found.form} query sent to the update operation: send it as query=")
        using = _iris(operation.using_graphs, "using-graph-uri")
        using_named = _iris(operation.using_named_graphs, "using-named-graph-uri")
        base = base_iri(request)

        def work() -> None:
            with self.write_lock:
                run_update(
                    self.store, operation.update or "", using_graphs=using, using_named_graphs=using_named, base_iri=base
                )

        await run_in_threadpool(work)
        return Response(status_code=204)

    # -- the routes ----------------------------------------------------------------------

    async def sparql_get(self, request: Request) -> Response:
        """``?query=...`` with optional ``default-graph-uri`` and ``named-graph-uri`` (repeatable)."""
        values = {k: request.query_params.getlist(k) for k in request.query_params}
        operation = _operation(values)
        if operation.update is not None:
            raise InputError("a SPARQL Update is sent by POST (update= or application/sparql-update), never by GET")
        if operation.query is None:
            return await run_in_threadpool(self._description_or_page, request)
        if self._wants_page(request, operation.query):
            return await self._query_page(request, operation)
        return await self._query(request, operation)

    async def sparql_post(self, request: Request) -> Response:
        """Queries need no token; updates (``update=`` or ``application/sparql-update``) do."""
        kind = media_type(request)
        if kind == _UPDATE_BODY:
            check_token(request, self.token)
        operation = await _read_operation(request, self.max_body_bytes)
        if operation.update is not None:
            check_token(request, self.token)
            return await self._update(request, operation)
        if operation.query is None:
            raise InputError("the request gives neither query= nor update=")
        return await self._query(request, operation)

    async def update_post(self, request: Request) -> Response:
        """Only updates: a query sent here is refused."""
        check_token(request, self.token)
        if media_type(request) == _QUERY_BODY:
            raise QueryError("a query sent to the update operation is refused: POST it to /sparql")
        operation = await _read_operation(request, self.max_body_bytes)
        if operation.query is not None:
            raise QueryError("a query sent to the update operation is refused: POST it to /sparql as query=")
        if operation.update is None:
            raise InputError("the request gives no update=")
        return await self._update(request, operation)

    def _description_or_page(self, request: Request) -> Response:
        chosen = negotiate(request, self._description_types)
        if chosen == "text/html" and self.query_page is not None:
            return HTMLResponse(self.query_page(request), headers={"Vary": "Accept"})
        endpoint = str(request.url.replace(query="", fragment="")).rstrip("?")
        graph = service_description(endpoint, writable=self.token is not None)
        return Response(serialize_graph(graph, GRAPH_TYPES[chosen]), media_type=chosen, headers={"Vary": "Accept"})


# -- the Service Description -------------------------------------------------------------


def service_description(endpoint: str, *, writable: bool) -> Graph:
    """The endpoint described with the SPARQL 1.1 Service Description vocabulary."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if writable:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
               Literal("The union of every graph: each entry's named graph (urn:uuid:<uuid>), the vocabulary and the shapes.", lang="en")))
    for name, comment in ((VOCABULARY_GRAPH, "The vocabulary and its OWL-RL closure."), (SHAPES_GRAPH, "The SHACL shapes.")):
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
        graph.add((named, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), Literal(comment, lang="en")))
    return graph
