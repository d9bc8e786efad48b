"""The SPARQL 1.1 Protocol at /sparql and /update, through FastAPI's TestClient."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.plugins.sparql.results.xmlresults import XMLResultParser
from web_support import AUTH, MYBINDER, NOTEBOOK, TOKEN

from registry.store import Store
from registry.vocabulary import ESAP, VOCABULARY_GRAPH
from registry.web import Settings, create_app
from registry.web.endpoint import SparqlRouter
from registry.web.errors import register_handlers

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PREFIX = "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
COUNT_EXECUTABLES = PREFIX + "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a esap:Executable }"
TITLES = PREFIX + "SELECT ?e ?title WHERE { ?e a esap:Executable ; esap:title ?title } ORDER BY ?title"
CONSTRUCT = PREFIX + "CONSTRUCT { ?p esap:title ?t } WHERE { ?p a esap:Platform ; esap:title ?t }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def count(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# -- queries -------------------------------------------------------------------------------


def test_query_by_get_post_form_and_post_direct_agree(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": TITLES})
    by_form = client.post("/sparql", data={"query": TITLES})
    direct = client.post("/sparql", content=TITLES, headers={"Content-Type": "application/sparql-query"})
    for response in (by_get, by_form, direct):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert by_get.json() == by_form.json() == direct.json()
    assert len(by_get.json()["results"]["bindings"]) == 7


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
    ],
    ids=["json", "json-alias", "xml", "csv", "tsv", "q-values"],
)
def test_select_result_formats(client: TestClient, accept: str, media: str) -> None:
    response = client.get("/sparql", params={"query": TITLES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    if "json" in media:
        titles = [b["title"]["value"] for b in response.json()["results"]["bindings"]]
    elif "xml" in media:
        titles = [str(row[1]) for row in XMLResultParser().parse(io.BytesIO(response.content))]
    elif media == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["e", "title"]
        titles = [row[1] for row in rows[1:]]
    else:
        lines = response.text.splitlines()
        assert lines[0] == "?e\t?title"
        titles = [line.split("\t")[1].strip('"') for line in lines[1:]]
    assert len(titles) == 7 and "Find ESCAPE OSSR records" in titles


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"), ("*/*", "turtle")],
    ids=["turtle", "ntriples", "jsonld", "rdfxml", "any"],
)
def test_construct_formats(client: TestClient, accept: str, fmt: str) -> None:
    response = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    assert len(graph) == 7 and (URIRef(f"urn:uuid:{MYBINDER}"), ESAP.title, None) in graph


def test_ask(client: TestClient) -> None:
    query = PREFIX + f"ASK {{ <urn:uuid:{NOTEBOOK}> a esap:Executable }}"
    assert client.get("/sparql", params={"query": query}).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in xml.text


@pytest.mark.parametrize(
    ("query", "accept"),
    [(TITLES, "text/turtle"), (CONSTRUCT, "application/sparql-results+json"), (TITLES, "image/png")],
    ids=["select-as-turtle", "construct-as-results", "png"],
)
def test_nothing_acceptable_is_406(client: TestClient, query: str, accept: str) -> None:
    assert client.get("/sparql", params={"query": query}, headers={"Accept": accept}).status_code == 406


def test_default_graph_is_the_union_of_all_graphs(client: TestClient) -> None:
    assert count(client.get("/sparql", params={"query": COUNT_EXECUTABLES})) == 7
    vocabulary = PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { esap:Executable a ?class }"
    assert count(client.get("/sparql", params={"query": vocabulary})) >= 1


def test_default_graph_uri_and_named_graph_uri(client: TestClient) -> None:
    one = client.get("/sparql", params={"query": COUNT_EXECUTABLES, "default-graph-uri": f"urn:uuid:{NOTEBOOK}"})
    assert count(one) == 1
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    # the examples' 7 executables, 7 platforms and 4 data sets, the vocabulary, the shapes and
    # the planning index, its planning classes and the reverse plan's need classes (README,
    # "Planning"; derived whole by the first reverse plan when it is not in step)
    assert client.get("/platforms/f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01/runnable").status_code == 200
    assert count(client.get("/sparql", params={"query": graphs})) == 23
    named = client.post(
        "/sparql",
        data={"query": graphs, "named-graph-uri": [f"urn:uuid:{NOTEBOOK}", f"urn:uuid:{MYBINDER}"]},
    )
    assert count(named) == 2
    # A dataset given in the protocol holds only what it names.
    assert count(client.get("/sparql", params={"query": graphs, "default-graph-uri": str(VOCABULARY_GRAPH)})) == 0
    direct = client.post(
        f"/sparql?default-graph-uri=urn:uuid:{MYBINDER}",
        content=PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?p a esap:Platform }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert count(direct) == 1


def test_from_in_the_query_is_its_dataset(client: TestClient) -> None:
    query = PREFIX + f"SELECT (COUNT(DISTINCT ?e) AS ?n) FROM <urn:uuid:{NOTEBOOK}> WHERE {{ ?e a esap:Executable }}"
    assert count(client.get("/sparql", params={"query": query})) == 1


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT ?x WHERE { ?x ?y }", "error at 1:"),
        ("SELEC * WHERE { ?s ?p ?o }", "error at 1:"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "Update"),
    ],
    ids=["syntax", "keyword", "service", "update-as-query"],
)
def test_refused_queries_are_400_with_the_message(client: TestClient, query: str, words: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400 and response.json()["error"] == "query"
    assert words in response.json()["message"]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": {"query": TITLES, "update": "CLEAR ALL"}}, 400),
        ({"data": {"query": [TITLES, TITLES]}}, 400),
        ({"data": {"nothing": "here"}}, 400),
        ({"content": TITLES, "headers": {"Content-Type": "text/plain"}}, 415),
    ],
    ids=["query-and-update", "two-queries", "neither", "wrong-body-type"],
)
def test_malformed_requests(client: TestClient, kwargs: dict[str, object], status: int) -> None:
    assert client.post("/sparql", **kwargs).status_code == status  # type: ignore[arg-type]


def test_service_description(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = next(graph.subjects(SD.endpoint, None))
    assert str(graph.value(service, SD.endpoint)).endswith("/sparql")
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert {SD.SPARQL11Query, SD.SPARQL11Update} <= languages
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert client.get("/sparql").headers["content-type"].startswith("text/turtle")


def test_query_page_for_browsers(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200 and 'id="query-form"' in response.text
    assert "Executables, their types and titles" in response.text and "/static/query.js" in response.text
    assert client.get("/static/query.js").status_code == 200


def test_cors_on_queries(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": TITLES}, headers={"Origin": "https://yasgui.example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200


# -- updates ---------------------------------------------------------------------------------


INSERT = "INSERT DATA { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> 'o' } }"
ASK_INSERTED = "ASK { <urn:test:s> <urn:test:p> 'o' }"


def test_update_by_form_needs_the_token(write_client: TestClient) -> None:
    assert write_client.post("/sparql", data={"update": INSERT}).status_code == 401
    assert write_client.post("/sparql", data={"query": ASK_INSERTED}).json()["boolean"] is False
    assert write_client.post("/sparql", data={"update": INSERT}, headers=AUTH).status_code == 204
    assert write_client.post("/sparql", data={"query": ASK_INSERTED}).json()["boolean"] is True


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/sparql", {"content": INSERT, "headers": {"Content-Type": "application/sparql-update"}}),
        ("/update", {"data": {"update": INSERT}}),
        ("/update", {"content": INSERT, "headers": {"Content-Type": "application/sparql-update"}}),
    ],
    ids=["sparql-direct", "update-form", "update-direct"],
)
def test_update_operations(write_client: TestClient, path: str, kwargs: dict[str, object]) -> None:
    headers = {**AUTH, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    assert write_client.post(path, headers={k: v for k, v in headers.items() if k != "Authorization"}, **kwargs).status_code == 401  # type: ignore[arg-type]
    assert write_client.post(path, headers=headers, **kwargs).status_code == 204  # type: ignore[arg-type]
    assert write_client.get("/sparql", params={"query": ASK_INSERTED}).json()["boolean"] is True


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("/update", {"data": {"query": TITLES}}),
        ("/update", {"data": {"update": TITLES}}),
        ("/update", {"content": TITLES, "headers": {"Content-Type": "application/sparql-query"}}),
        ("/sparql", {"data": {"update": TITLES}}),
        ("/sparql", {"data": {"update": "DROP GRAPH"}}),
    ],
    ids=["query-param-to-update", "query-as-update", "query-body-to-update", "query-as-update-at-sparql", "malformed-update"],
)
def test_queries_sent_to_the_update_operation_are_refused(write_client: TestClient, path: str, kwargs: dict[str, object]) -> None:
    headers = {**AUTH, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    response = write_client.post(path, headers=headers, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400 and response.json()["message"]
    assert write_client.get("/health").json()["executables"] == 7


def test_update_by_get_is_refused(write_client: TestClient) -> None:
    assert write_client.get("/sparql", params={"update": INSERT}).status_code == 400
    assert write_client.get("/update", params={"update": INSERT}).status_code == 405


def test_updates_on_a_read_only_service(readonly_client: TestClient) -> None:
    assert readonly_client.post("/sparql", data={"update": INSERT}, headers=AUTH).status_code == 403
    description = Graph().parse(data=readonly_client.get("/sparql").text, format="turtle")
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) not in description


# -- the time limit --------------------------------------------------------------------------


@pytest.fixture
def slow_client(write_store: Store) -> Iterator[TestClient]:
    """An app whose queries may run 0.4 s."""
    with TestClient(create_app(Settings(query_timeout=0.4, query_workers=2), store=write_store)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{VOCABULARY_GRAPH}> {{ ?a ?b ?c }} GRAPH <{VOCABULARY_GRAPH}> {{ ?d ?e ?f }} }}",
    ],
    ids=["stopped-while-streaming", "answered-at-the-limit"],
)
def test_a_query_past_the_time_limit_is_503(slow_client: TestClient, query: str) -> None:
    """How soon the answer comes is a figure of ``bench/bench_limits.py``."""
    response = slow_client.get("/sparql", params={"query": query})
    assert response.status_code == 503 and response.json()["error"] == "timeout"
    assert "0.4 s" in response.json()["message"] and response.headers["retry-after"]
    assert count(slow_client.get("/sparql", params={"query": COUNT_EXECUTABLES})) == 7


# -- the router on its own -------------------------------------------------------------------


def test_the_endpoint_is_a_router_configured_through_its_constructor(write_store: Store) -> None:
    """An app of nothing but the router (and the error table) on a store: what it needs
    comes from its constructor; without a query page it offers no HTML."""
    app = FastAPI()
    register_handlers(app)
    router = SparqlRouter(write_store, token=TOKEN, max_body_bytes=1024)
    app.include_router(router)
    with TestClient(app) as own:
        assert count(own.get("/sparql", params={"query": COUNT_EXECUTABLES})) == 7
        assert own.get("/sparql", headers={"Accept": "text/html"}).status_code == 406
        assert own.get("/sparql", params={"query": TITLES}, headers={"Accept": "text/html"}).status_code == 406
        assert own.post("/sparql", data={"update": INSERT}).status_code == 401
        assert own.post("/sparql", data={"query": "#" * 2048}).status_code == 413
        assert own.post("/update", data={"update": INSERT}, headers=AUTH).status_code == 204
        assert own.post("/sparql", data={"query": ASK_INSERTED}).json()["boolean"] is True
        description = Graph().parse(data=own.get("/sparql").text, format="turtle")
        assert (None, SD.supportedLanguage, SD.SPARQL11Update) in description
