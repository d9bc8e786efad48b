"""What the remote store makes of answers as engines write them (Virtuoso's among them),
from a real HTTP server on 127.0.0.1 that answers fixed bytes: blank-node labels of any
form, booleans written 1/0, values not of their datatype, RDF asked for as RDF, and
malformed answers read in another thread."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_plus

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from registry.errors import StoreError, StoreValueError
from registry.resources import load_query
from registry.store.remote import RemoteStore

XSD = "http://www.w3.org/2001/XMLSchema#"
# As Virtuoso 7 writes SPARQL results: "typed-literal", blank nodes as nodeID://, booleans as 1/0.
VIRTUOSO_RESULTS = (
    '{ "head": { "link": [], "vars": ["s", "o", "flag"] },\n'
    '  "results": { "distinct": false, "ordered": true, "bindings": [\n'
    '    { "s": { "type": "bnode", "value": "nodeID://b10001" }, "o": { "type": "bnode", "value": "nodeID://b10002" },'
    f'      "flag": {{ "type": "typed-literal", "datatype": "{XSD}boolean", "value": "1" }}}},\n'
    '    { "s": { "type": "bnode", "value": "nodeID://b10001" }, "o": { "type": "uri", "value": "urn:x" },'
    f'      "flag": {{ "type": "typed-literal", "datatype": "{XSD}boolean", "value": "0" }}}} ] }} }}'
)
PROBE_ANSWER = (
    '{ "head": { "vars": ["probe"] }, "results": { "bindings": [ '
    f'{{ "probe": {{ "type": "literal", "datatype": "{XSD}decimal", "value": "0.123456789012345678" }} }} ] }} }}'
)


class _Fixed(BaseHTTPRequestHandler):
    """Answers every POST with ``body`` as ``content_type``, from a server calling itself Virtuoso."""

    body = b""
    content_type = "application/sparql-results+json"
    accepts: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        request = unquote_plus(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        body, content_type = self.body, self.content_type
        if "AS ?probe" in request:  # the store learning the engine's decimals: it keeps them whole
            body, content_type = PROBE_ANSWER.encode(), "application/sparql-results+json"
        else:
            type(self).accepts.append(self.headers.get("Accept") or "")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def version_string(self) -> str:
        return "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def answering() -> Iterator[Any]:
    """Start a server answering the given bytes; returns a store on it."""
    servers: list[ThreadingHTTPServer] = []

    def start(body: str, content_type: str = "application/sparql-results+json") -> tuple[RemoteStore, type[_Fixed]]:
        handler = type("Fixed", (_Fixed,), {"body": body.encode(), "content_type": content_type, "accepts": []})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return RemoteStore(f"http://127.0.0.1:{server.server_address[1]}/sparql", retries=0), handler

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_blank_node_labels_of_any_form_and_booleans_written_1_or_0(answering: Any) -> None:
    store, _ = answering(VIRTUOSO_RESULTS)
    rows = store.query("SELECT ?s ?o ?flag WHERE { ?s ?p ?o }").rows
    (s1, o1, flag1), (s2, o2, flag2) = rows
    assert isinstance(s1, BNode) and isinstance(o1, BNode) and s1 == s2 and s1 != o1
    assert o2 == URIRef("urn:x")
    assert flag1 == Literal(True) and str(flag1) == "true" and flag2 == Literal(False) and str(flag2) == "false"
    assert [row["flag"] for row in store.select("SELECT ?s ?o ?flag WHERE { ?s ?p ?o }")] == [True, False]


def test_a_value_not_of_its_datatype_is_an_error_naming_the_engine_and_the_query(answering: Any) -> None:
    body = (
        '{ "head": { "vars": ["entry", "kind", "uuid", "title", "type"] }, "results": { "bindings": [ '
        f'{{ "uuid": {{ "type": "typed-literal", "datatype": "{XSD}integer", "value": "twelve" }} }} ] }} }}'
    )
    store, _ = answering(body)
    with pytest.raises(StoreValueError, match=r"Virtuoso/07\.20\.3229 at .* answered queries/entries\.rq with 'twelve' for \?uuid"):
        store.select(load_query("entries"))


def test_construct_is_asked_for_as_n_triples_and_select_as_results(answering: Any) -> None:
    store, handler = answering("<urn:a> <urn:p> _:b10001 .\n_:b10001 <urn:q> \"1.5\"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n",
                               "application/n-triples")
    graph = store.query("PREFIX ex: <urn:> # CONSTRUCT in a comment\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(graph, Graph) and len(graph) == 2
    assert handler.accepts[-1].startswith("application/n-triples")
    store.query("DESCRIBE <urn:a>")
    assert handler.accepts[-1].startswith("application/n-triples")
    handler.body = VIRTUOSO_RESULTS.encode()
    handler.content_type = "application/sparql-results+json"
    store.query("SELECT * WHERE { ?s ?p ?o }")
    assert handler.accepts[-1].startswith("application/sparql-results+json")


def test_a_malformed_answer_read_in_a_worker_thread_leaves_nothing_to_drop_elsewhere(answering: Any) -> None:
    """The web app reads the store in worker threads and handles the error on its event loop:
    the error must carry no parser object (pyoxigraph lets no other thread drop one)."""
    malformed = '{ "head": { "vars": ["s"] }, "results": { "bindings": [ { "s": { "type": "literal", "value": 12 } } ] } }'
    store, _ = answering(malformed)
    unraisable: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            failure = pool.submit(store.query, "SELECT ?s WHERE { ?s ?p ?o }").exception()
        assert isinstance(failure, StoreError) and "malformed results" in str(failure)
        del failure
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert unraisable == []
