#!/usr/bin/env python3
"""Validation time per entry: pySHACL alone against the validator with its fast checker
(registry.shacl_fast), in the same run, on batches of synthetic manifests (one document an
entry, as bulk ingest validates them).

    .venv/bin/python bench/bench_validation.py [--batch 1000] [--repeat 3]

Prints a Markdown table and writes ``bench/results/validation.json``. Each figure is the
best of ``--repeat`` calls of ``Validator.validate`` on the same batch of ``--batch``
documents (the two validators taking turns), divided by the entries in it. The last two
columns time parts of the validator on their own: the fast checker over the documents'
graphs, and the check for terms no store can hold (which every validation makes). Synthetic platforms all lack a description (a
warning, so a result): they always take pySHACL's path, and their row tells what the
checker costs when it cannot help.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support

from common import save, table  # noqa: E402

from registry.readers import Document, load_document  # noqa: E402
from registry.validation import Validator  # noqa: E402
from tests.support.synthetic import executables, platforms  # noqa: E402


def _timed(functions: list[Any], repeat: int) -> list[tuple[float, float]]:
    """(best, median) seconds of ``repeat`` calls of each function, after one warm-up call
    each; the functions take turns, so that a slow spell of the shared machine falls on all."""
    for function in functions:
        function()
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, times, strict=True):
            started = time.perf_counter()
            function()
            spent.append(time.perf_counter() - started)
    return [(min(t), statistics.median(t)) for t in times]


def measure(kind: str, docs: list[Document], fast: Validator, slow: Validator, repeat: int) -> dict[str, Any]:
    """Per-entry milliseconds of validating ``docs`` in one call, both ways.

    :raises AssertionError: when the two validators' reports differ (a bug).
    """
    assert fast.validate(docs).to_dict() == slow.validate(docs).to_dict(), "the fast path changed the report"
    assert fast.fast is not None
    graphs = [g for d in docs for g in d.entries.values()]
    clean = fast.fast.clean(graphs)
    n = len(docs)
    checker = fast.fast
    (slow_best, slow_median), (fast_best, fast_median), (check_best, _), (unstorable_best, _) = _timed(
        [lambda: slow.validate(docs), lambda: fast.validate(docs), lambda: checker.clean(graphs),
         lambda: [fast._unstorable(d) for d in docs]],
        repeat,
    )
    return {
        "kind": kind,
        "entries": n,
        "fast_path": clean,
        "pyshacl_ms": round(slow_best / n * 1000, 4),
        "pyshacl_median_ms": round(slow_median / n * 1000, 4),
        "validator_ms": round(fast_best / n * 1000, 4),
        "validator_median_ms": round(fast_median / n * 1000, 4),
        "checker_ms": round(check_best / n * 1000, 4),
        "unstorable_ms": round(unstorable_best / n * 1000, 4),
        "speedup": round(slow_best / fast_best, 1),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    return table(
        ["entries", "count", "fast path taken", "pySHACL alone ms/entry", "validator ms/entry", "speed-up",
         "fast checker alone ms/entry", "unstorable-term check alone ms/entry"],
        [[r["kind"], r["entries"], "yes" if r["fast_path"] else "no (results: pySHACL)", r["pyshacl_ms"], r["validator_ms"],
          f"{r['speedup']}x", r["checker_ms"], r["unstorable_ms"]] for r in rows],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=1_000, help="documents (one entry each) validated in one call (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per figure, the best is kept (default 3)")
    args = parser.parse_args()
    fast = Validator()
    slow = Validator()
    slow.fast = None  # pySHACL for everything: the validator as it was
    batches = {
        "executables": [load_document(json.dumps({"executables": [e]}), source=f"e{i}.json") for i, e in enumerate(executables(args.batch)["executables"])],
        "platforms": [load_document(json.dumps({"platforms": [p]}), source=f"p{i}.json") for i, p in enumerate(platforms(args.batch)["platforms"])],
    }
    rows = [measure(kind, docs, fast, slow, args.repeat) for kind, docs in batches.items()]
    print(markdown(rows))
    meta = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "python": platform.python_version(),
            "cpus": os.cpu_count(), "batch": args.batch, "repeat": args.repeat}
    path = save("validation", {**meta, "rows": rows})
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
