#!/usr/bin/env python3
"""Benchmark: the registry's web service against ``oxigraph serve`` on the same data.

It ingests ``examples/`` into an on-disk registry store, dumps that store as
N-Quads and loads the dump into a second directory with ``oxigraph load``; then it
starts ``esap-registry serve`` (uvicorn, one process) on the first and
``oxigraph serve`` on the second, each on a free 127.0.0.1 port, and measures,
for 1, 4 and 16 concurrent clients (threads with keep-alive connections), the
requests per second and the p50/p99 latency of:

- a simple SPARQL SELECT (the executables and their titles, written with
  ``GRAPH`` so that it means the same on both servers), on both servers;
- ``GET /plan/{uuid}`` on the registry.

Every level is bounded by a number of requests and a time limit; only loopback
addresses are used; both servers are stopped (by their own process ids) at the
end. Clients and servers share the machine, so the figures include the clients'
own work. Prints a Markdown table and writes ``bench/results/web.json``.

Usage: ``.venv/bin/python bench/bench_web.py [--requests 2000] [--seconds 8] [--clients 1 4 16]``
"""

from __future__ import annotations

import argparse
import http.client
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentile, save, table

from registry.resources import data_dir
from registry.service import Registry, find_files
from registry.store import open_store
from registry.store.oxigraph_server import OxigraphServer, find_oxigraph

QUERY = """PREFIX esap: <https://w3id.org/esap-registry/vocab#>
SELECT ?executable ?title WHERE { GRAPH ?executable { ?executable a esap:Executable ; esap:title ?title } }"""
PLANNED = "5cec9f3d-79c0-49ad-9a5a-455596c55341"  # "Find ESCAPE OSSR records"
ACCEPT = {"Accept": "application/sparql-results+json"}


@dataclass
class Level:
    """What one concurrency level measured."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


def run_level(port: int, path: str, headers: dict[str, str], clients: int, requests: int, seconds: float) -> Level:
    """``clients`` threads, each with its own keep-alive connection, send GETs until
    ``requests`` have been sent in all or ``seconds`` have passed."""
    level = Level()
    lock = threading.Lock()
    sent = [0]
    stop_at = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        own: list[float] = []
        errors = 0
        try:
            while time.monotonic() < stop_at:
                with lock:
                    if sent[0] >= requests:
                        break
                    sent[0] += 1
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                own.append(time.perf_counter() - started)
                if response.status != 200:
                    errors += 1
        finally:
            connection.close()
            with lock:
                level.latencies += own
                level.errors += errors

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    level.seconds = time.perf_counter() - started
    return level


def warm(port: int, path: str, headers: dict[str, str]) -> None:
    """A few requests first, and a check that the answer is a 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(20):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path} on port {port} answered {response.status}: {body[:300]!r}")
    connection.close()


def wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start in {timeout:g} s")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per level at most (default 2000)")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per level at most (default 8)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16], help="concurrency levels (default 1 4 16)")
    options = parser.parse_args()
    if find_oxigraph() is None:
        raise SystemExit("the 'oxigraph' command is missing: pip install oxigraph")
    esap_registry = Path(sys.executable).parent / "esap-registry"

    with tempfile.TemporaryDirectory(prefix="bench-web-") as scratch:
        root = Path(scratch)
        store = open_store(root / "registry")
        registry = Registry(store)
        batch = registry.ingest_paths(find_files([data_dir("examples")]))
        registry.prepare()
        dump = root / "registry.nq"
        dump.write_bytes(store.dump("nquads"))
        store.close()
        subprocess.run(
            [str(find_oxigraph()), "load", "--location", str(root / "oxigraph"), "--file", str(dump)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        quads = sum(1 for line in dump.read_text(encoding="utf-8").splitlines() if line.strip())
        print(f"data: {batch.executables} executables, {batch.platforms} platforms, {quads} quads with the vocabulary\n", file=sys.stderr)

        port = free_port()
        registry_server = subprocess.Popen(
            [str(esap_registry), "serve", "--store", str(root / "registry"), "--port", str(port), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        oxigraph = OxigraphServer(root / "oxigraph")
        rows: list[list[object]] = []
        results: list[dict[str, object]] = []
        try:
            wait_for(port, registry_server)
            oxigraph.start()
            targets = [
                ("esap-registry (uvicorn)", port, "/sparql?" + urlencode({"query": QUERY}), ACCEPT, "SPARQL SELECT"),
                ("oxigraph serve", oxigraph.port, "/query?" + urlencode({"query": QUERY}), ACCEPT, "SPARQL SELECT"),
                ("esap-registry (uvicorn)", port, f"/plan/{PLANNED}", {"Accept": "application/json"}, "GET /plan/{uuid}"),
            ]
            for name, target_port, path, headers, what in targets:
                warm(target_port, path, headers)
                for clients in options.clients:
                    level = run_level(target_port, path, headers, clients, options.requests, options.seconds)
                    count = len(level.latencies)
                    rate = count / level.seconds if level.seconds else 0.0
                    p50 = percentile(level.latencies, 50) * 1000
                    p99 = percentile(level.latencies, 99) * 1000
                    rows.append([what, name, clients, count, f"{rate:.0f}", f"{p50:.2f}", f"{p99:.2f}", level.errors])
                    results.append(
                        {"request": what, "server": name, "clients": clients, "requests": count,
                         "requests_per_s": round(rate, 1), "p50_ms": round(p50, 3), "p99_ms": round(p99, 3),
                         "errors": level.errors}
                    )
        finally:
            oxigraph.stop()
            registry_server.terminate()
            try:
                registry_server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                registry_server.kill()
                registry_server.wait(timeout=20)

    print(table(["request", "server", "clients", "requests", "req/s", "p50 ms", "p99 ms", "errors"], rows))
    machine = f"{platform.machine()}, Python {platform.python_version()}"
    print(f"\nloopback, clients and servers on the same machine ({machine}); at most {options.requests} requests or {options.seconds:g} s per row")
    path = save("web", {"machine": machine, "query": QUERY, "plan": PLANNED, "results": results})
    print(f"results: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
