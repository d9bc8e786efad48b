#!/usr/bin/env python3
"""Benchmark: the embedded store against a remote SPARQL store (`oxigraph serve`).

In one run it generates N synthetic executables (fixed seed, the shape of
``examples/*.json``), ingests them into the embedded pyoxigraph store on disk and
into an ``oxigraph serve`` (on disk too) that it starts on a free 127.0.0.1 port
and stops afterwards, and prints Markdown tables:

- ingest rate (entries/s) through ``Registry.ingest``, one executable per call
  (as ``esap-registry ingest`` stores one file per request), validation included;
- store write rate (entries/s) of ``Store.replace_graphs`` alone, one entry per
  request and ``--batch`` entries per request;
- query latency p50/p99 (ms) of ``Registry.entries()``, of a SELECT over the union
  of every graph (``bench/union-by-type.rq``), and of one entry's lookup by uuid.

Usage: ``.venv/bin/python bench/bench_remote.py [-n 1000] [--batch 100] [--repeat 50]``
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph, URIRef

from registry.planner import Planner
from registry.readers import Document, load_document, load_path
from registry.service import Registry
from registry.store import Store, open_store

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the repository root: tests.support
from tests.support.oxigraph_server import OxigraphServer  # noqa: E402
from tests.support.synthetic import platforms as synthetic_platforms  # noqa: E402

TYPES = [
    "urn:types/jupyter-notebook",
    "urn:types/docker-container",
    "urn:types/singularity-container",
    "urn:types/batch-job",
    "urn:types/cwl-workflow",
]
CONTENT = ["urn:astrometric-catalogue", "urn:astronomy-image", "urn:gamma-ray-event-list", "urn:neutrino-event"]
FORMATS = ["urn:parquet-binary", "urn:fits-binary", "urn:hdf5-binary", "urn:csv-text"]
MEMORY = [1, 2, "4GiB", "16GiB", "344G", "500MB"]
WALLTIME = ["30min", "2h", "8h", "190h", "2d", "12:30:00"]


def synthetic_executables(n: int, seed: int = 20240501) -> list[dict[str, object]]:
    """N executables shaped like ``examples/*.json``, the same for the same seed."""
    rng = random.Random(seed)
    entries = []
    for i in range(n):
        compute = []
        for _ in range(rng.randint(1, 2)):
            need: dict[str, object] = {"mincores": rng.choice([1, 2, 4, 16, 64]), "minmemory": rng.choice(MEMORY)}
            if rng.random() < 0.5:
                need["walltime"] = rng.choice(WALLTIME)
            if rng.random() < 0.3:
                need["nodes"] = rng.randint(1, 8)
            compute.append(need)
        entry: dict[str, object] = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": rng.choice(TYPES),
            "title": f"Synthetic executable {i}",
            "description": f"Benchmark entry {i}: " + " ".join(rng.choice(["fits", "gaia", "cta", "km3net", "lofar"]) for _ in range(8)),
            "location": {
                "repository": f"https://gitlab.example.org/bench/project-{i % 97}",
                "ref": f"v{rng.randint(1, 5)}.{rng.randint(0, 9)}",
                "path": f"notebooks/analysis-{i}.ipynb",
            },
            "compute-resources": compute,
        }
        if rng.random() < 0.4:
            entry["storage-resources"] = [{"title": "scratch", "minsize": f"{rng.randint(1, 500)}GB"}]
        if rng.random() < 0.7:
            entry["data-resources"] = [
                {
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "title": f"dataset {rng.randint(1, 50)}",
                    "data-content": rng.choice(CONTENT),
                    "data-format": rng.choice(FORMATS),
                    "size": f"{rng.randint(1, 900)}GB",
                }
                for _ in range(rng.randint(1, 2))
            ]
        entries.append(entry)
    return entries


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def latency(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p99 in milliseconds over ``repeat`` calls (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 99)


@contextmanager
def stores(workdir: Path, name: str) -> Iterator[tuple[Store, OxigraphServer | None]]:
    """A fresh store of one backend: ``embedded`` or ``remote``."""
    if name == "embedded":
        store = open_store(workdir / "embedded")
        try:
            yield store, None
        finally:
            store.close()
        return
    with OxigraphServer(workdir / "served") as server:
        store = open_store(server.query_url, update_url=server.update_url)
        try:
            yield store, server
        finally:
            store.close()


def run(n: int, batch: int, repeat: int, seed: int) -> str:
    """Run the benchmark and return the Markdown report."""
    entries = synthetic_executables(n, seed)
    documents: list[Document] = [
        load_document(json.dumps({"executables": [e]}), source=f"synthetic-{i}.json") for i, e in enumerate(entries)
    ]
    graphs: list[dict[URIRef, Graph]] = [dict(d.entries) for d in documents]
    union_query = (HERE / "union-by-type.rq").read_text(encoding="utf-8")
    probe = str(entries[n // 2]["uuid"])
    rows: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp:
        for name in ("embedded", "remote"):
            row = rows.setdefault(name, {})
            # 1. the registry's ingest, one executable per call, validation included
            with stores(Path(tmp) / f"{name}-1", name) as (store, _):
                registry = Registry(store)
                registry.prepare()
                started = time.perf_counter()
                for document in documents:
                    registry.ingest(document)
                row["ingest"] = f"{n / (time.perf_counter() - started):.0f}"
                assert len(registry.entries()) == n
                # 3. queries on the store holding the N entries
                p50, p99 = latency(registry.entries, repeat)
                row["entries"] = f"{p50:.1f} / {p99:.1f}"
                p50, p99 = latency(lambda: registry.query(union_query), repeat)
                row["union"] = f"{p50:.1f} / {p99:.1f}"
                p50, p99 = latency(lambda: registry.resolve(probe), repeat)
                row["resolve"] = f"{p50:.1f} / {p99:.1f}"
                # 4. a full plan (the Gaia example) against the example platforms and 100 synthetic ones
                registry.ingest(load_path(EXAMPLES / "gaia-hdbscan.json"))
                registry.ingest(load_path(EXAMPLES / "platforms.json"))
                registry.ingest(load_document(json.dumps(synthetic_platforms(100, seed)), source="platforms.json"))
                planner = Planner(registry)
                p50, p99 = latency(lambda: planner.plan(GAIA), max(5, repeat // 5))
                row["plan"] = f"{p50:.1f} / {p99:.1f}"
            # 2. the store alone: replace_graphs, one entry per request, then `batch` per request
            for size, key in ((1, "write1"), (batch, "writeB")):
                with stores(Path(tmp) / f"{name}-{key}", name) as (store, _):
                    started = time.perf_counter()
                    for first in range(0, n, size):
                        merged: dict[URIRef, Graph] = {}
                        for part in graphs[first : first + size]:
                            merged.update(part)
                        store.replace_graphs(merged)
                    row[key] = f"{n / (time.perf_counter() - started):.0f}"
                    assert len(store.graph_names()) == n
    header = (
        f"{n} synthetic executables (seed {seed}), {repeat} runs per query; "
        f"Python {platform.python_version()}, {platform.machine()}; remote = `oxigraph serve` on 127.0.0.1, on disk\n"
    )
    lines = [
        header,
        f"| store | ingest (entries/s) | replace_graphs, 1/request (entries/s) | replace_graphs, {batch}/request (entries/s) "
        "| entries() p50 / p99 (ms) | union SELECT p50 / p99 (ms) | resolve(uuid) p50 / p99 (ms) | plan, 107 platforms p50 / p99 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {row['ingest']} | {row['write1']} | {row['writeB']} | {row['entries']} | {row['union']} | {row['resolve']} "
            f"| {row['plan']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="executables to ingest (default 1000)")
    parser.add_argument("--batch", type=int, default=100, help="entries per request in the batched write (default 100)")
    parser.add_argument("--repeat", type=int, default=50, help="runs of each query (default 50)")
    parser.add_argument("--seed", type=int, default=20240501, help="seed of the synthetic entries")
    args = parser.parse_args(argv)
    print(run(args.n, args.batch, args.repeat, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
