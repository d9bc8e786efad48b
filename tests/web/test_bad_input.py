"""The bad-input corpus (``tests/data/bad-input``) and bad parameters through every
entry point of the web service that reads them.

Every document is refused with a 4xx whose body says what is wrong and where
(line and column, or JSON path), never a 5xx; the store holds exactly the same
quads afterwards; nothing a document points at is fetched. Bodies over the
limit are 413; query parameters that cannot be used are 422 naming the
parameter; a plan parameter such as ``1 } ; DROP ALL ; {`` never reaches SPARQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from bad_input_corpus import ALL, case_bytes
from fastapi.testclient import TestClient
from web_support import AUTH, MYBINDER, NEW_UUID, NOTEBOOK, TOKEN, new_executable

from registry.store import Store, open_store
from registry.web import Settings, create_app

if TYPE_CHECKING:
    from conftest import Sentinel

TYPES = {".json": "application/json", ".jsonld": "application/ld+json", ".ttl": "text/turtle", ".nt": "application/n-triples", ".rdf": "application/rdf+xml"}
#: The body limit of the app under test here: large enough for the 100k-deep documents.
LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def store(example_quads: bytes) -> Iterator[Store]:
    opened = open_store("memory")
    opened.load(example_quads, "nquads")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def app_client(store: Store) -> Iterator[TestClient]:
    """A writable app (the token configured) whose server errors come back as 500s, not exceptions."""
    app = create_app(Settings(token=TOKEN, max_body_bytes=LIMIT, query_timeout=5.0), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def quads(store: Store) -> list[bytes]:
    return sorted(store.dump("nquads").splitlines())


def document(name: str, sentinel: Sentinel) -> tuple[bytes, dict[str, Any], str]:
    case = ALL[name][1]
    body = sentinel.fill(case_bytes(name))
    return body, case, TYPES[Path(name).suffix]


def explains(body: dict[str, Any], case: dict[str, Any]) -> None:
    """The answer tells what is wrong and where."""
    if case["kind"] == "malformed":
        assert body["error"] == "input" and body["message"]
        if "line" in case:
            assert body["line"] == case["line"], body
            if "column" in case:
                assert body["column"] == case["column"], body
        if "path" in case:
            assert body["path"] == case["path"], body
        if "contains" in case:
            assert case["contains"] in body["message"], body
        return
    report = body.get("report", body)
    assert report["conforms"] is False and report["violations"] >= 1
    violations = [i for i in report["issues"] if i["severity"] == "Violation"]
    if "path" in case:
        assert case["path"] in [i["path"] for i in violations], violations
    if "contains" in case:
        assert any(case["contains"] in i["message"] for i in violations), violations


@pytest.fixture
def untouched(store: Store, sentinel: Sentinel) -> Iterator[None]:
    """The store holds the same quads afterwards, and nothing connected to the sentinel."""
    before, connections = quads(store), len(sentinel.connections)
    yield
    assert quads(store) == before, "the store changed"
    assert sentinel.connections[connections:] == [], "the registry fetched something"


# -- the corpus, endpoint by endpoint ------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_validate_endpoint(app_client: TestClient, sentinel: Sentinel, untouched: None, name: str) -> None:
    body, case, media = document(name, sentinel)
    response = app_client.post("/validate", content=body, headers={"Content-Type": media})
    assert response.status_code == (400 if case["kind"] == "malformed" else 200), response.text[:500]
    explains(response.json(), case)


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_post_to_the_collection(app_client: TestClient, sentinel: Sentinel, untouched: None, name: str) -> None:
    body, case, media = document(name, sentinel)
    collection = case.get("collection", "executables")
    response = app_client.post(f"/{collection}", content=body, headers={"Content-Type": media, **AUTH})
    assert response.status_code == (400 if case["kind"] == "malformed" else 422), response.text[:500]
    explains(response.json(), case)


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_put_of_one_entry(app_client: TestClient, sentinel: Sentinel, untouched: None, name: str) -> None:
    body, case, media = document(name, sentinel)
    collection = case.get("collection", "executables")
    uuid = NEW_UUID if collection == "executables" else "0b5c3a4e-1111-4222-8333-9444555566aa"
    response = app_client.put(f"/{collection}/{uuid}", content=body, headers={"Content-Type": media, **AUTH})
    assert response.status_code in (400, 422), response.text[:500]
    assert response.json()["message"]
    if case["kind"] == "malformed":
        explains(response.json(), case)


@pytest.mark.parametrize("name", list(ALL), ids=list(ALL))
def test_plan_of_a_document(app_client: TestClient, sentinel: Sentinel, untouched: None, name: str) -> None:
    body, case, media = document(name, sentinel)
    response = app_client.post("/plan", content=body, headers={"Content-Type": media})
    assert response.status_code == (400 if case["kind"] == "malformed" else 422), response.text[:500]
    explains(response.json(), case)


# -- too large -------------------------------------------------------------------------------------


BODY_ROUTES = [
    ("POST", "/validate", "application/json"),
    ("POST", "/executables", "application/json"),
    ("PUT", f"/executables/{NEW_UUID}", "application/json"),
    ("POST", "/platforms", "application/json"),
    ("POST", "/plan", "application/json"),
    ("POST", "/sparql", "application/sparql-query"),
    ("POST", "/update", "application/sparql-update"),
]


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("method", "path", "media"), BODY_ROUTES, ids=[f"{m} {p}" for m, p, _ in BODY_ROUTES])
def test_a_body_over_the_limit_is_413(
    app_client: TestClient, untouched: None, method: str, path: str, media: str, announced: bool
) -> None:
    big = json.dumps(new_executable(title="x" * (LIMIT + 10))).encode()
    content: bytes | Iterator[bytes] = big if announced else iter([big[i : i + 65536] for i in range(0, len(big), 65536)])
    response = app_client.request(method, path, content=content, headers={"Content-Type": media, **AUTH})
    assert response.status_code == 413, response.text[:300]
    assert response.json()["error"] == "too-large" and str(LIMIT) in response.json()["message"]


def test_a_body_at_the_limit_is_read(app_client: TestClient, untouched: None) -> None:
    manifest = json.dumps(new_executable()).encode()
    padded = manifest[:-1] + b" " * (LIMIT - len(manifest)) + manifest[-1:]
    assert len(padded) == LIMIT
    response = app_client.post("/validate", content=padded, headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json()["conforms"] is True


# -- query parameters ------------------------------------------------------------------------------

#: Values no plan parameter takes: negative, not numbers, not finite, too large, SPARQL.
BAD_VALUES = [
    "-1",
    "-0.5",
    "NaN",
    "inf",
    "-Infinity",
    "1e400",
    "9" * 30,
    "9" * 5000,
    "lots",
    "5abc",
    "0x10",
    "1 } ; DROP ALL ; {",
    '1" } ; DROP ALL ; { "',
    "1> } ; DROP ALL ; { <",
    "1\n} DROP ALL {",
    "\x00",
]
PLAN_PARAMETERS = ["cores", "memory", "nodes", "hours", "storage", "data-size"]


@pytest.mark.parametrize("value", BAD_VALUES, ids=[repr(v[:20]) for v in BAD_VALUES])
@pytest.mark.parametrize("parameter", PLAN_PARAMETERS)
def test_a_bad_plan_parameter_is_422_naming_it(app_client: TestClient, untouched: None, parameter: str, value: str) -> None:
    response = app_client.get(f"/plan/{NOTEBOOK}", params={parameter: value})
    assert response.status_code == 422, response.text[:300]
    body = response.json()
    assert body["error"] == "parameter" and body["parameter"] == parameter
    assert body["message"].startswith(parameter)


@pytest.mark.parametrize("parameter", PLAN_PARAMETERS)
def test_a_bad_parameter_of_a_posted_plan_is_422(app_client: TestClient, untouched: None, parameter: str) -> None:
    response = app_client.post("/plan", params={parameter: "1 } ; DROP ALL ; {"}, json=new_executable())
    assert response.status_code == 422 and response.json()["parameter"] == parameter


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        (f"/plan/{NOTEBOOK}?at=middle", "at"),
        (f"/plan/{NOTEBOOK}?at=min%20%7D%20DROP%20ALL", "at"),
        (f"/executables/{NOTEBOOK}?format=yaml", "format"),
        ("/executables?format=%3Cscript%3E", "format"),
        ("/executables?type=not%20an%20iri", "type"),
        ("/platforms?type=urn%3Ax%3E%20%7D%20DROP%20ALL%20%7B", "type"),
    ],
)
def test_other_bad_parameters_are_422_naming_them(app_client: TestClient, untouched: None, path: str, parameter: str) -> None:
    response = app_client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 422 and parameter in response.text
    response = app_client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.json()["parameter"] == parameter


@pytest.mark.parametrize("value", ["0", "1", "1000000000000000", "16GiB", "30min"], ids=str)
def test_good_values_still_plan(app_client: TestClient, value: str) -> None:
    parameter = "cores" if value.isdigit() else ("memory" if value.endswith("GiB") else "hours")
    assert app_client.get(f"/plan/{NOTEBOOK}", params={parameter: value}).status_code == 200


BAD_UUIDS = [
    "not-a-uuid",
    "5cec9f3d-79c0-49ad-9a5a-455596c5534",
    "5cec9f3d-79c0-49ad-9a5a-455596c55341x",
    "urn:uuid:5cec9f3d",
    "5cec9f3d-79c0-49ad-9a5a-455596c5534g",
    "%3E%20%7D%20DROP%20ALL%20%7B%20%3C",
    "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%00",
    "%F0%9F%92%A5",
    "x" * 3000,
]


@pytest.mark.parametrize("uuid", BAD_UUIDS, ids=[u[:20] for u in BAD_UUIDS])
def test_bad_uuids_in_paths_are_4xx(app_client: TestClient, untouched: None, uuid: str) -> None:
    for method, path in [
        ("GET", f"/executables/{uuid}"),
        ("GET", f"/platforms/{uuid}"),
        ("GET", f"/entries/{uuid}"),
        ("GET", f"/plan/{uuid}"),
        ("PUT", f"/executables/{uuid}"),
        ("DELETE", f"/executables/{uuid}"),
        ("DELETE", f"/platforms/{uuid}"),
    ]:
        for accept in ("application/json", "text/html"):
            kwargs: dict[str, Any] = {"json": new_executable()} if method == "PUT" else {}
            response = app_client.request(method, path, headers={**AUTH, "Accept": accept}, **kwargs)
            assert 400 <= response.status_code < 500, (method, path, response.status_code, response.text[:200])


# -- SPARQL: updates are not queries, values are not SPARQL ------------------------------------------

INSERT = "INSERT DATA { GRAPH <urn:test:x> { <urn:test:s> <urn:test:p> 'x' } }"
UPDATES = [
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT",
    INSERT,
    "PREFIX x: <urn:x#> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "# a comment first\nDROP ALL",
    "drop all",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "LOAD <http://127.0.0.1:{port}/load.ttl>",
]


@pytest.mark.parametrize("update", UPDATES, ids=[u[:25] for u in UPDATES])
def test_an_update_sent_as_a_query_is_refused(app_client: TestClient, sentinel: Sentinel, untouched: None, update: str) -> None:
    text = update.replace("{port}", str(sentinel.port))
    for response in (
        app_client.get("/sparql", params={"query": text}),
        app_client.post("/sparql", data={"query": text}, headers=AUTH),
        app_client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query", **AUTH}),
    ):
        assert response.status_code == 400, response.text[:300]
        assert response.json()["error"] in ("query", "input")


@pytest.mark.parametrize(
    "service",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "PREFIX remote: <http://127.0.0.1:{port}/>\nSELECT * WHERE { SERVICE remote:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . #\nSERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "ASK { SERVICE<http://127.0.0.1:{port}/sparql>{?s ?p ?o} }",
    ],
    ids=["plain", "lower-case-silent", "prefixed", "after-a-comment", "no-spaces"],
)
def test_federated_queries_never_reach_out(app_client: TestClient, sentinel: Sentinel, untouched: None, service: str) -> None:
    text = service.replace("{port}", str(sentinel.port))
    response = app_client.get("/sparql", params={"query": text})
    assert response.status_code == 400 and "SERVICE" in response.json()["message"]
    update = f"INSERT {{ GRAPH <urn:test:x> {{ ?s ?p ?o }} }} WHERE {{ {text.split('{', 1)[1]}"
    response = app_client.post("/update", data={"update": update}, headers=AUTH)
    assert response.status_code == 400


def test_load_is_refused_even_with_the_token(app_client: TestClient, sentinel: Sentinel, untouched: None) -> None:
    for text in (f"LOAD <http://127.0.0.1:{sentinel.port}/data.ttl>", f"load silent <http://127.0.0.1:{sentinel.port}/x> into graph <urn:x>"):
        response = app_client.post("/update", data={"update": text}, headers=AUTH)
        assert response.status_code == 400 and "LOAD" in response.json()["message"]


@pytest.mark.parametrize(
    "query",
    ["SELECT ?x WHERE { ?x ?y }", "SELECT", "", "}}}", "SELECT * WHERE { ?s ?p ?o } LIMIT -1", "\x00", "SELECT * WHERE { " * 2000],
    ids=["missing-object", "bare-select", "empty", "braces", "negative-limit", "nul", "deeply-nested"],
)
def test_malformed_queries_are_400(app_client: TestClient, untouched: None, query: str) -> None:
    response = app_client.get("/sparql", params={"query": query})
    assert response.status_code == 400, response.text[:300]
    assert response.json()["message"]


INJECTIONS = [
    '" } ; DROP ALL ; { "',
    "' } ; DROP ALL ; { '",
    "> } ; DROP ALL ; { <",
    '\\" } ; DROP ALL ; #',
    "\"\"\" } DROP ALL { \"\"\"",
    "?s ?p ?o } ; DROP ALL ; SELECT * { ",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", INJECTIONS, ids=[t[:15] for t in INJECTIONS])
def test_search_text_is_a_value_not_sparql(app_client: TestClient, untouched: None, text: str) -> None:
    for collection in ("executables", "platforms"):
        response = app_client.get(f"/{collection}", params={"q": text}, headers={"Accept": "text/html"})
        assert response.status_code == 200 and 'class="entry"' not in response.text


def test_a_title_that_looks_like_sparql_is_stored_as_text(write_client: TestClient, write_store: Store) -> None:
    title = '" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c" } ; # \'\'\' """'
    response = write_client.post("/executables", json=new_executable(title=title), headers=AUTH)
    assert response.status_code == 201
    assert write_client.get(f"/executables/{NEW_UUID}").json()["title"] == title
    assert len(write_client.get("/executables").json()["executables"]) == 8


@pytest.mark.slow
def test_values_reach_a_remote_store_as_values(oxigraph_server: Any, example_quads: bytes) -> None:
    """On a remote store, bound values are written into the query text: there too,
    quotes and braces in a search or a plan parameter are only text."""
    remote = open_store(oxigraph_server.query_url, update_url=oxigraph_server.update_url)
    remote.update("DROP ALL")
    remote.load(example_quads, "nquads")
    try:
        with TestClient(create_app(Settings(token=TOKEN), store=remote), raise_server_exceptions=False) as client:
            before = quads(remote)
            for text in INJECTIONS:
                assert client.get("/executables", params={"q": text}, headers={"Accept": "text/html"}).status_code == 200
                assert client.get(f"/plan/{NOTEBOOK}", params={"cores": text}).status_code == 422
            title = INJECTIONS[0]
            assert client.post("/executables", json=new_executable(title=title), headers=AUTH).status_code == 201
            assert client.get(f"/executables/{NEW_UUID}").json()["title"] == title
            assert client.delete(f"/executables/{NEW_UUID}", headers=AUTH).status_code == 204
            assert quads(remote) == before
    finally:
        remote.update("DROP ALL")
        remote.close()


def test_no_request_here_reached_the_network(sentinel: Sentinel) -> None:
    assert sentinel.connections == []


def test_the_live_server_refuses_bad_input_too(live_server: Any, sentinel: Sentinel) -> None:
    """A few of the corpus through real HTTP (uvicorn), to see the same answers on the wire."""
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        for name in ("json-trailing-comma.json", "json-nested-100k.json", "turtle-malformed.ttl", "jsonld-remote-context.jsonld"):
            body, case, media = document(name, sentinel)
            response = http.post("/validate", content=body, headers={"Content-Type": media})
            assert response.status_code == 400
            explains(response.json(), case)
        response = http.get(f"/plan/{NOTEBOOK}", params={"cores": "1 } ; DROP ALL ; {"})
        assert response.status_code == 422 and response.json()["parameter"] == "cores"
    assert sentinel.connections == []


@pytest.mark.parametrize(
    "template",
    ["{url.__class__.__init__.__globals__}", "{url:>999999999}", "{url!r}", "{0}", "{url[0]}", "{", "{nope}"],
    ids=["attribute", "width", "conversion", "positional", "index", "unclosed", "unknown"],
)
def test_a_launch_template_is_not_a_format_string(write_client: TestClient, template: str) -> None:
    """A platform's launch template fills plain {names} only. The shapes refuse any other
    placeholder in a document; one written straight into the store (a SPARQL Update with
    the token) gives no launch link, never an error (a plan lists every platform), a huge
    string or an attribute of a Python object."""
    literal = template.replace("\\", "\\\\").replace('"', '\\"')
    update = (
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
        f"DELETE {{ GRAPH <urn:uuid:{MYBINDER}> {{ <urn:uuid:{MYBINDER}> esap:launchTemplate ?old }} }}\n"
        f"INSERT {{ GRAPH <urn:uuid:{MYBINDER}> {{ <urn:uuid:{MYBINDER}> esap:launchTemplate \"{literal}\" }} }}\n"
        f"WHERE {{ OPTIONAL {{ GRAPH <urn:uuid:{MYBINDER}> {{ <urn:uuid:{MYBINDER}> esap:launchTemplate ?old }} }} }}"
    )
    assert write_client.post("/update", data={"update": update}, headers=AUTH).status_code == 204
    response = write_client.get(f"/plan/{NOTEBOOK}")
    assert response.status_code == 200
    match = next(m for m in response.json()["matches"] if m["platform"] == MYBINDER)
    assert match["launch"] is None
    assert write_client.get(f"/executables/{NOTEBOOK}", headers={"Accept": "text/html"}).status_code == 200
