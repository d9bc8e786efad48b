"""Plan latency: one executable against 100, 1,000 and 10,000 synthetic platforms,
on the embedded store (pyoxigraph on disk, and in memory) and on rdflib's
in-memory store (the naive baseline), measured in one run.

    .venv/bin/python bench/bench_plan.py [--sizes 100 1000 10000] [--repeat 20]

Platforms are stored without SHACL validation here (ingest has its own benchmark);
the plans are the full plans: matches ranked, every rejection explained, and the
counts at the minima and the maxima.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import save, summary_ms, table, timings  # noqa: E402
from synthetic import platforms  # noqa: E402

from registry.documents import load_document, load_path  # noqa: E402
from registry.planner import Planner  # noqa: E402
from registry.service import Registry  # noqa: E402
from registry.store import open_store  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TARGETS = {
    "notebook": "5cec9f3d-79c0-49ad-9a5a-455596c55341",
    "gaia": "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03",
}


def build(spec: str | Path, size: int) -> tuple[Registry, float]:
    registry = Registry(open_store(spec))
    registry.prepare()
    for name in ("ossr-library-notebooks.json", "gaia-hdbscan.json"):
        registry.ingest(load_path(EXAMPLES / name))
    document = load_document(json.dumps(platforms(size)), source="synthetic.json")
    started = time.perf_counter()
    entries = list(document.entries.items())
    for start in range(0, len(entries), 2000):
        registry.store.replace_graphs(dict(entries[start : start + 2000]))
    return registry, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rdflib-repeat", type=int, default=3)
    parser.add_argument("--rdflib-max", type=int, default=10_000, help="largest size also run on rdflib")
    args = parser.parse_args()
    results: dict[str, object] = {}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            backends: list[tuple[str, str | Path, int]] = [
                ("embedded (disk)", Path(tmp) / f"store-{size}", args.repeat),
                ("embedded (memory)", "memory", args.repeat),
            ]
            if size <= args.rdflib_max:
                backends.append(("rdflib memory", "rdflib", args.rdflib_repeat))
            for target, uuid in TARGETS.items():
                baseline = None
                for name, spec, repeat in backends:
                    registry, load_seconds = build(spec, size)
                    planner = Planner(registry)
                    plans: list[dict[str, object]] = []
                    stats = summary_ms(timings(lambda: plans.append(planner.plan(uuid).to_dict()), repeat=repeat, warmup=0))
                    plan = plans[-1]
                    registry.store.close()
                    if name == "embedded (disk)":
                        baseline = stats["p50_ms"]
                    ratio = f"{stats['p50_ms'] / baseline:.1f}x" if baseline else "-"
                    rows.append([size, target, name, len(plan["matches"]), stats["p50_ms"], stats["p99_ms"], ratio])
                    results[f"plan.{target}.{size}.{name.split()[0]}{'-memory' if 'memory)' in name else ''}"] = {
                        **stats, "matches": len(plan["matches"]), "repeat": repeat, "load_seconds": round(load_seconds, 2)
                    }
                    print(rows[-1], flush=True)
    print("\n## Plan latency (full plan: matches, explained rejections, min/max counts)\n")
    print(table(["platforms", "executable", "store", "matches", "p50 ms", "p99 ms", "p50 vs embedded disk"], rows))
    print(f"\nresults written to {save('plan', results)}")


if __name__ == "__main__":
    main()
