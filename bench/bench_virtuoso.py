#!/usr/bin/env python3
"""Benchmark: the registry on Virtuoso 7 beside the embedded store and `oxigraph serve`,
on the examples: the Gaia plan in-process (p50/p99), ingest of every example file
(validated, as ``esap-registry ingest`` does), and a dump -> restore round trip (checked
to give the same bytes). Starts ``virtuoso-t`` (scratch database) and ``oxigraph serve``
on free 127.0.0.1 ports and stops them afterwards.

Usage: ``.venv/bin/python bench/bench_virtuoso.py [--repeat 50]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from registry import backup
from registry.planner import Planner
from registry.service import Registry, find_files
from registry.store import Store, open_store
from registry.store.remote import RemoteStore
from registry.vocabulary import DECIMALS_GRAPH, REVISIONS_GRAPH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support
from tests.support.oxigraph_server import OxigraphServer  # noqa: E402
from tests.support.virtuoso_server import VirtuosoServer  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"


def _empty(store: Store) -> Store:
    names = store.graph_names()
    if names:
        store.drop_graphs(names)
    if isinstance(store, RemoteStore):
        store.update(f"DROP SILENT GRAPH <{REVISIONS_GRAPH}> ; DROP SILENT GRAPH <{DECIMALS_GRAPH}>")
    return store


def _latency(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * len(times)) - 1)]


def measure(store: Store, repeat: int) -> dict[str, str]:
    """The figures of one store, emptied first."""
    _empty(store)
    registry = Registry(store)
    started = time.perf_counter()
    batch = registry.ingest_paths(find_files([EXAMPLES]))
    registry.prepare()
    ingest = time.perf_counter() - started
    assert not batch.rejected, batch.rejected
    planner = Planner(registry)
    p50, p99 = _latency(lambda: planner.plan(GAIA), repeat)
    started = time.perf_counter()
    dumped = backup.dump(store)
    dump_s = time.perf_counter() - started
    _empty(store)
    started = time.perf_counter()
    quads = backup.restore(store, dumped)
    restore_s = time.perf_counter() - started
    same = backup.dump(store) == dumped
    assert same, "dump -> restore -> dump differs"
    return {
        "ingest": f"{ingest:.2f}",
        "plan": f"{p50:.1f} / {p99:.1f}",
        "dump": f"{dump_s:.2f}",
        "restore": f"{restore_s:.2f}",
        "quads": str(quads),
        "same": "yes" if same else "NO",
    }


def run(repeat: int) -> str:
    rows: dict[str, dict[str, str]] = {}
    warm = open_store("memory")  # the vocabulary, shapes and caches made once, outside the timings
    Registry(warm).ingest_paths(find_files([EXAMPLES]))
    warm.close()
    with tempfile.TemporaryDirectory(prefix="bench-virtuoso-") as tmp:
        embedded = open_store(Path(tmp) / "embedded")
        rows["embedded"] = measure(embedded, repeat)
        embedded.close()
        with OxigraphServer(Path(tmp) / "served") as server:
            served = open_store(server.query_url, update_url=server.update_url)
            rows["oxigraph serve"] = measure(served, repeat)
            served.close()
        with VirtuosoServer(Path(tmp) / "virtuoso") as virtuoso:
            remote = RemoteStore(
                virtuoso.query_url, virtuoso.update_url, credentials=virtuoso.credentials,
                graph_store_url=virtuoso.store_url, union_graph="registry",
            )
            rows["virtuoso"] = measure(remote, repeat)
            remote.close()
    lines = [
        f"The examples ({len(find_files([EXAMPLES]))} files); the Gaia plan ({GAIA}) in-process, {repeat} runs after one warm-up.\n",
        "| store | ingest of the examples (s) | Gaia plan p50 / p99 (ms) | dump (s) | restore into an empty store (s) | quads | dump -> restore -> dump identical |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['ingest']} | {row['plan']} | {row['dump']} | {row['restore']} | {row['quads']} | {row['same']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="Gaia plans per store (default 50)")
    args = parser.parse_args(argv)
    print(run(args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
