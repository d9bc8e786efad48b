#!/usr/bin/env python3
"""Benchmark: the registry's web service against ``oxigraph serve`` (the native limit)
and rdflib-endpoint (the Python peer) on the same data.

It ingests ``examples/`` into an on-disk registry store (plus ``--executables`` and
``--platforms`` synthetic entries, bulk-loaded), dumps that store as N-Quads, loads
the dump into a second directory with ``oxigraph load`` and into an rdflib
``Dataset`` (``rdflib_peer.py``); then it starts ``esap-registry serve`` (uvicorn,
one process) on the first, ``oxigraph serve`` on the second and rdflib-endpoint
(uvicorn, one process) on the third, each on a free 127.0.0.1 port, and measures,
for 1, 4 and 16 concurrent clients (threads with keep-alive connections), the
requests per second and the p50/p99 latency of:

- a simple SPARQL SELECT (the executables and their titles, written with
  ``GRAPH`` so that it means the same on every server), on the three servers;
- ``GET /plan/{uuid}`` on the registry.

Every level is bounded by a number of requests and a time limit; only loopback
addresses are used; the servers are stopped (by their own process ids) at the
end. Clients and servers share the machine, so the figures include the clients'
own work. Prints a Markdown table and writes ``bench/results/web.json``.

Usage: ``.venv/bin/python bench/bench_web.py [--requests 2000] [--seconds 8] [--clients 1 4 16] [--executables 0] [--platforms 0]``
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
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support

from common import percentile, save, table  # noqa: E402
from stores import embedded  # noqa: E402

from tests.support.oxigraph_server import OxigraphServer, find_oxigraph

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


def solutions(port: int, path: str, headers: dict[str, str]) -> int:
    """How many solutions a SPARQL SELECT (JSON results) answers."""
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers)
    body = connection.getresponse().read()
    connection.close()
    return len(json.loads(body)["results"]["bindings"])


def wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0, path: str = "/health") -> None:
    """Until the server answers ``GET path`` (any status), or fail when it exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start in {timeout:g} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started here, by its own process id."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(
    clients: list[int],
    *,
    requests: int = 2000,
    seconds: float = 8.0,
    executables: int = 0,
    platforms: int = 0,
    peer_seconds: float | None = None,
    scratch: Path | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Requests per second and p50/p99 per server, request and number of clients.

    :param executables: synthetic executables added to the examples (bulk-loaded, no SHACL).
    :param platforms: synthetic platforms added likewise.
    :param peer_seconds: seconds per level for rdflib-endpoint (default: ``seconds``).
    :returns: ``{"data": {...}, "query": text, "plan": uuid, "sparql"|"plan": {server: {str(clients):
        {requests, requests_per_s, p50_ms, p99_ms, errors}}}}`` with servers ``registry``,
        ``oxigraph`` and ``rdflib_endpoint`` for ``sparql`` and ``registry`` for ``plan``.
    :raises SystemExit: when a server does not start or answers an error.
    """
    if find_oxigraph() is None:
        raise SystemExit("the 'oxigraph' command is missing: pip install oxigraph")
    esap_registry = Path(sys.executable).parent / "esap-registry"
    results: dict[str, Any] = {"query": QUERY, "plan_executable": PLANNED, "sparql": {}, "plan": {}}
    with tempfile.TemporaryDirectory(prefix="bench-web-", dir=scratch) as tmp:
        root = Path(tmp)
        registry, _ = embedded(root / "registry", platforms, executables)
        dump = root / "registry.nq"
        dump.write_bytes(registry.store.dump("nquads"))
        entries = registry.entries()
        registry.store.close()
        subprocess.run(
            [str(find_oxigraph()), "load", "--location", str(root / "oxigraph"), "--file", str(dump)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        quads = sum(1 for line in dump.read_text(encoding="utf-8").splitlines() if line.strip())
        results["data"] = {"executables": sum(e.kind == "executable" for e in entries), "platforms": sum(e.kind == "platform" for e in entries),
                           "quads": quads}
        log(f"web: {results['data']}")

        port, peer_port = free_port(), free_port()
        registry_server = subprocess.Popen(
            [str(esap_registry), "serve", "--store", str(root / "registry"), "--port", str(port), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        peer = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent / "rdflib_peer.py"), str(dump), str(peer_port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        oxigraph = OxigraphServer(root / "oxigraph")
        try:
            wait_for(port, registry_server)
            wait_for(peer_port, peer, timeout=300, path="/?" + urlencode({"query": "ASK {}"}))
            oxigraph.start()
            targets = [
                ("sparql", "registry", port, "/sparql?" + urlencode({"query": QUERY}), ACCEPT, seconds),
                ("sparql", "oxigraph", oxigraph.port, "/query?" + urlencode({"query": QUERY}), ACCEPT, seconds),
                ("sparql", "rdflib_endpoint", peer_port, "/?" + urlencode({"query": QUERY}), ACCEPT, peer_seconds or seconds),
                ("plan", "registry", port, f"/plan/{PLANNED}", {"Accept": "application/json"}, seconds),
            ]
            answers: dict[str, int] = {}
            for what, name, target_port, path, headers, limit in targets:
                warm(target_port, path, headers)
                if what == "sparql":
                    answers[name] = solutions(target_port, path, headers)
                    if len(set(answers.values())) > 1:
                        raise SystemExit(f"the servers give different answers to the SELECT: {answers}")
                for count in clients:
                    level = run_level(target_port, path, headers, count, requests, limit)
                    done = len(level.latencies)
                    rate = done / level.seconds if level.seconds else 0.0
                    results[what].setdefault(name, {})[str(count)] = {
                        "requests": done, "requests_per_s": round(rate, 1),
                        "p50_ms": round(percentile(level.latencies, 50) * 1000, 3) if done else None,
                        "p99_ms": round(percentile(level.latencies, 99) * 1000, 3) if done else None,
                        "errors": level.errors,
                    }
                    log(f"web: {what} {name} {count} clients: {rate:.0f} req/s")
                    if level.errors:
                        raise SystemExit(f"{name} answered {level.errors} errors to {path}")
        finally:
            oxigraph.stop()
            stop(registry_server)
            stop(peer)
    results["machine"] = f"{platform.machine()}, Python {platform.python_version()}"
    return results


def markdown(results: dict[str, Any]) -> str:
    """One row per request, server and number of clients, with the rate relative to ``oxigraph serve``."""
    rows = []
    for what, label in (("sparql", "SPARQL SELECT"), ("plan", "GET /plan/{uuid}")):
        for server, levels in results[what].items():
            for clients, f in levels.items():
                native = results["sparql"].get("oxigraph", {}).get(clients, {}).get("requests_per_s") if what == "sparql" else None
                ratio = f"{f['requests_per_s'] / native:.2f}" if native else "-"
                rows.append([label, server, clients, f["requests"], f["requests_per_s"], f["p50_ms"], f["p99_ms"], ratio, f["errors"]])
    return table(["request", "server", "clients", "requests", "req/s", "p50 ms", "p99 ms", "req/s vs oxigraph", "errors"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per level at most (default 2000)")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per level at most (default 8)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16], help="concurrency levels (default 1 4 16)")
    parser.add_argument("--executables", type=int, default=0, help="synthetic executables added to the examples")
    parser.add_argument("--platforms", type=int, default=0, help="synthetic platforms added to the examples")
    options = parser.parse_args()
    results = run(options.clients, requests=options.requests, seconds=options.seconds, executables=options.executables,
                  platforms=options.platforms, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(markdown(results))
    print(f"\nloopback, clients and servers on the same machine ({results['machine']}); at most {options.requests} requests or {options.seconds:g} s per row")
    path = save("web", results)
    print(f"results: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
