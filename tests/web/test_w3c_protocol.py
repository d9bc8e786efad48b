"""The 34 tests of the W3C SPARQL 1.1 Protocol suite (``w3c/rdf-tests``,
``sparql/sparql11/protocol/manifest.ttl``), each written here as a test of the
project and run against the real server (uvicorn on 127.0.0.1) over HTTP.

Each case is a list of requests (method, path and query string, content type, body)
with the answer the suite expects: a status class, the kind of result (a boolean, a
table of solutions or an RDF graph) and, for ASKs, the boolean. As in the suite, the
data of a case (``data1.nt`` … ``data3.nt``, one triple each) is loaded into the named
graph it is labelled with before the case runs, and the suite's ``/sparql/`` is the
server's ``/sparql``. Every request carries the write token, so that a refused update
is refused for what the protocol says, not for want of the token; and after every
refused update the data is checked to be untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest
from rdflib import Graph, URIRef
from web_support import AUTH, TOKEN, running

from registry.store import Store, open_store
from registry.web import Settings, create_app

DATA = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
#: The suite's data files: each holds one triple, loaded into the graph it is labelled with.
GRAPH_DATA = {n: f"<{DATA}data{n}.rdf> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{FOAF_DOCUMENT}> <{DATA}data{n}.rdf> .\n" for n in (1, 2, 3)}

BOOLEAN_TYPES = ("application/sparql-results+xml", "application/sparql-results+json")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml", "text/html")
RDF_PARSERS = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


def q(text: str) -> str:
    """A value percent-encoded for a query string (as the suite writes them)."""
    return quote(text, safe="")


def graph(n: int) -> str:
    return f"{DATA}data{n}.rdf"


@dataclass
class Step:
    """One request of a case and the answer expected."""

    method: str
    path: str
    content_type: str | None = None
    body: bytes | None = None
    status: int = 2  # the status class: 2 for 2xx (or 3xx), 4 for 4xx
    format: str | None = None  # "boolean", "tabular" or "RDF"
    boolean: bool | None = None


@dataclass
class Case:
    steps: list[Step]
    data: list[int] = field(default_factory=list)


def post(path: str, content_type: str | None, body: str, **expected: object) -> Step:
    return Step("POST", path, content_type, body.encode("utf-8"), **expected)  # type: ignore[arg-type]


def get(path: str, **expected: object) -> Step:
    return Step("GET", path, **expected)  # type: ignore[arg-type]


TRUE = {"format": "boolean", "boolean": True}
DATA0 = f"default-graph-uri={q(graph(0))}"
ASK_1_AND_2 = f"ASK {{ <{graph(1)}> a ?type . <{graph(2)}> a ?type . }}"
ASK_1_AND_2_NAMED = f"ASK {{ GRAPH ?g1 {{ <{graph(1)}> a ?type }} GRAPH ?g2 {{ <{graph(2)}> a ?type }} }}"
DEFAULT_1_2 = f"default-graph-uri={q(graph(1))}&default-graph-uri={q(graph(2))}"
NAMED_1_2 = f"named-graph-uri={q(graph(1))}&named-graph-uri={q(graph(2))}"
PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
INSERT_THREE = (
    "INSERT DATA {\n"
    + "".join(f"    GRAPH <{graph(n)}> {{ <{graph(n)}> a foaf:Document }}\n" for n in (1, 2, 3))
    + "} ;\n"
)
BIBLIO = "<http://purl.org/dc/terms/BibliographicResource>"


def ask_copied(target: str, predicate_object: dict[int, str], absent: int) -> str:
    """The suite's check after an update: the target graph holds these triples, and none about ``absent``."""
    triples = "".join(f"        <{graph(n)}> {po} .\n" for n, po in predicate_object.items())
    return (
        f"ASK {{\n    GRAPH <{target}> {{\n{triples}    }}\n"
        f"    FILTER NOT EXISTS {{ GRAPH <{target}> {{ <{graph(absent)}> ?p ?o }} }}\n}}"
    )


CASES: dict[str, Case] = {
    "query_post_form": Case([post(f"/sparql/?{DATA0}", FORM, "query=ASK%20%7B%7D", **TRUE)]),
    "query_dataset_default_graphs_get": Case(
        [get(f"/sparql/?query={q(ASK_1_AND_2)}&{DEFAULT_1_2}", **TRUE)], data=[1, 2]
    ),
    "query_dataset_default_graphs_post": Case([post(f"/sparql/?{DEFAULT_1_2}", QUERY, ASK_1_AND_2, **TRUE)], data=[1, 2]),
    "query_dataset_named_graphs_post": Case([post(f"/sparql/?{NAMED_1_2}", QUERY, ASK_1_AND_2_NAMED, **TRUE)], data=[1, 2]),
    "query_dataset_named_graphs_get": Case([get(f"/sparql/?query={q(ASK_1_AND_2_NAMED)}&{NAMED_1_2}", **TRUE)], data=[1, 2]),
    "query_dataset_full": Case(
        [
            post(
                f"/sparql/?default-graph-uri={q(graph(3))}&{NAMED_1_2}",
                QUERY,
                f"ASK {{\n  <{graph(3)}> a ?type\n  GRAPH ?g1 {{ <{graph(1)}> a ?type }}\n  GRAPH ?g2 {{ <{graph(2)}> a ?type }}\n}}",
                **TRUE,
            )
        ],
        data=[1, 2, 3],
    ),
    "query_multiple_dataset": Case(
        [
            post(
                f"/sparql/?{NAMED_1_2}",
                QUERY,
                f"ASK FROM <{graph(3)}> {{ GRAPH ?g1 {{ <{graph(1)}> a ?type }} GRAPH ?g2 {{ <{graph(2)}> a ?type }} }}",
                **TRUE,
            )
        ],
        data=[1, 2, 3],
    ),
    "query_get": Case([get(f"/sparql/?query=ASK%20%7B%7D&{DATA0}", **TRUE)]),
    "query_content_type_select": Case([post(f"/sparql/?{DATA0}", QUERY, "SELECT (1 AS ?value) {}", format="tabular")]),
    "query_content_type_ask": Case([post(f"/sparql/?{DATA0}", QUERY, "ASK {}", format="boolean")]),
    "query_content_type_describe": Case([post(f"/sparql/?{DATA0}", QUERY, "DESCRIBE <http://example.org/>", format="RDF")]),
    "query_content_type_construct": Case([post(f"/sparql/?{DATA0}", QUERY, "CONSTRUCT { <s> <p> 1 } WHERE {}", format="RDF")]),
    "update_dataset_default_graph": Case(
        [
            post(
                f"/sparql/?using-graph-uri={q(graph(1))}",
                UPDATE,
                PREFIXES
                + "CLEAR ALL ;\n"
                + f"INSERT DATA {{ GRAPH <{graph(1)}> {{ <{graph(1)}> a foaf:Document }} }} ;\n"
                + "INSERT { GRAPH <http://example.org/protocol-update-dataset-test/> { ?s a dc:BibliographicResource } }\n"
                + "WHERE { ?s a foaf:Document }",
            ),
            post(
                "/sparql/",
                QUERY,
                f"ASK {{ GRAPH <http://example.org/protocol-update-dataset-test/> {{ <{graph(1)}> a {BIBLIO} }} }}",
                **TRUE,
            ),
        ]
    ),
    "update_dataset_default_graphs": Case(
        [
            post(
                f"/sparql/?using-graph-uri={q(graph(1))}&using-graph-uri={q(graph(2))}",
                UPDATE,
                PREFIXES
                + "DROP ALL ;\n"
                + INSERT_THREE
                + "INSERT { GRAPH <http://example.org/protocol-update-dataset-graphs-test/> { ?s a dc:BibliographicResource } }\n"
                + "WHERE { ?s a foaf:Document }",
            ),
            post(
                "/sparql/",
                QUERY,
                ask_copied("http://example.org/protocol-update-dataset-graphs-test/", {1: f"a {BIBLIO}", 2: f"a {BIBLIO}"}, 3),
                **TRUE,
            ),
        ]
    ),
    "update_dataset_named_graphs": Case(
        [
            post(
                f"/sparql/?using-named-graph-uri={q(graph(1))}&using-named-graph-uri={q(graph(2))}",
                UPDATE,
                PREFIXES
                + "DROP ALL ;\n"
                + INSERT_THREE
                + "INSERT { GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> { ?s a dc:BibliographicResource } }\n"
                + "WHERE { GRAPH ?g { ?s a foaf:Document } }",
            ),
            post(
                "/sparql/",
                QUERY,
                ask_copied(
                    "http://example.org/protocol-update-dataset-named-graphs-test/", {1: f"a {BIBLIO}", 2: f"a {BIBLIO}"}, 3
                ),
                **TRUE,
            ),
        ]
    ),
    "update_dataset_full": Case(
        [
            post(
                f"/sparql/?using-graph-uri={q(graph(1))}&using-named-graph-uri={q(graph(2))}",
                UPDATE,
                PREFIXES
                + "DROP ALL ;\n"
                + INSERT_THREE
                + "INSERT { GRAPH <http://example.org/protocol-update-dataset-full-test/> { ?s <http://example.org/in> ?in } }\n"
                + "WHERE {\n  { GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) }\n"
                + '  UNION\n  { ?s a foaf:Document . BIND("default" AS ?in) }\n}',
            ),
            post(
                "/sparql/",
                QUERY,
                ask_copied(
                    "http://example.org/protocol-update-dataset-full-test/",
                    {1: '<http://example.org/in> "default"', 2: f"<http://example.org/in> <{graph(2)}>"},
                    3,
                ),
                **TRUE,
            ),
        ]
    ),
    "update_post_form": Case([post("/sparql/", FORM, "update=CLEAR+ALL")]),
    "update_post_direct": Case([post("/sparql/", UPDATE, "CLEAR ALL")]),
    "update_base_uri": Case(
        [
            post(
                "/sparql/",
                UPDATE,
                "CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\n"
                "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }",
            ),
            post(
                "/sparql/",
                QUERY,
                "ASK {\n    GRAPH <http://example.org/protocol-base-test/> {\n"
                '        <http://example.org/s> <http://example.org/p> ?o\n        FILTER (isIRI(?o) && STR(?o) != "test")\n    }\n}',
                **TRUE,
            ),
        ]
    ),
    "query_post_direct": Case([post("/sparql/", QUERY, "ASK {}", **TRUE)]),
    "bad_query_method": Case([Step("PUT", f"/sparql/?query=ASK%20%7B%7D&{DATA0}", FORM, status=4)]),
    "bad_multiple_queries": Case([get("/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", status=4)]),
    "bad_query_wrong_media_type": Case([post("/sparql/", "text/plain", "ASK {}", status=4)]),
    "bad_query_missing_form_type": Case([post("/sparql/", None, "query=ASK%20%7B%7D", status=4)]),
    "bad_query_missing_direct_type": Case([post("/sparql/", None, "ASK {}", status=4)]),
    "bad_query_non_utf8": Case(
        [Step("POST", "/sparql/", f"{QUERY}; charset=UTF-16", "ASK {}".encode("utf-16"), status=4)]
    ),
    "bad_query_syntax": Case([get("/sparql/?query=ASK%20%7B", status=4)]),
    "bad_update_get": Case([get("/sparql/?update=CLEAR%20ALL", status=4)], data=[1, 2, 3]),
    "bad_multiple_updates": Case([post("/sparql/", FORM, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", status=4)], data=[1, 2, 3]),
    "bad_update_wrong_media_type": Case([post("/sparql/", "text/plain", "CLEAR NAMED", status=4)], data=[1, 2, 3]),
    "bad_update_missing_form_type": Case([post("/sparql/", None, "update=CLEAR%20NAMED", status=4)], data=[1, 2, 3]),
    "bad_update_non_utf8": Case(
        [Step("POST", "/sparql/", f"{UPDATE}; charset=UTF-16", "CLEAR NAMED".encode("utf-16"), status=4)], data=[1, 2, 3]
    ),
    "bad_update_syntax": Case([post("/sparql/", FORM, "update=CLEAR%20XYZ", status=4)], data=[1, 2, 3]),
    "bad_update_dataset_conflict": Case(
        [
            post(
                "/sparql/?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
                UPDATE,
                "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
                "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
                "WHERE {\n    ?person foaf:givenName 'Bill'\n}",
                status=4,
            )
        ],
        data=[1, 2, 3],
    ),
}


def test_every_case_of_the_suite_is_here() -> None:
    assert len(CASES) == 34


@pytest.fixture(scope="module")
def protocol_server() -> Iterator[tuple[str, Store]]:
    """The real server on a store of its own (the cases clear and drop every graph)."""
    store = open_store("memory")
    app = create_app(Settings(token=TOKEN, query_timeout=5.0), store=store)
    with running(app) as base_url:
        yield base_url, store
    store.close()


def boolean_of(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0].strip()
    if media == "application/sparql-results+json":
        return json.loads(response.content)["boolean"]
    root = ElementTree.fromstring(response.content)
    found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert found is not None and found.text in ("true", "false"), response.text
    return found.text == "true"


def check(step: Step, response: httpx.Response) -> None:
    where = f"{step.method} {step.path}: {response.status_code} {response.text[:300]}"
    if step.status == 4:
        assert 400 <= response.status_code < 500, where
        return
    assert 200 <= response.status_code < 400, where
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if step.format == "boolean":
        assert media in BOOLEAN_TYPES, where
    elif step.format == "tabular":
        assert media in TABULAR_TYPES, where
        if media == "application/sparql-results+json":
            assert json.loads(response.content)["results"]["bindings"][0]["value"]["value"] == "1"
    elif step.format == "RDF":
        assert media in RDF_TYPES, where
        if media in RDF_PARSERS:
            Graph().parse(data=response.content, format=RDF_PARSERS[media])
    if step.boolean is not None:
        assert boolean_of(response) is step.boolean, where


@pytest.mark.parametrize("name", list(CASES))
def test_w3c_protocol(protocol_server: tuple[str, Store], name: str) -> None:
    base_url, store = protocol_server
    case = CASES[name]
    store.update("DROP SILENT ALL")
    store.load("".join(GRAPH_DATA[n] for n in case.data).encode(), "nquads")
    before = store.dump("nquads")
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for step in case.steps:
            headers = dict(AUTH)
            if step.content_type is not None:
                headers["Content-Type"] = step.content_type
            path = "/sparql" + step.path.removeprefix("/sparql/")
            response = http.request(step.method, path, content=step.body, headers=headers)
            check(step, response)
            if step.status == 4 and name.startswith("bad_update"):
                assert store.dump("nquads") == before, "a refused update changed the store"


# -- beyond the suite: what the cases leave open ------------------------------------------


def test_relative_iris_resolve_against_the_endpoint(protocol_server: tuple[str, Store]) -> None:
    base_url, store = protocol_server
    store.update("DROP SILENT ALL")
    with httpx.Client(base_url=base_url, timeout=30) as http:
        stored = http.post(
            "/sparql",
            content="INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> <test> } }",
            headers={**AUTH, "Content-Type": UPDATE},
        )
        assert stored.status_code == 204, stored.text
        built = http.post(
            "/sparql", content="CONSTRUCT { <s> <p> 1 } WHERE {}", headers={"Content-Type": QUERY, "Accept": "application/n-triples"}
        )
        assert built.status_code == 200, built.text
    assert (URIRef("http://example.org/s"), URIRef("http://example.org/p"), URIRef(f"{base_url}/test")) in store.graph(
        URIRef("http://example.org/g")
    )
    assert built.text.strip() == f'<{base_url}/s> <{base_url}/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'


def test_using_graphs_also_by_form_and_at_the_update_operation(protocol_server: tuple[str, Store]) -> None:
    base_url, store = protocol_server
    store.update("DROP SILENT ALL")
    store.load("".join(GRAPH_DATA.values()).encode(), "nquads")
    copy = "INSERT { GRAPH <http://example.org/copy> { ?s a <http://example.org/Seen> } } WHERE { ?s a ?t }"
    with httpx.Client(base_url=base_url, timeout=30) as http:
        response = http.post("/update", data={"update": copy, "using-graph-uri": [graph(2), graph(3)]}, headers=AUTH)
        assert response.status_code == 204, response.text
    seen = {s for s, _, _ in store.graph(URIRef("http://example.org/copy"))}
    assert seen == {URIRef(graph(2)), URIRef(graph(3))}


@pytest.mark.parametrize(
    "update",
    [
        "WITH <http://kasei.us/2009/09/sparql/data/data1.rdf> INSERT { GRAPH <http://example.org/copy> { ?s a <http://example.org/Seen> } } WHERE { ?s a ?t }",
        "INSERT { GRAPH <http://example.org/copy> { ?s a <http://example.org/Seen> } } USING <http://kasei.us/2009/09/sparql/data/data1.rdf> WHERE { ?s a ?t }",
    ],
    ids=["with", "using"],
)
def test_with_and_using_in_the_update(protocol_server: tuple[str, Store], update: str) -> None:
    """The update's own dataset works without the parameters, and with them is refused."""
    base_url, store = protocol_server
    store.update("DROP SILENT ALL")
    store.load("".join(GRAPH_DATA.values()).encode(), "nquads")
    with httpx.Client(base_url=base_url, timeout=30) as http:
        refused = http.post(
            f"/sparql?using-graph-uri={q(graph(2))}", content=update, headers={**AUTH, "Content-Type": UPDATE}
        )
        assert refused.status_code == 400 and "not both" in refused.json()["message"]
        assert not store.graph(URIRef("http://example.org/copy"))
        done = http.post("/sparql", content=update, headers={**AUTH, "Content-Type": UPDATE})
        assert done.status_code == 204, done.text
    assert {s for s, _, _ in store.graph(URIRef("http://example.org/copy"))} == {URIRef(graph(1))}


def test_a_bad_using_graph_iri_is_400(protocol_server: tuple[str, Store]) -> None:
    base_url, _ = protocol_server
    with httpx.Client(base_url=base_url, timeout=30) as http:
        response = http.post(
            "/sparql?using-graph-uri=not%20an%20iri", content="CLEAR SILENT GRAPH <http://example.org/x>",
            headers={**AUTH, "Content-Type": UPDATE},
        )
    assert response.status_code == 400 and "using-graph-uri" in response.json()["message"]
