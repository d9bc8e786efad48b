"""The remote store (a SPARQL 1.1 server): choosing it, binding values, credentials,
faults, and several registry processes writing to one server at once.

The server is a real `oxigraph serve`; the faults that a real server does not
produce on demand (one that never answers, one that refuses credentials) come
from small real HTTP/TCP servers in a thread.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from support.oxigraph_server import OxigraphServer, find_oxigraph

from registry.cli.main import cli
from registry.errors import InputError, QueryError, StoreError, StoreUnavailable
from registry.readers import load_path
from registry.resources import load_query
from registry.service import Registry
from registry.store import Solutions, Store, open_store
from registry.store.credentials import Credentials
from registry.store.protocol import bind_values
from registry.store.remote import RemoteStore
from registry.vocabulary import ESAP

pytestmark = pytest.mark.skipif(find_oxigraph() is None, reason="the 'oxigraph' command is missing")

A = URIRef("urn:uuid:00000000-0000-4000-8000-00000000000a")
B = URIRef("urn:uuid:00000000-0000-4000-8000-00000000000b")
SECRET = "s3cret-do-not-show"


def entry(iri: URIRef, title: str) -> Graph:
    graph = Graph()
    graph.add((iri, ESAP.title, Literal(title)))
    graph.add((iri, ESAP.uuid, Literal(str(iri).removeprefix("urn:uuid:"))))
    return graph


@pytest.fixture
def remote(oxigraph_server: OxigraphServer) -> Iterator[RemoteStore]:
    """The session's server, empty, as a RemoteStore."""
    store = RemoteStore(oxigraph_server.query_url, oxigraph_server.update_url)
    store.update("DROP ALL")
    yield store
    store.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A server of this test's own, which the test may stop."""
    with OxigraphServer(tmp_path / "served") as server:
        yield server


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any store settings of the caller's, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESAP_REGISTRY_")}
    env.update(extra)
    return env


# -- binding values ----------------------------------------------------------------------


def test_values_go_at_the_placeholder_line_past_braces_in_strings_comments_and_iris() -> None:
    query = (
        "# a comment with a brace {\n"
        "PREFIX ex: <http://example.org/{odd}>\n"
        "SELECT ?g (EXISTS { ?g ?p ?o } AS ?any) WHERE {\n"
        "  #@values\n"
        "  ?g ex:title \"}{\" . FILTER(?g != <urn:x>)\n"
        "}"
    )
    bound = bind_values(query, {"g": A, "n": Literal(2)})
    block = f"BIND(<{A}> AS ?g)\n  BIND(\"2\"^^<http://www.w3.org/2001/XMLSchema#integer> AS ?n)"
    assert bound == query.replace("#@values", block)
    construct = bind_values("CONSTRUCT { ?s ?p ?o } WHERE {\n#@values\nGRAPH ?graph { ?s ?p ?o } }", {"graph": A})
    assert construct == f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{\nBIND(<{A}> AS ?graph)\nGRAPH ?graph {{ ?s ?p ?o }} }}"


def test_values_without_their_placeholder_are_refused_never_placed_by_guess() -> None:
    # A query without bindings (a user's, from /sparql) needs no placeholder: it is sent as it is.
    assert bind_values("DESCRIBE ?x", None) == "DESCRIBE ?x"
    assert bind_values("SELECT ?s WHERE { ?s ?p ?o }", {}) == "SELECT ?s WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match=r"queries/entries\.rq has no '#@values' line.*\?entry"):
        bind_values(load_query("entries"), {"entry": A})
    with pytest.raises(QueryError, match=r"the query 'DESCRIBE \?x' has no '#@values' line"):
        bind_values("DESCRIBE ?x", {"x": A})
    with pytest.raises(QueryError, match="has 2 '#@values' line"):
        bind_values("SELECT ?s WHERE {\n#@values\n{ ?s ?p ?o }\n#@values\n}", {"s": A})
    # Only a line of its own is the placeholder: not a comment that mentions it, nor text in a string.
    with pytest.raises(QueryError, match="has no '#@values' line"):
        bind_values('SELECT ?s WHERE { ?s ?p "#@values" } # #@values', {"s": A})


def test_values_are_written_by_pyoxigraph_and_cannot_break_out() -> None:
    injected = Literal('a" } ; DROP ALL ; { "', lang="en")
    bound = bind_values("SELECT ?t WHERE {\n#@values\n?s ?p ?t }", {"t": injected})
    assert '"a\\" } ; DROP ALL ; { \\""@en' in bound
    with pytest.raises(InputError, match="not a valid IRI"):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": URIRef("urn:has space")})
    with pytest.raises(QueryError, match="blank node"):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": BNode()})
    with pytest.raises(QueryError, match="variable name"):
        bind_values("SELECT ?s WHERE { ?s ?p ?o }", {"s o": A})


def test_bound_values_reach_bind_filter_and_exists_as_substitutions_do(store: Store) -> None:
    """The planning queries read bound values in BIND, FILTER and EXISTS: every backend
    must give them the same meaning (on the remote one, BIND lines at #@values, first in WHERE)."""
    store.replace_graphs({A: entry(A, "a"), B: entry(B, "b")})
    query = (
        "SELECT ?g ?wanted ?n ?double ?same WHERE {\n"
        "  #@values\n"
        "  GRAPH ?g { ?g <https://w3id.org/esap-registry/vocab#title> ?title }\n"
        "  BIND(?n * 2 AS ?double)\n"
        "  BIND(EXISTS { GRAPH ?g { ?g ?p ?wanted } } AS ?same)\n"
        "  FILTER(?title = ?wanted)\n"
        "} ORDER BY ?g"
    )
    assert store.query(query).rows == []  # type: ignore[union-attr]
    one = store.query(query, {"wanted": Literal("b"), "n": Literal(21)})
    assert isinstance(one, Solutions)
    assert one.python() == [{"g": str(B), "wanted": "b", "n": 21, "double": 42, "same": True}]


# -- choosing the store, credentials ------------------------------------------------------


def test_open_store_takes_urls_update_urls_and_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("ESAP_REGISTRY_"):
            monkeypatch.delenv(name)
    store = open_store("http://127.0.0.1:9/ds/query", update_url="http://127.0.0.1:9/ds/update")
    assert isinstance(store, RemoteStore)
    assert (str(store.query_url), str(store.update_url)) == ("http://127.0.0.1:9/ds/query", "http://127.0.0.1:9/ds/update")
    assert not store.credentials
    monkeypatch.setenv("ESAP_REGISTRY_UPDATE_URL", "https://db.example.org/repositories/esap/statements")
    monkeypatch.setenv("ESAP_REGISTRY_STORE_TOKEN", SECRET)
    store = open_store("https://db.example.org/repositories/esap")
    assert isinstance(store, RemoteStore)
    assert str(store.update_url) == "https://db.example.org/repositories/esap/statements"
    assert store.credentials.token == SECRET
    assert SECRET not in repr(store) + repr(store.credentials) + str(store.credentials)
    # user information in a URL becomes credentials and leaves the URL
    monkeypatch.delenv("ESAP_REGISTRY_STORE_TOKEN")
    store = open_store(f"http://dba:{SECRET}@127.0.0.1:9/sparql")
    assert isinstance(store, RemoteStore)
    assert (store.credentials.user, store.credentials.password) == ("dba", SECRET)
    assert SECRET not in repr(store) and SECRET not in str(store.query_url)
    # a credentials file
    secrets = tmp_path / "credentials"
    secrets.write_text(f"# the store\nuser = dba\npassword = {SECRET}\nscheme = digest\n")
    store = open_store("http://127.0.0.1:9/sparql-auth", credentials_file=secrets)
    assert isinstance(store, RemoteStore)
    assert (store.credentials.user, store.credentials.password, store.credentials.scheme) == ("dba", SECRET, "digest")
    secrets.write_text(f"{SECRET}\n")
    with pytest.raises(StoreError) as info:
        open_store("http://127.0.0.1:9/sparql", credentials_file=secrets)
    assert SECRET not in str(info.value)
    with pytest.raises(StoreError, match="http"):
        RemoteStore("ftp://127.0.0.1/sparql")


class _Recorder(BaseHTTPRequestHandler):
    """A real HTTP server that records what it is sent and answers a fixed status."""

    status = 200
    seen: list[tuple[str, str | None, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        type(self).seen.append((self.path, self.headers.get("Authorization"), body))
        self.send_response(self.status)
        if self.status == 200:
            payload = b'{"head": {}, "boolean": true}'
            self.send_header("Content-Type", "application/sparql-results+json")
        else:
            payload = f"denied for {self.headers.get('Authorization')}".encode()
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Recorder", (_Recorder,), {"seen": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_credentials_are_sent_to_the_update_endpoint_and_never_shown(recorder: tuple[str, type[_Recorder]]) -> None:
    base, handler = recorder
    store = RemoteStore(f"{base}/query", f"{base}/update", credentials=Credentials(token=SECRET), retries=0)
    store.update("CLEAR SILENT GRAPH <urn:x>")
    assert store.query("ASK { ?s ?p ?o }") is True
    (update_path, update_auth, update_body), (query_path, query_auth, _) = handler.seen
    assert (update_path, update_auth) == ("/update", f"Bearer {SECRET}")
    assert "update=CLEAR+SILENT+GRAPH" in update_body
    assert (query_path, query_auth) == ("/query", f"Bearer {SECRET}")  # same origin
    basic = RemoteStore(f"{base}/query", credentials=Credentials(user="dba", password=SECRET), retries=0)
    basic.update("CLEAR SILENT GRAPH <urn:x>")
    assert handler.seen[-1][1] == "Basic ZGJhOnMzY3JldC1kby1ub3Qtc2hvdw=="
    # an endpoint on another origin never gets them
    other = RemoteStore("http://localhost:9/query", f"{base}/update", credentials=Credentials(token=SECRET))
    assert other._auth_for(other.query_url) is None
    # refused credentials: a clear error naming the endpoint, without the secret the server echoed
    handler.status = 401
    with pytest.raises(StoreError, match=f"{base}/update refused access") as info:
        store.update("CLEAR SILENT GRAPH <urn:x>")
    assert SECRET not in str(info.value)
    handler.status = 500
    with pytest.raises(StoreError, match="HTTP 500") as info:
        store.update("CLEAR SILENT GRAPH <urn:x>")
    assert "denied for Bearer ***" in str(info.value) and SECRET not in str(info.value)


# -- faults ------------------------------------------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A TCP server that accepts connections and never answers (a hung SPARQL server)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_slow_server_is_unavailable_reads_are_retried_writes_sent_once(
    silent_server: tuple[str, list[socket.socket]],
) -> None:
    base, accepted = silent_server
    store = RemoteStore(f"{base}/query", f"{base}/update", timeout=0.3, retries=2, backoff=0.01)
    with pytest.raises(StoreUnavailable, match=rf"{base}/query is unavailable: no answer within 0.3 s \(tried 3 times\)"):
        store.query("ASK { ?s ?p ?o }")
    assert len(accepted) == 3
    with pytest.raises(StoreUnavailable, match=rf"{base}/update .*may or may not have applied it \(never in part\)"):
        store.replace_graphs({A: entry(A, "a")})
    assert len(accepted) == 4


def test_server_errors_are_passed_on_with_their_message(remote: RemoteStore) -> None:
    with pytest.raises(QueryError, match=r"error at 1:15.*refused by http://127\.0\.0\.1:\d+/query, HTTP 400"):
        remote.query("SELECT WHERE {")
    with pytest.raises(QueryError, match=r"/update, HTTP 400"):
        remote.update("INSERT DATA {")
    wrong = RemoteStore(str(remote.query_url).replace("/query", "/nowhere"), retries=0)
    with pytest.raises(StoreError, match="no SPARQL endpoint at"):
        wrong.query("ASK {}")


def test_a_stopped_server_gives_store_unavailable_and_exit_2_naming_the_endpoint(
    own_server: OxigraphServer, examples_dir: Path, tmp_path: Path
) -> None:
    store = RemoteStore(own_server.query_url, own_server.update_url, retries=1, backoff=0.01)
    registry = Registry(store)
    registry.ingest(load_path(examples_dir / "platforms.json"))
    assert len(registry.entries()) == 7
    own_server.stop()
    with pytest.raises(StoreUnavailable, match=f"{own_server.query_url} is unavailable: cannot connect"):
        registry.entries()
    with pytest.raises(StoreUnavailable, match=f"{own_server.update_url} is unavailable.*nothing was written"):
        store.drop_graphs([A])
    # the CLI: exit 2, the endpoint named, no credentials anywhere in what it prints
    secrets = tmp_path / "credentials"
    secrets.write_text(f"user=dba\npassword={SECRET}\n")
    runner = CliRunner()
    env = {"ESAP_REGISTRY_STORE_TOKEN": None, "ESAP_REGISTRY_STORE_TIMEOUT": "2"}
    listed = runner.invoke(
        cli,
        ["list", "--store", own_server.query_url, "--update-url", own_server.update_url, "--credentials-file", str(secrets)],
        env=env,
    )
    assert listed.exit_code == 2
    assert f"{own_server.query_url} is unavailable" in listed.output
    ingested = runner.invoke(
        cli,
        ["ingest", "--store", f"http://dba:{SECRET}@127.0.0.1:{own_server.port}/query", str(examples_dir)],
        env={**env, "ESAP_REGISTRY_UPDATE_URL": own_server.update_url},
    )
    assert ingested.exit_code == 2
    assert f"http://127.0.0.1:{own_server.port}/query is unavailable" in ingested.output
    assert SECRET not in listed.output + ingested.output


# -- the registry on a remote store --------------------------------------------------------


def test_graph_store_protocol_reads_match_the_sparql_reads(remote: RemoteStore, oxigraph_server: OxigraphServer) -> None:
    remote.replace_graphs({A: entry(A, "a"), B: entry(B, "b")})
    gsp = RemoteStore(oxigraph_server.query_url, oxigraph_server.update_url, graph_store_url=oxigraph_server.store_url)
    assert set(gsp.graph(A)) == set(remote.graph(A)) == set(entry(A, "a"))
    assert len(gsp.graph(URIRef("urn:uuid:00000000-0000-4000-8000-0000000000ff"))) == 0
    copy = open_store("memory")
    copy.load(gsp.dump("nquads"))
    assert copy.graph_names() == remote.graph_names() == {A, B}


def test_the_dataset_of_a_query_is_chosen_by_the_protocol(remote: RemoteStore) -> None:
    remote.replace_graphs({A: entry(A, "a"), B: entry(B, "b")})
    titles = "SELECT ?title WHERE { ?s <https://w3id.org/esap-registry/vocab#title> ?title } ORDER BY ?title"
    assert remote.query(titles).rows == []  # type: ignore[union-attr]
    assert remote.query(titles, union_default_graph=True).values("title") == [Literal("a"), Literal("b")]  # type: ignore[union-attr]
    assert remote.query(titles, default_graph=[B]).values("title") == [Literal("b")]  # type: ignore[union-attr]
    assert remote.query(titles, default_graph=[]).rows == []  # type: ignore[union-attr]
    names = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert remote.query(names, named_graphs=[A]).values("g") == [A]  # type: ignore[union-attr]


def _ingest_command() -> list[str]:
    script = Path(sys.executable).with_name("esap-registry")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from registry.cli.main import main; main()"]


def _manifests(folder: Path, who: str, count: int, shared: int) -> None:
    folder.mkdir()
    for i in range(count):
        uuid = f"00000000-0000-4000-8000-{i:012d}" if i < shared else f"{who}-0000-4000-8000-{i:012d}"
        executable = {
            "uuid": uuid,
            "type": "urn:types/jupyter-notebook",
            "title": f"{who} {i}",
            "description": f"written by {who}",
            "compute-resources": [{"mincores": 1 + i % 3, "minmemory": 1}] * (1 if who == "aaaaaaaa" else 2),
        }
        (folder / f"{i:03d}.json").write_text(json.dumps({"executables": [executable]}))


@pytest.mark.slow
def test_two_registry_processes_writing_at_once_lose_nothing(own_server: OxigraphServer, tmp_path: Path) -> None:
    count, shared = 30, 5
    _manifests(tmp_path / "a", "aaaaaaaa", count, shared)
    _manifests(tmp_path / "b", "bbbbbbbb", count, shared)
    command = _ingest_command()
    store = ["--store", own_server.query_url, "--update-url", own_server.update_url, "--quiet"]
    processes = [
        subprocess.Popen(
            [*command, "ingest", *store, str(tmp_path / who)],
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert all(f"{count} of {count} file(s) stored" in out for out, _ in outputs)
    registry = Registry(RemoteStore(own_server.query_url, own_server.update_url))
    entries = registry.entries()
    assert len(entries) == 2 * count - shared
    # an entry both wrote is one version whole, never a mix of the two
    for summary in entries:
        graph = registry.store.graph(URIRef(summary.iri))
        writers = {str(o).split()[-1] for o in graph.objects(URIRef(summary.iri), ESAP.description)}
        needs = set(graph.objects(URIRef(summary.iri), ESAP.computeRequirement))
        assert len(writers) == 1
        assert len(needs) == (1 if writers == {"aaaaaaaa"} else 2)
        assert summary.title is not None and summary.title.split()[0] == writers.pop()


def _versions(who: str, round: int = 0, size: int = 12) -> dict[URIRef, Graph]:
    """Four graphs of a round as written by ``who``: each triple names its writer."""
    graphs = {}
    for i in range(4):
        name = URIRef(f"urn:uuid:00000000-0000-4000-8000-{round:06d}{i:06d}")
        graph = Graph()
        for k in range(size):
            graph.add((name, URIRef(f"urn:example:p{k}"), Literal(who)))
        graphs[name] = graph
    return graphs


def test_writers_of_one_graph_at_the_same_time_leave_it_whole(oxigraph_server: OxigraphServer) -> None:
    """Oxigraph on disk does not detect write-write conflicts: without the revision
    stamps about a third of these lock-step rounds left a mix of both versions."""
    stores = [RemoteStore(oxigraph_server.query_url, oxigraph_server.update_url) for _ in range(3)]
    stores[0].update("DROP ALL")
    rounds, writers = 40, ("a", "b", "c")
    barrier = threading.Barrier(len(writers))
    failures: list[BaseException] = []

    def write(store: RemoteStore, who: str) -> None:
        try:
            for r in range(rounds):
                barrier.wait(timeout=60)
                if who == "c" and r % 4 == 3:
                    store.drop_graphs(_versions(who, r))  # a drop racing the writes
                else:
                    store.replace_graphs(_versions(who, r))
        except BaseException as exc:  # reported below
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=write, args=(s, w)) for s, w in zip(stores, writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for r in range(rounds):
        for name in _versions("a", r):
            graph = stores[0].graph(name)
            found = {str(o) for o in graph.objects()}
            assert len(found) <= 1, f"{name} holds a mix of {sorted(found)}"
            assert len(graph) in (0, 12)
    # the bookkeeping stays out of sight: no revision graph listed or dumped, and one stamp a graph
    assert URIRef("https://w3id.org/esap-registry/graph/revisions") not in stores[0].graph_names()
    assert b"graph/revisions" not in stores[0].dump()
    stamps = stores[0].select(
        "SELECT ?g (COUNT(?t) AS ?n) WHERE { GRAPH <https://w3id.org/esap-registry/graph/revisions> "
        "{ ?g <https://w3id.org/esap-registry/vocab#revision> ?t } } GROUP BY ?g"
    )
    assert all(row["n"] == 1 for row in stamps)
    for store in stores:
        store.close()


def test_a_drop_leaves_no_stamp_and_a_restore_skips_them(remote: RemoteStore) -> None:
    remote.replace_graphs(_versions("a"))
    names = list(_versions("a"))
    remote.drop_graphs(names[:2])
    stamped = remote.select(
        "SELECT ?g WHERE { GRAPH <https://w3id.org/esap-registry/graph/revisions> "
        "{ ?g <https://w3id.org/esap-registry/vocab#revision> ?t } }"
    )
    assert {row["g"] for row in stamped} == {str(n) for n in names[2:]}
    remote.update(
        "INSERT DATA { GRAPH <https://w3id.org/esap-registry/graph/revisions> { <urn:example:x> <urn:example:y> <urn:example:z> } }"
    )
    dumped = remote.dump()
    assert b"revisions" not in dumped
    remote.update("DROP ALL")
    remote.load(dumped + b'<urn:s> <urn:p> "o" <https://w3id.org/esap-registry/graph/revisions> .\n')
    assert remote.graph_names() == set(names[2:])


def test_reads_from_many_threads_share_one_client_and_each_gets_its_own_answer(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner reads a remote store from several threads at once (Store.parallel_reads,
    registry.runtime.gather): one HTTP client is made for them all, and each thread's
    answer is its own query's."""
    assert remote.parallel_reads
    made: list[object] = []

    class SlowToMake(httpx.Client):  # a client that takes a while to make: threads arrive meanwhile
        def __init__(self, *args: object, **kwargs: object) -> None:
            time.sleep(0.05)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            made.append(self)

    remote.replace_graphs({URIRef(f"urn:uuid:00000000-0000-4000-8000-{n:012d}"): entry(URIRef(f"urn:uuid:00000000-0000-4000-8000-{n:012d}"), f"entry {n}") for n in range(24)})
    monkeypatch.setattr(httpx, "Client", SlowToMake)
    remote.close()  # the threads' first read makes the client
    query = "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\nSELECT ?e ?title WHERE {\n  #@values\n  GRAPH ?e { ?e esap:title ?title }\n}"
    clients: set[int] = set()
    answers: dict[int, list[str]] = {}
    start = threading.Barrier(8, timeout=10)

    def read(thread: int) -> None:
        start.wait()
        for n in range(thread, 24, 8):
            iri = URIRef(f"urn:uuid:00000000-0000-4000-8000-{n:012d}")
            rows = remote.select(query, {"e": iri})
            answers[n] = [str(row["title"]) for row in rows]
            clients.add(id(remote._http()))

    threads = [threading.Thread(target=read, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == {n: [f"entry {n}"] for n in range(24)}
    assert len(clients) == 1
    assert len(made) == 1
