"""Load on the real server (``esap-registry serve`` on its embedded store, a subprocess):
16 concurrent clients mixing reads, plans, SPARQL and writes for 60 s with no error and
every acknowledged write readable afterwards; and a runaway SPARQL query
stopped at the time limit while simple requests are still answered. (Memory and latency
figures: ``bench/bench_limits.py``.)

``ESAP_LOAD_SECONDS`` shortens the load for local runs; CI runs the full 60 s.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from faults_support import AUTH, Serve, serving

from registry import backup
from registry.store import open_store

#: How long the clients run (seconds).
LOAD_SECONDS = float(os.environ.get("ESAP_LOAD_SECONDS") or 60)
CLIENTS = 16
#: Each client keeps at most this many entries of its own alive.
OWN_ENTRIES = 4
#: The server's SPARQL time limit.
QUERY_TIMEOUT = 2.0
#: Registered executables of the examples, planned and read by the clients.
GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"
NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
SELECT = (
    "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
    "SELECT ?e ?title WHERE { ?e a esap:Executable ; esap:title ?title } ORDER BY ?title LIMIT 20"
)
#: A cartesian product over every quad of the store, three times: billions of rows.
RUNAWAY = "SELECT ?a WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?x ?y ?z } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, example_dump: bytes) -> Iterator[Serve]:
    """The real server on a store holding the examples, with the token and a short query time limit."""
    base = tmp_path_factory.mktemp("load")
    store = open_store(base / "store")
    backup.restore(store, example_dump)
    store.close()
    with serving(str(base / "store"), base / "token", "--query-timeout", str(QUERY_TIMEOUT), "--query-workers", "4") as started:
        yield started


def _entry(uuid: str, title: str) -> dict[str, object]:
    return {
        "uuid": uuid,
        "type": "urn:types/jupyter-notebook",
        "title": title,
        "description": "Written by the load test.",
        "location": {"repository": "https://example.org/load.git", "ref": "main", "path": "nb.ipynb"},
        "compute-resources": [{"mincores": 1, "minmemory": "2GiB"}],
    }


@dataclass
class Client:
    """One client's requests, what it saw, and what the server acknowledged."""

    number: int
    served: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    live: dict[str, str] = field(default_factory=dict)  # uuid -> title acknowledged last
    deleted: set[str] = field(default_factory=set)
    counter: int = 0

    def new_uuid(self) -> str:
        self.counter += 1
        return f"{self.number:08x}-10ad-4000-8000-{self.counter:012x}"


def _run(client: Client, base_url: str, until: float) -> None:
    rng = random.Random(client.number)
    json_accept = {"Accept": "application/json"}
    with httpx.Client(base_url=base_url, timeout=60) as http:
        while time.monotonic() < until:
            choice = rng.random()
            try:
                if choice < 0.2:
                    kind, answer = "list", http.get("/executables", headers=json_accept)
                    expected = {200}
                elif choice < 0.4:
                    uuid = rng.choice([GAIA, NOTEBOOK, *client.live])
                    kind, answer = "read", http.get(f"/executables/{uuid}", headers=json_accept)
                    expected = {200}
                elif choice < 0.55:
                    kind, answer = "sparql", http.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
                    expected = {200}
                elif choice < 0.7:
                    kind, answer = "plan", http.get(f"/plan/{rng.choice([GAIA, NOTEBOOK])}", headers=json_accept)
                    expected = {200}
                elif len(client.live) < OWN_ENTRIES and choice < 0.85:
                    uuid = client.new_uuid()
                    title = f"load client {client.number} entry {client.counter}"
                    kind, answer = "post", http.post("/executables", json={"executables": [_entry(uuid, title)]}, headers=AUTH)
                    expected = {201}
                    if answer.status_code == 201:
                        client.live[uuid] = title
                elif client.live and choice < 0.93:
                    uuid = rng.choice(sorted(client.live))
                    title = f"load client {client.number} entry {uuid[-4:]} at {time.monotonic():.3f}"
                    kind, answer = "put", http.put(f"/executables/{uuid}", json={"executables": [_entry(uuid, title)]}, headers=AUTH)
                    expected = {200, 201}
                    if answer.status_code in expected:
                        client.live[uuid] = title
                elif client.live:
                    uuid = rng.choice(sorted(client.live))
                    kind, answer = "delete", http.delete(f"/executables/{uuid}", headers=AUTH)
                    expected = {204}
                    if answer.status_code == 204:
                        del client.live[uuid]
                        client.deleted.add(uuid)
                else:
                    continue
            except httpx.HTTPError as exc:
                client.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            client.served[kind] = client.served.get(kind, 0) + 1
            if answer.status_code not in expected:
                client.errors.append(f"{kind} {answer.request.url.path}: {answer.status_code} {answer.text[:200]}")


@pytest.mark.slow
def test_sixteen_clients_for_a_minute(server: Serve) -> None:
    clients = [Client(number) for number in range(CLIENTS)]
    until = time.monotonic() + LOAD_SECONDS
    threads = [threading.Thread(target=_run, args=(c, server.base_url, until), name=f"load-{c.number}") for c in clients]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(1)
    errors = [e for c in clients for e in c.errors]
    served: dict[str, int] = {}
    for c in clients:
        for kind, count in c.served.items():
            served[kind] = served.get(kind, 0) + count
    total = sum(served.values())
    print(
        f"\nload: {CLIENTS} clients, {LOAD_SECONDS:g} s: {total} requests served ({total / LOAD_SECONDS:.1f}/s) {served}; "
        f"{len(errors)} errors"
    )
    assert not errors, errors[:10]
    assert served.get("post", 0) and served.get("put", 0) and served.get("delete", 0) and served.get("plan", 0)
    # Every acknowledged write is readable, as acknowledged last.
    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        listing = {e["uuid"]: e["title"] for e in http.get("/executables", headers={"Accept": "application/json"}).json()["executables"]}
        for c in clients:
            for uuid, title in c.live.items():
                assert listing.get(uuid) == title, (uuid, listing.get(uuid), title)
            for uuid in c.deleted:
                assert uuid not in listing
                assert http.get(f"/executables/{uuid}", headers={"Accept": "application/json"}).status_code == 404


@pytest.mark.slow
def test_a_runaway_query_is_stopped_at_the_limit_while_simple_requests_stay_fast(server: Serve) -> None:
    def simple_latencies(http: httpx.Client, seconds: float) -> list[float]:
        latencies = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            began = time.monotonic()
            answer = http.get(f"/executables/{NOTEBOOK}", headers={"Accept": "application/json"})
            latencies.append(time.monotonic() - began)
            assert answer.status_code == 200
        return latencies

    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        before = statistics.median(simple_latencies(http, 1.5))
        result: dict[str, object] = {}

        def runaway() -> None:
            began = time.monotonic()
            with httpx.Client(base_url=server.base_url, timeout=60) as own:
                answer = own.post("/sparql", content=RUNAWAY, headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            result["seconds"] = time.monotonic() - began
            result["status"] = answer.status_code
            result["body"] = answer.json()

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.2)  # the runaway is running
        during = simple_latencies(http, QUERY_TIMEOUT - 0.4)
        thread.join(timeout=60)
        after = statistics.median(simple_latencies(http, 1.0))
    median = statistics.median(during)
    print(
        f"\nrunaway: stopped with {result['status']} after {result['seconds']:.2f} s (limit {QUERY_TIMEOUT:g} s); "
        f"simple requests p50 {before * 1000:.0f} ms before, {median * 1000:.0f} ms during ({len(during)} requests), "
        f"{after * 1000:.0f} ms after"
    )
    assert result["status"] == 503 and result["body"]["error"] == "timeout"  # type: ignore[index]
    assert during, "no simple request was answered while the runaway ran"
