"""The real server (uvicorn on 127.0.0.1) with real SPARQL clients: SPARQLWrapper,
rdflib's SPARQLStore, and raw HTTP with httpx; and ``esap-registry serve`` itself."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from xml.dom.minidom import Document as XMLDocument

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from support.oxigraph_server import OxigraphServer
from web_support import AUTH, MYBINDER, NOTEBOOK, TOKEN, LiveServer, free_port, new_executable

from registry.vocabulary import ESAP, VOCABULARY_GRAPH

PREFIX = "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
TITLES = PREFIX + "SELECT ?e ?title WHERE { ?e a esap:Executable ; esap:title ?title } ORDER BY ?title"
CONSTRUCT = PREFIX + "CONSTRUCT { ?p esap:title ?t } WHERE { ?p a esap:Platform ; esap:title ?t }"
ASK = PREFIX + f"ASK {{ <urn:uuid:{MYBINDER}> a esap:Platform }}"


# -- SPARQLWrapper -------------------------------------------------------------------------


def wrapper(live_server: LiveServer, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(live_server.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == "POST":
        client.setMethod(POST)
    elif method == "POSTDIRECTLY":
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    return client


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"], ids=["get", "post-form", "post-direct"])
def test_sparqlwrapper_select_json(live_server: LiveServer, method: str) -> None:
    result = wrapper(live_server, TITLES, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    titles = [b["title"]["value"] for b in result["results"]["bindings"]]
    assert len(titles) == 7 and titles == sorted(titles)


def test_sparqlwrapper_select_xml_csv_tsv(live_server: LiveServer) -> None:
    xml = wrapper(live_server, TITLES, XML).queryAndConvert()
    assert isinstance(xml, XMLDocument) and len(xml.getElementsByTagName("result")) == 7
    csv = wrapper(live_server, TITLES, CSV).queryAndConvert()
    assert csv.decode().splitlines()[0] == "e,title" and len(csv.decode().splitlines()) == 8
    tsv = wrapper(live_server, TITLES, TSV).queryAndConvert()
    assert tsv.decode().splitlines()[0] == "?e\t?title"


def test_sparqlwrapper_ask(live_server: LiveServer) -> None:
    assert wrapper(live_server, ASK, JSON).queryAndConvert()["boolean"] is True
    assert wrapper(live_server, ASK, XML).queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize(("fmt", "parse"), [(TURTLE, "turtle"), (RDFXML, None), (JSONLD, None)], ids=["turtle", "rdfxml", "jsonld"])
def test_sparqlwrapper_construct(live_server: LiveServer, fmt: str, parse: str | None) -> None:
    result = wrapper(live_server, CONSTRUCT, fmt).queryAndConvert()
    graph = Graph().parse(data=result, format=parse) if parse else result
    assert isinstance(graph, Graph) and len(graph) == 7
    assert (URIRef(f"urn:uuid:{MYBINDER}"), ESAP.title, Literal("MyBinder")) in graph


def test_sparqlwrapper_update_with_the_token(live_server: LiveServer) -> None:
    client = SPARQLWrapper(live_server.sparql, updateEndpoint=f"{live_server.base_url}/update")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { GRAPH <urn:test:live> { <urn:test:s> <urn:test:p> 'live' } }")
    with pytest.raises(Exception, match="401|Unauthorized"):
        client.query()
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    assert client.query().response.status == 204
    check = wrapper(live_server, "ASK { GRAPH <urn:test:live> { ?s ?p 'live' } }", JSON).queryAndConvert()
    assert check["boolean"] is True
    client.setQuery("DROP GRAPH <urn:test:live>")
    client.query()
    assert wrapper(live_server, "ASK { ?s ?p 'live' }", JSON).queryAndConvert()["boolean"] is False


def test_sparqlwrapper_sees_parse_errors(live_server: LiveServer) -> None:
    with pytest.raises(Exception, match="400|QueryBadFormed|bad"):
        wrapper(live_server, "SELECT ?x WHERE { ?x ?y }", JSON).queryAndConvert()


# -- rdflib's SPARQLStore ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("return_format", "method"),
    [("xml", "GET"), ("json", "POST"), ("xml", "POST_FORM")],
    ids=["xml-get", "json-post-direct", "xml-post-form"],
)
def test_rdflib_sparqlstore(live_server: LiveServer, return_format: str, method: str) -> None:
    store = SPARQLStore(query_endpoint=live_server.sparql, returnFormat=return_format, method=method)
    union = Dataset(store=store, default_union=True)
    rows = list(union.query(TITLES))
    assert len(rows) == 7 and str(rows[0][1]) <= str(rows[-1][1])
    assert union.query(ASK).askAnswer is True
    if return_format == "xml":  # it then accepts RDF/XML too; with "json" it accepts no RDF format
        constructed = union.query(CONSTRUCT).graph
        assert constructed is not None and len(constructed) == 7


def test_rdflib_sparqlstore_graph_uses_default_graph_uri(live_server: LiveServer) -> None:
    store = SPARQLStore(query_endpoint=live_server.sparql)
    entry = Graph(store=store, identifier=URIRef(f"urn:uuid:{NOTEBOOK}"))
    titles = {str(o) for o in entry.objects(URIRef(f"urn:uuid:{NOTEBOOK}"), ESAP.title)}
    assert titles == {"Find ESCAPE OSSR records"}
    assert len(list(entry.query(TITLES))) == 1  # only this entry's graph is the default graph
    vocabulary = Graph(store=store, identifier=VOCABULARY_GRAPH)
    assert (ESAP.Executable, None, None) in vocabulary


# -- raw HTTP ---------------------------------------------------------------------------------


def test_raw_http(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        response = http.post("/sparql", content=TITLES, headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert http.get("/executables").json()["executables"][0]["uuid"]
        assert "Accept" in http.get(f"/executables/{NOTEBOOK}", headers={"Accept": "text/turtle"}).headers["vary"]
        assert http.post("/executables", json=new_executable()).status_code == 401
        assert http.post("/validate", json=new_executable()).json()["conforms"] is True


@pytest.mark.parametrize(
    "slow",
    [
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        # about 4 s of work inside the store, which cannot be interrupted: answered at the limit
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
    ],
    ids=["streaming", "aggregate"],
)
def test_other_requests_carry_on_while_a_query_runs_out_of_time(live_server: LiveServer, slow: str) -> None:
    """Other requests are answered while the query runs; how soon (and how soon the query
    stops) are figures of ``bench/bench_limits.py``."""
    outcome: dict[str, object] = {}

    def run_slow() -> None:
        with httpx.Client(timeout=30) as http:
            response = http.get(live_server.sparql, params={"query": slow})
        outcome["status"] = response.status_code
        outcome["body"] = response.json()

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.2)
    answered = 0
    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        while thread.is_alive():
            assert http.get("/health").status_code == 200
            assert http.get("/sparql", params={"query": ASK}).json()["boolean"] is True
            answered += 1
            time.sleep(0.05)
    thread.join()
    assert outcome["status"] == 503 and outcome["body"]["error"] == "timeout"  # type: ignore[index]
    assert answered, "no other request was answered while the query ran"


# -- esap-registry serve --------------------------------------------------------------------------


def test_serve_command(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("from-a-file\n")
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "esap-registry"), "serve", "--store", "memory", "--examples",
        "--host", "127.0.0.1", "--port", str(port), "--token-file", str(token_file), "--log-level", "warning",
    ]
    env = {k: v for k, v in os.environ.items() if k != "ESAP_REGISTRY_TOKEN"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None, "the server did not start"
        assert health["executables"] == 7 and health["platforms"] == 7 and health["writable"] is True
        base = f"http://127.0.0.1:{port}"
        assert httpx.post(f"{base}/executables", json=new_executable(), headers=AUTH).status_code == 401
        stored = httpx.post(f"{base}/executables", json=new_executable(), headers={"Authorization": "Bearer from-a-file"})
        assert stored.status_code == 201
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert b"from-a-file" not in output
    assert b"writes allowed with the bearer token" in output


def test_serve_runs_several_workers_against_one_remote_store(
    oxigraph_server: OxigraphServer, tmp_path: Path, examples_dir: Path
) -> None:
    """`serve --workers 2` on a remote store: two processes answer, writes through one are
    read through the other; the embedded store refuses more than one worker."""
    port = free_port()
    token_file = tmp_path / "token"
    token_file.write_text("worker-token\n")
    command = [
        str(Path(sys.executable).parent / "esap-registry"), "serve", "--store", oxigraph_server.query_url,
        "--update-url", oxigraph_server.update_url, "--workers", "2", "--examples",
        "--host", "127.0.0.1", "--port", str(port), "--token-file", str(token_file), "--log-level", "warning",
    ]
    env = {k: v for k, v in os.environ.items() if k != "ESAP_REGISTRY_TOKEN"}
    httpx.post(oxigraph_server.update_url, content="DROP ALL", headers={"Content-Type": "application/sparql-update"})
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        processes: set[int] = set()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None and len(processes) < 2:
            try:
                with httpx.Client() as client:  # a new connection each time, so either worker may take it
                    health = client.get(f"{base}/health", timeout=2).json()
                assert health["store"] == "remote" and health["executables"] == 7
                processes.add(health["process"])
            except httpx.TransportError:
                time.sleep(0.2)
        assert len(processes) == 2, "two worker processes answered"
        created = new_executable()
        assert httpx.post(f"{base}/executables", json=created, headers={"Authorization": "Bearer worker-token"}).status_code == 201
        seen = set()
        for _ in range(20):
            with httpx.Client() as client:
                response = client.get(f"{base}/executables/{created['executables'][0]['uuid']}", headers={"Accept": "application/json"})
                assert response.status_code == 200
                seen.add(client.get(f"{base}/health").json()["process"])
        assert seen <= processes
    finally:
        process.terminate()
        process.communicate(timeout=30)
    refused = subprocess.run(
        [str(Path(sys.executable).parent / "esap-registry"), "serve", "--store", str(tmp_path / "embedded"), "--workers", "2"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert refused.returncode == 2 and "needs a remote store" in refused.stderr
