"""Constants and helpers of the web tests (imported by their conftest and modules)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from registry.store import Store

#: Debian's Chromium, which the browser tests drive through Playwright (it cannot download
#: browsers here), and the flags it runs with: headless, no sandbox as root, and nothing
#: that would call out to the network.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = "no browser: /usr/bin/chromium is missing (apt-get install chromium; .ci/run does)"

#: The bearer token the test apps are configured with.
TOKEN = "test-token-7f3a9c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Example uuids used across the tests.
NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
MYBINDER = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01"
#: A small valid executable, not among the examples.
NEW_UUID = "0b5c3a4e-1111-4222-8333-944455556666"


def new_executable(uuid: str = NEW_UUID, title: str = "A new notebook", **extra: object) -> dict[str, object]:
    """A manifest holding one valid executable."""
    entry: dict[str, object] = {
        "uuid": uuid,
        "type": "urn:types/jupyter-notebook",
        "title": title,
        "description": "Written by the web tests.",
        "location": {"repository": "https://example.org/repo.git", "ref": "main", "path": "nb.ipynb"},
        "compute-resources": [{"mincores": 1, "minmemory": "2GiB"}],
    }
    entry.update(extra)
    return {"executables": [entry]}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    """A uvicorn server running the app in a thread."""

    base_url: str
    store: Store

    @property
    def sparql(self) -> str:
        return f"{self.base_url}/sparql"


@contextmanager
def running(app: FastAPI, **config: object) -> Iterator[str]:
    """A uvicorn server running ``app`` in a thread on a free 127.0.0.1 port; its base URL."""
    port = free_port()
    options: dict[str, object] = {"host": "127.0.0.1", "port": port, "log_level": "warning", "lifespan": "on", **config}
    server = uvicorn.Server(uvicorn.Config(app, **options))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
