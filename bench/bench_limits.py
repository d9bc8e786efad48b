#!/usr/bin/env python3
"""Time limits and memory (the ``limits`` section of ``bench/run.py``): the figures the tests
used to assert, measured here instead (the tests keep the behaviour: a query past its limit
is stopped with 503, other requests are answered meanwhile, writes under load are kept).

- ``store_deadline_s``: an embedded store writing its own results of a cartesian query stops
  at a 0.3 s deadline (``tests/test_store.py``); target under 1.5 s.
- ``endpoint_timeout_s``: ``/sparql`` with a 0.4 s limit answers 503, streaming and
  aggregate queries (``tests/web/test_web_sparql.py``); target under 1.5 s.
- ``closure_s``: the OWL-RL closure of the vocabulary alone (``tests/test_taxonomies.py``);
  target under 30 s.
- ``live``: ``esap-registry serve`` (a subprocess, 1 s limit, the examples): how soon a slow
  query is stopped (target 0.9-3 s) and the slowest other request meanwhile (target under
  0.8 s; ``tests/web/test_web_live.py``); the median of simple requests before, during and
  after a runaway query (targets: during under max(0.25 s, 10x before), after under
  max(0.1 s, 3x before)); the server's RSS growth over a burst of mixed requests (target
  under 300 MiB; ``tests/test_load.py``).

    .venv/bin/python bench/bench_limits.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import owlrl
from rdflib import Graph, Literal, URIRef

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save, table  # noqa: E402

from registry.errors import QueryTimeout  # noqa: E402
from registry.service import Registry, find_files  # noqa: E402
from registry.store import open_store  # noqa: E402
from registry.store.base import Deadline  # noqa: E402
from registry.vocabulary import ESAP, VOCABULARY_GRAPH, get_vocabulary  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
CARTESIAN = "SELECT * WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m } }"
SLOW = {
    "streaming": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "aggregate": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
}
ASK = f"ASK {{ ?p a <{ESAP.Platform}> }}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIVE_TIMEOUT = 1.0


def store_deadline() -> float:
    """Seconds until an embedded store's own results of a cartesian query stop at 0.3 s."""
    store = open_store("memory")
    graph = Graph()
    entry = URIRef("urn:uuid:00000000-0000-4000-8000-00000000000a")
    for n in range(42):
        graph.add((entry, ESAP.title, Literal(f"title {n}")))
    store.replace_graphs({entry: graph})
    started = time.monotonic()
    try:
        store.select_results(CARTESIAN, "json", deadline=Deadline(0.3))
    except QueryTimeout:
        pass
    else:
        raise RuntimeError("the cartesian query was not stopped at its deadline")
    finally:
        store.close()
    return time.monotonic() - started


def _example_store() -> Any:
    store = open_store("memory")
    registry = Registry(store)
    batch = registry.ingest_paths(find_files([EXAMPLES]))
    if batch.rejected:
        raise RuntimeError(f"examples rejected: {batch.rejected}")
    registry.prepare()
    return store


def endpoint_timeout() -> dict[str, float]:
    """Seconds until ``/sparql`` with a 0.4 s limit answers each slow query with 503."""
    from fastapi.testclient import TestClient

    from registry.web.app import create_app
    from registry.web.settings import Settings

    queries = {
        "streaming": SLOW["streaming"],
        "answered-at-the-limit": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{VOCABULARY_GRAPH}> {{ ?a ?b ?c }} "
        f"GRAPH <{VOCABULARY_GRAPH}> {{ ?d ?e ?f }} }}",
    }
    figures = {}
    with TestClient(create_app(Settings(query_timeout=0.4, query_workers=2), store=_example_store())) as client:
        for name, query in queries.items():
            started = time.monotonic()
            response = client.get("/sparql", params={"query": query})
            figures[name] = time.monotonic() - started
            if response.status_code != 503:
                raise RuntimeError(f"{name}: answered {response.status_code}, not 503")
    return figures


def closure() -> float:
    """Seconds for the OWL-RL closure of the vocabulary alone."""
    graph = Graph()
    for triple in get_vocabulary().graph:
        graph.add(triple)
    started = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving() -> Iterator[tuple[str, int]]:
    """``esap-registry serve --store memory --examples`` with a 1 s limit: its URL and pid."""
    port = _free_port()
    command = [str(Path(sys.executable).parent / "esap-registry"), "serve", "--store", "memory", "--examples",
               "--port", str(port), "--query-timeout", str(LIVE_TIMEOUT), "--query-workers", "2"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise RuntimeError(f"esap-registry serve did not start: {errors.read().decode()[-500:]}")
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc")


def _in_thread(function: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        began = time.monotonic()
        outcome["status"] = function()
        outcome["seconds"] = time.monotonic() - began

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def live(burst_seconds: float) -> dict[str, Any]:
    """The figures of a running server (see the module's docstring)."""
    figures: dict[str, Any] = {}
    with _serving() as (url, pid), httpx.Client(base_url=url, timeout=30) as http:
        for name, query in SLOW.items():
            thread, outcome = _in_thread(lambda q=query: httpx.get(url + "/sparql", params={"query": q}, timeout=30).status_code)
            time.sleep(0.2)
            latencies = []
            while thread.is_alive():
                began = time.monotonic()
                http.get("/health")
                http.get("/sparql", params={"query": ASK})
                latencies.append(time.monotonic() - began)
                time.sleep(0.05)
            thread.join()
            figures[f"slow_{name}_s"] = outcome["seconds"]
            figures[f"others_{name}_max_s"] = max(latencies) if latencies else None

        def simple(seconds: float) -> float:
            latencies = []
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                began = time.monotonic()
                http.get(f"/executables/{NOTEBOOK}", headers={"Accept": "application/json"})
                latencies.append(time.monotonic() - began)
            return statistics.median(latencies)

        figures["simple_before_s"] = simple(1.0)
        thread, outcome = _in_thread(
            lambda: httpx.post(url + "/sparql", content=RUNAWAY, timeout=30,
                               headers={"Content-Type": "application/sparql-query"}).status_code
        )
        time.sleep(0.2)
        figures["simple_during_s"] = simple(LIVE_TIMEOUT - 0.4)
        thread.join()
        figures["runaway_s"] = outcome["seconds"]
        figures["simple_after_s"] = simple(1.0)
        rss_start = _rss_mib(pid)
        end = time.monotonic() + burst_seconds
        served = 0
        while time.monotonic() < end:
            http.get("/executables", headers={"Accept": "application/json"})
            http.get(f"/plan/{NOTEBOOK}")
            http.get("/sparql", params={"query": ASK})
            served += 3
        figures["burst_requests"] = served
        figures["rss_growth_mib"] = _rss_mib(pid) - rss_start
    return figures


def run(burst_seconds: float = 20.0, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every figure of the section, with its target and whether it was met.

    :param burst_seconds: how long the burst of mixed requests runs (the RSS growth).
    """
    results: dict[str, Any] = {}
    log("limits: store deadline")
    results["store_deadline_s"] = store_deadline()
    log("limits: endpoint time limit")
    results["endpoint_timeout_s"] = endpoint_timeout()
    log("limits: OWL-RL closure")
    results["closure_s"] = closure()
    log("limits: a running server")
    results["live"] = live(burst_seconds)
    results["targets"] = targets(results)
    return results


def targets(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The limits the tests asserted before, as targets: ``{name: {target, measured, met}}``."""
    live_ = results["live"]
    before = live_["simple_before_s"]
    rows = {
        "store deadline (0.3 s)": ("< 1.5 s", results["store_deadline_s"], results["store_deadline_s"] < 1.5),
        "closure": ("< 30 s", results["closure_s"], results["closure_s"] < 30),
        "runaway stopped (limit 1 s)": (f"{LIVE_TIMEOUT:g}-{LIVE_TIMEOUT + 1.5:g} s", live_["runaway_s"],
                                        LIVE_TIMEOUT <= live_["runaway_s"] < LIVE_TIMEOUT + 1.5),
        "simple p50 during runaway": (f"< {max(0.25, 10 * before):.3f} s", live_["simple_during_s"],
                                      live_["simple_during_s"] < max(0.25, 10 * before)),
        "simple p50 after runaway": (f"< {max(0.1, 3 * before):.3f} s", live_["simple_after_s"],
                                     live_["simple_after_s"] < max(0.1, 3 * before)),
        "server RSS growth (burst)": ("< 300 MiB", live_["rss_growth_mib"], live_["rss_growth_mib"] < 300),
    }
    for name, seconds in results["endpoint_timeout_s"].items():
        rows[f"/sparql 503 at 0.4 s ({name})"] = ("< 1.5 s", seconds, seconds < 1.5)
    for name in SLOW:
        stopped, others = live_[f"slow_{name}_s"], live_[f"others_{name}_max_s"]
        rows[f"slow query stopped ({name})"] = ("0.9-3 s", stopped, 0.9 < stopped < 3.0)
        rows[f"other requests meanwhile, max ({name})"] = ("< 0.8 s", others, others is not None and others < 0.8)
    return {name: {"target": t, "measured": None if m is None else round(m, 3), "met": met} for name, (t, m, met) in rows.items()}


def markdown(results: dict[str, Any]) -> str:
    return table(["figure", "target", "measured", "met?"],
                 [[name, t["target"], t["measured"], "yes" if t["met"] else "no"] for name, t in results["targets"].items()])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    figures = run(3.0 if args.quick else 20.0, log=lambda m: print(m, file=sys.stderr))
    print(markdown(figures))
    print(json.dumps(figures, indent=2, default=str))
    save("limits", figures)
