"""The remote store going away: a registry web app on a real ``oxigraph serve`` that is
killed (SIGKILL) before and during writes and reads. Every request is answered 503 naming
the endpoint (never 500, never a hang), and once the server is back on the same port the
store holds every write wholly or not at all."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from faults_support import AUTH, TOKEN, synthetic
from support.oxigraph_server import OxigraphServer, find_oxigraph

from registry import backup
from registry.store.remote import RemoteStore
from registry.web import Settings, create_app

GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"


@dataclass
class Remote:
    """An app on a remote store whose server can be killed and started again."""

    server: OxigraphServer
    store: RemoteStore
    client: TestClient

    def restart(self) -> None:
        self.server.start()


@pytest.fixture
def remote(tmp_path: Path, example_dump: bytes) -> Iterator[Remote]:
    if find_oxigraph() is None:
        pytest.skip("the 'oxigraph' command (pip install oxigraph) is missing")
    server = OxigraphServer(tmp_path / "oxigraph").start()
    server.fixed_port = server.port  # started again at the same endpoint after a kill
    store = RemoteStore(server.query_url, server.update_url, timeout=5.0, retries=2, backoff=0.05)
    backup.restore(store, example_dump)
    app = create_app(Settings(token=TOKEN, query_timeout=10.0), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Remote(server, store, client)
    store.close()
    server.stop()


def _assert_unavailable(answer: object, endpoint: str) -> None:
    status = answer.status_code  # type: ignore[attr-defined]
    assert status == 503, (status, answer.text)  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert body["error"] == "store-unavailable" and endpoint in body["message"], body
    assert answer.headers["retry-after"]  # type: ignore[attr-defined]


def test_every_request_gets_503_naming_the_endpoint_while_the_store_is_down(remote: Remote) -> None:
    before = backup.dump(remote.store)
    client, query_url, update_url = remote.client, remote.server.query_url, remote.server.update_url
    new = synthetic().executables(3, seed=21)
    gaia = client.get(f"/executables/{GAIA}", headers={"Accept": "application/json"}).json()
    remote.server.kill()
    for path in ["/executables", f"/executables/{GAIA}", f"/plan/{GAIA}", "/platforms", "/health"]:
        _assert_unavailable(client.get(path, headers={"Accept": "application/json"}), query_url)
    _assert_unavailable(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}), query_url)
    # A write first asks which entries it replaces: the query endpoint is the one named.
    _assert_unavailable(client.post("/executables", json=new, headers=AUTH), query_url)
    _assert_unavailable(client.put(f"/executables/{GAIA}", json={"executables": [gaia]}, headers=AUTH), query_url)
    _assert_unavailable(client.delete(f"/executables/{GAIA}", headers=AUTH), query_url)
    update = client.post("/update", content="DROP ALL", headers={**AUTH, "Content-Type": "application/sparql-update"})
    _assert_unavailable(update, update_url)
    assert "nothing was written" in update.json()["message"]
    remote.restart()
    assert backup.dump(remote.store) == before  # nothing of the refused writes, nothing lost
    assert client.get(f"/executables/{GAIA}", headers={"Accept": "application/json"}).status_code == 200


@pytest.mark.slow
def test_a_kill_during_writes_and_reads_leaves_each_write_whole_or_absent(remote: Remote) -> None:
    rng = random.Random(7)
    client = remote.client
    outcomes: dict[str, int] = {}
    warm = synthetic().executables(60, seed=99)["executables"]
    # The first write pays once for what later ones reuse (contexts, shapes): the second,
    # of new entries as every round writes, is timed.
    assert client.post("/executables", json={"executables": warm}, headers=AUTH).status_code == 201
    fresh = synthetic().executables(60, seed=98)["executables"]
    started = time.monotonic()  # how long a write and a read take with the server up
    assert client.post("/executables", json={"executables": fresh}, headers=AUTH).status_code == 201
    wrote = time.monotonic() - started
    assert client.get("/executables", headers={"Accept": "application/json"}).status_code == 200
    took = time.monotonic() - started
    for round_number in range(10):
        entries = synthetic().executables(60, seed=100 + round_number)["executables"]
        uuids = {e["uuid"] for e in entries}
        writing = round_number % 2 == 0  # kills during a write, and during a read alone
        delay = rng.uniform(0.1 * wrote, 0.9 * wrote) if writing else rng.uniform(0.0, took - wrote)
        killer = threading.Timer(delay, remote.server.kill)
        killer.start()
        began = time.monotonic()
        if writing:
            answer = client.post("/executables", json={"executables": entries}, headers=AUTH)
        else:
            answer = client.get("/executables", headers={"Accept": "application/json"})
        elapsed = time.monotonic() - began
        killer.join()
        assert answer.status_code in ((201, 503) if writing else (200, 503)), answer.text
        if answer.status_code == 503:
            assert remote.server.base_url in answer.json()["message"]
        key = f"{'write' if writing else 'read'} {answer.status_code}"
        outcomes[key] = outcomes.get(key, 0) + 1
        assert elapsed < 60  # never a hang
        remote.restart()
        listing = client.get("/executables", headers={"Accept": "application/json"})
        assert listing.status_code == 200
        stored = {e["uuid"] for e in listing.json()["executables"]} & uuids
        assert stored in (set(), uuids), f"round {round_number}: {len(stored)} of {len(uuids)} stored"
        if writing and answer.status_code == 201:
            assert stored == uuids  # an acknowledged write survives the kill
    print(f"\nkills during a write and a read: {outcomes} (a write took {wrote:.2f} s, a read {took - wrote:.2f} s)")
    assert outcomes.get("write 503", 0) >= 1 and outcomes.get("read 503", 0) >= 1
