"""Fixtures of the web tests: apps on stores holding the examples, TestClients, and
a real uvicorn server on a free 127.0.0.1 port for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_support import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, TOKEN, LiveServer, running

from registry.service import Registry, find_files
from registry.store import Store, open_store
from registry.web import Settings, create_app


@pytest.fixture(scope="session")
def example_quads(examples_dir: Path) -> bytes:
    """Every quad of a store holding the examples (ingested once per session)."""
    store = open_store("memory")
    registry = Registry(store)
    batch = registry.ingest_paths(find_files([examples_dir]))
    assert not batch.rejected, batch.rejected
    registry.prepare()
    data = store.dump("nquads")
    store.close()
    return data


def _loaded(quads: bytes) -> Store:
    store = open_store("memory")
    store.load(quads, "nquads")
    return store


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(token=TOKEN, max_body_bytes=256 * 1024, query_timeout=5.0)


@pytest.fixture(scope="session")
def read_app(example_quads: bytes, settings: Settings) -> Iterator[FastAPI]:
    """An app on the examples that tests only read from (shared by the session)."""
    store = _loaded(example_quads)
    yield create_app(settings, store=store)
    store.close()


@pytest.fixture(scope="session")
def client(read_app: FastAPI) -> Iterator[TestClient]:
    """A TestClient of the shared read-only-by-convention app: never write through it."""
    with TestClient(read_app) as test_client:
        yield test_client


@pytest.fixture
def write_store(example_quads: bytes) -> Iterator[Store]:
    """A fresh store holding the examples, for one test that writes."""
    store = _loaded(example_quads)
    yield store
    store.close()


@pytest.fixture
def write_client(write_store: Store, settings: Settings) -> Iterator[TestClient]:
    """A TestClient of an app with the token configured, on a store of its own."""
    with TestClient(create_app(settings, store=write_store)) as test_client:
        yield test_client


@pytest.fixture
def readonly_client(write_store: Store) -> Iterator[TestClient]:
    """A TestClient of an app without a token: the service is read-only."""
    with TestClient(create_app(Settings(), store=write_store)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(example_quads: bytes) -> Iterator[LiveServer]:
    """The real server (uvicorn) on a free 127.0.0.1 port, on its own store, with the
    token and a short query time limit; stopped at the end of the session."""
    store = _loaded(example_quads)
    app = create_app(Settings(token=TOKEN, query_timeout=1.0, query_workers=2), store=store)
    with running(app) as base_url:
        yield LiveServer(base_url, store)
    store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one for the session (skipped where it is missing)."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()
