"""The parts of a bulk ingest, per executable, before and after the fast paths, in one run:
parsing (a plain manifest read through rdflib's JSON-LD processor, ``direct=False``, against
the direct path) and storing into a fresh embedded store on disk (the former way: one
``entry-kind.rq`` query per entry and one ``INSERT DATA`` update, against the current
``Registry`` way: one ``replaced-entries.rq`` query and ``OxigraphStore.replace_graphs``).
SHACL validation is not counted (it is measured in ``bench_foundation.py``).

Each size is ingested in batches of ``--batch`` documents of one executable each (as
``bench_foundation.py``'s bulk ingest does); the old and the new way of each part run on
the same batch one after the other, so that they share the machine's noise, each after a
collection of the garbage left before it (untimed). The two stores
must end up holding the same quads, and the two parsers the same entries (else the run fails).

    .venv/bin/python bench/bench_ingest_parts.py [--sizes 1000,10000] [--batch 1000] [--repeat 3]

Prints a Markdown table and writes ``bench/results/ingest-parts.json``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support

from common import save, table  # noqa: E402
from rdflib import Graph, URIRef  # noqa: E402

from registry.readers import Document, load_document  # noqa: E402
from registry.resources import load_query  # noqa: E402
from registry.service import Registry  # noqa: E402
from registry.store.oxigraph import OxigraphStore  # noqa: E402
from registry.store.terms import insert_data  # noqa: E402
from tests.support.synthetic import executables  # noqa: E402


def store_before(store: OxigraphStore, graphs: Mapping[URIRef, Graph]) -> list[URIRef]:
    """Storing as ``Registry.ingest`` and ``OxigraphStore.replace_graphs`` did before: one
    ``entry-kind`` query per entry, then one SPARQL update dropping and inserting every graph."""
    replaced = [e for e in graphs if store.select(load_query("entry-kind"), {"entry": e})]
    store._update(insert_data(graphs, drop=graphs.keys()), forget_view=False, view_graphs=graphs)
    return replaced


def store_after(registry: Registry, graphs: Mapping[URIRef, Graph]) -> list[URIRef]:
    """Storing as ``Registry.ingest`` does now (after validation)."""
    replaced = registry._held(list(graphs))
    registry.store.replace_graphs(graphs)
    return replaced


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds a call took, and what it returned; the garbage of what ran before is
    collected first, untimed (documents hold reference cycles: the part that ran before
    would otherwise leave its collection to the next one)."""
    gc.collect()
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def entries_of(documents: list[Document]) -> dict[URIRef, Graph]:
    """Every entry graph of a batch of documents."""
    return {entry: graph for document in documents for entry, graph in document.entries.items()}


def fingerprint(graphs: Mapping[URIRef, Graph]) -> str:
    """A digest of entry graphs (no blank nodes in synthetic entries): their N-Triples, sorted."""
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} {name.n3()}" for name, graph in graphs.items() for s, p, o in graph)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def measure(n: int, batch: int, scratch: Path) -> dict[str, Any]:
    """Parse and store ``n`` synthetic executables in batches, both ways.

    :returns: seconds in all and milliseconds per executable, for each part and way.
    :raises RuntimeError: when the two ways disagree.
    """
    texts = [json.dumps({"executables": [entry]}) for entry in executables(n)["executables"]]
    old_store = OxigraphStore(scratch / "old")
    registry = Registry(OxigraphStore(scratch / "new"))
    seconds = {"parse_before": 0.0, "parse_after": 0.0, "store_before": 0.0, "store_after": 0.0}
    load_document(texts[0], source="warm-up.json")  # the vocabulary and the mapper, once
    load_document(texts[0], source="warm-up.json", direct=False)
    for start in range(0, n, batch):
        chunk = texts[start : start + batch]
        spent, before = timed(lambda c=chunk: [load_document(t, source="bench.json", direct=False) for t in c])
        seconds["parse_before"] += spent
        expected = fingerprint(entries_of(before))
        del before  # not alive while the direct path runs (the collector would walk it)
        spent, after = timed(lambda c=chunk: [load_document(t, source="bench.json") for t in c])
        seconds["parse_after"] += spent
        graphs = entries_of(after)
        if fingerprint(graphs) != expected:
            raise RuntimeError("the direct path and the JSON-LD processor gave different entries")
        # the two stores share the disk and its background work: each goes first every other batch
        ways = [("store_before", lambda g=graphs: store_before(old_store, g)), ("store_after", lambda g=graphs: store_after(registry, g))]
        found: dict[str, list[URIRef]] = {}
        for part, way in ways if (start // batch) % 2 == 0 else reversed(ways):
            spent, found[part] = timed(way)
            seconds[part] += spent
        replaced_before, replaced_after = found["store_before"], found["store_after"]
        if replaced_before != replaced_after:
            raise RuntimeError("the two ways found different entries to replace")
    if sorted(old_store.dump().splitlines()) != sorted(registry.store.dump().splitlines()):
        raise RuntimeError("the two stores hold different quads")
    old_store.close()
    registry.store.close()
    figures: dict[str, Any] = {"executables": n, "batch": batch}
    for part, spent in seconds.items():
        figures[part] = {"seconds": round(spent, 3), "ms_per_executable": round(spent / n * 1000, 4)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="executables per run, comma-separated (default 1000,10000)")
    parser.add_argument("--batch", type=int, default=1000, help="documents per batch (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each size, on fresh stores; the median is shown (default 3)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[str, Any] = {"batch": args.batch, "repeat": args.repeat, "sizes": {}}
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-parts-") as tmp:
        for n in sizes:
            runs = [measure(n, args.batch, Path(tmp) / f"run-{i}") for i in range(args.repeat)]
            median = {
                part: round(statistics.median(run[part]["ms_per_executable"] for run in runs), 4)
                for part in ("parse_before", "parse_after", "store_before", "store_after")
            }
            results["sizes"][str(n)] = {"median_ms_per_executable": median, "runs": runs}
            for part in ("parse", "store"):
                before, after = median[f"{part}_before"], median[f"{part}_after"]
                rows.append([part, n, args.batch, before, after, f"{before / after:.1f}x" if after else "-"])
    print(f"## Ingest parts per executable (ms), before and after, same run (median of {args.repeat})\n")
    print(table(["part", "executables", "batch", "before (ms/exe)", "after (ms/exe)", "speed-up"], rows))
    path = save("ingest-parts", results)
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
