"""Shared fixtures: stores of every backend, a registry, the example and test data."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from engines_support import empty_remote, open_virtuoso
from hypothesis import HealthCheck, settings
from support.oxigraph_server import OxigraphServer, find_oxigraph
from support.virtuoso_server import VirtuosoServer, find_virtuoso

from registry.service import Registry
from registry.store import Store, open_store
from registry.vocabulary import Vocabulary, get_vocabulary

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples"

# Property-based tests: a modest, repeatable run by default (CI); HYPOTHESIS_PROFILE=deep
# for a long random one. The schemathesis run sets its own budget.
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Every store backend the registry runs on here ("remote": a real `oxigraph serve`;
#: "virtuoso": a real Virtuoso 7, `virtuoso-t` on a scratch database).
BACKENDS = ["oxigraph", "memory", "rdflib", "remote", "virtuoso"]


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return get_vocabulary()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def example_dump() -> bytes:
    """A canonical dump (registry.backup) of a registry holding the examples and its
    vocabulary, made once per session: restored where a test needs the examples stored."""
    from registry import backup
    from registry.service import find_files

    store = open_store("memory")
    registry = Registry(store)
    batch = registry.ingest_paths(find_files([EXAMPLES]))
    assert not batch.rejected, batch.rejected
    registry.prepare()
    data = backup.dump(store, "nquads")
    store.close()
    return data


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One `oxigraph serve` on a free 127.0.0.1 port for the whole session (the remote store)."""
    if find_oxigraph() is None:
        pytest.skip("the 'oxigraph' command (pip install oxigraph) is missing")
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph-serve")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[VirtuosoServer]:
    """One Virtuoso 7 (`virtuoso-t` on a scratch database, free 127.0.0.1 ports) for the
    whole session: its start-up takes seconds, so it is made once."""
    if find_virtuoso() is None:
        pytest.skip("Virtuoso (virtuoso-t and isql-vt, Debian's virtuoso-opensource) is not installed")
    with VirtuosoServer() as server:
        yield server


def _open(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if backend == "remote":
        server: OxigraphServer = request.getfixturevalue("oxigraph_server")
        opened = open_store(server.query_url, update_url=server.update_url)
        opened.update("DROP ALL")  # each test starts empty
        return opened
    if backend == "virtuoso":
        return empty_remote(open_virtuoso(request.getfixturevalue("virtuoso_server")))
    return open_store(tmp_path / "store" if backend == "oxigraph" else backend)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store of each backend in turn."""
    opened = _open(request.param, tmp_path, request)
    yield opened
    opened.close()


@pytest.fixture
def registry() -> Iterator[Registry]:
    """A registry on a fresh in-memory pyoxigraph store."""
    opened = open_store("memory")
    yield Registry(opened)
    opened.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A directory for an on-disk store used by CLI tests."""
    return tmp_path / "registry-store"


class Sentinel:
    """A TCP listener on 127.0.0.1 that only counts who connects: the address that
    documents under test point their remote contexts, imports and entities at."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = int(self._socket.getsockname()[1])
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="sentinel", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    self.connections.append(connection.recv(4096) or b"<connected>")
                except OSError:
                    self.connections.append(b"<connected>")

    def fill(self, data: bytes) -> bytes:
        """A document with its ``{port}`` placeholders pointed at this listener."""
        return data.replace(b"{port}", str(self.port).encode())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


@pytest.fixture(scope="session")
def sentinel() -> Iterator[Sentinel]:
    """One listener for the session; tests assert that nothing ever connects to it."""
    listener = Sentinel()
    yield listener
    listener.close()
