"""Reverse plan and scale: for a store of ``--platforms`` synthetic platforms (plus the
examples) and 10,000, 100,000 and 1,000,000 synthetic executables, in one run:

- reverse plan: p50/p99 of ``Planner.runnable`` for one platform (the examples'
  "ESCAPE Kubernetes cloud") at the default limit: the first 20 executables it can run
  by title, and the count of every one; before it, the time the need classes of the
  bulk-loaded executables took to derive (once, on the first reverse plan);
- plan: p50/p99 of the plan of the examples' notebook, to compare the plan at 1M
  executables with the plan at 10k (the planner should not slow down with executables);
- size on disk of the store and resident memory of a process that opened it and ran
  both (measured in a fresh child process, so the data generation does not count).

Executables and platforms are bulk-loaded as N-Quads (``stores.py``, no SHACL).

    .venv/bin/python bench/bench_scale.py [--executables 10000 100000 1000000] [--platforms 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support

from common import adaptive_timings, disk_mib, peak_rss_mib, rss_mib, save, skipped, summary_ms, table  # noqa: E402
from stores import embedded  # noqa: E402

PLATFORM = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a07"  # "ESCAPE Kubernetes cloud"
TARGET = "5cec9f3d-79c0-49ad-9a5a-455596c55341"  # "Find ESCAPE OSSR records"


def measure(path: Path, repeat: int, budget: float, what: tuple[str, ...] = ("runnable", "plan")) -> dict[str, Any]:
    """In this process: open the store, time the reverse plan and/or the plan, and read the memory."""
    from registry import needindex
    from registry.planner import DEFAULT_LIMIT, Planner
    from registry.service import Registry
    from registry.store import open_store
    from registry.vocabulary import PLANNING_CLASSES_GRAPH, PLANNING_GRAPH

    before = rss_mib()
    registry = Registry(open_store(path))
    planner = Planner(registry)
    result: dict[str, Any] = {}
    if "runnable" in what:
        # The need classes of executables bulk-loaded behind the registry's back are
        # derived whole by the first reverse plan: timed on its own, then the plans at the
        # default limit (the first 20 by title, and the count of every one).
        registry.prepare()
        begun = time.perf_counter()
        needindex.ensure(registry.store)
        result["needs_derive_ms"] = round((time.perf_counter() - begun) * 1000, 1)
        found: list[int] = []
        runnable = adaptive_timings(lambda: found.append(planner.runnable(PLATFORM, limit=DEFAULT_LIMIT).count), repeat=repeat, budget=budget)
        result["runnable"] = {**summary_ms(runnable), "executables": found[-1], "repeat": len(runnable)}
    if "plan" in what:
        # The planning view (the on-disk store's in-memory copy of the platform graphs) is
        # made once per process, on the first plan: timed on its own, then the plans.
        begun = time.perf_counter()
        registry.prepare()
        registry.store.cached_view([PLANNING_GRAPH, PLANNING_CLASSES_GRAPH])
        result["plan_view_build_ms"] = round((time.perf_counter() - begun) * 1000, 1)
        matches: list[int] = []
        plan = adaptive_timings(lambda: matches.append(planner.plan(TARGET, limit=DEFAULT_LIMIT).summary["matches"]), repeat=repeat, budget=budget)
        result["plan"] = {**summary_ms(plan), "matches": matches[-1], "repeat": len(plan)}
    result.update(rss_mib=rss_mib(), rss_before_open_mib=before, peak_rss_mib=peak_rss_mib())
    registry.store.close()
    return result


def _child(path: Path, what: str, repeat: int, budget: float, limit: float) -> dict[str, Any]:
    """One measurement in a fresh process, killed after ``limit`` seconds (pyoxigraph cannot
    stop a query): then its figures are null, with the limit as a lower bound."""
    command = [sys.executable, __file__, "--child", str(path), "--what", what, "--repeat", str(repeat), "--budget", str(budget)]
    try:
        child = subprocess.run(command, capture_output=True, text=True, check=False, timeout=limit)
    except subprocess.TimeoutExpired:
        return {what: {**skipped(f"not run to the end (too slow): one call took more than {limit:.0f} s, the process was stopped",
                                 p50_ms=None, p99_ms=None, mean_ms=None), "more_than_ms": round(limit * 1000)}}
    if child.returncode != 0:
        raise RuntimeError(f"measuring {what} on {path.name} failed: {child.stderr[-2000:]}")
    return json.loads(child.stdout)


def run(
    executables: list[int],
    *,
    platforms: int = 10_000,
    repeat: int = 10,
    budget: float = 20.0,
    limit: float = 300.0,
    scratch: Path | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Reverse plan, plan, disk and memory per number of executables; each measurement in a
    fresh process stopped after ``limit`` seconds.

    :returns: ``{"platforms": n, "platform": uuid, "executable": uuid, str(executables): {"runnable": {p50_ms,
        p99_ms, mean_ms, executables, repeat}, "plan": {p50_ms, ..., matches}, "disk_mib", "rss_mib",
        "peak_rss_mib", "load_seconds"}}``.
    :raises RuntimeError: when the measuring child process fails.
    """
    results: dict[str, Any] = {"platforms": platforms, "platform": PLATFORM, "executable": TARGET}
    with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=scratch) as tmp:
        for n in executables:
            path = Path(tmp) / f"store-{n}"
            registry, load_seconds = embedded(path, platforms, n)
            registry.store.close()
            log(f"scale: {n} executables x {platforms} platforms loaded in {load_seconds:.1f} s")
            reverse = _child(path, "runnable", repeat, budget, limit)
            forward = _child(path, "plan", repeat, budget, limit)
            memory = {k: max((c[k] for c in (reverse, forward) if c.get(k) is not None), default=None)
                      for k in ("rss_mib", "rss_before_open_mib", "peak_rss_mib")}
            figures = {"runnable": {**reverse["runnable"], "needs_derive_ms": reverse.get("needs_derive_ms")}, "plan": {**forward["plan"], "view_build_ms": forward.get("plan_view_build_ms")}, **memory}
            results[str(n)] = {**figures, "disk_mib": disk_mib(path), "load_seconds": round(load_seconds, 2)}
            log(f"scale: {n} executables: runnable p50 {figures['runnable']['p50_ms']} ms ({figures['runnable'].get('executables')} found), "
                f"plan p50 {figures['plan']['p50_ms']} ms, disk {results[str(n)]['disk_mib']} MiB, rss {figures['rss_mib']} MiB")
            for leftover in sorted(path.rglob("*"), reverse=True):
                leftover.unlink() if leftover.is_file() else leftover.rmdir()
    return results


def markdown(results: dict[str, Any]) -> str:
    """One row per number of executables."""
    rows = []
    for key, figures in results.items():
        if not key.isdigit():
            continue
        def cell(part: str, key: str) -> Any:
            value = figures[part].get(key)
            return value if value is not None else f"> {figures[part]['more_than_ms']} (stopped)" if key.endswith("_ms") and "more_than_ms" in figures[part] else "-"

        rows.append([key, results["platforms"], cell("runnable", "executables"), cell("runnable", "needs_derive_ms"),
                     cell("runnable", "p50_ms"), cell("runnable", "p99_ms"),
                     cell("plan", "p50_ms"), cell("plan", "p99_ms"), figures["disk_mib"], figures["rss_mib"], figures["load_seconds"]])
    header = ["executables", "platforms", "runnable found", "need classes derived ms", "runnable p50 ms", "runnable p99 ms", "plan p50 ms", "plan p99 ms",
              "disk MiB", "resident MiB", "bulk load s"]
    return table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executables", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--platforms", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per measurement, after which no more repeats (3 at least)")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds after which a measurement is stopped (its figures null)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--what", choices=["runnable", "plan"], nargs="+", default=["runnable", "plan"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeat, args.budget, tuple(args.what))))
        return
    results = run(args.executables, platforms=args.platforms, repeat=args.repeat, budget=args.budget, limit=args.limit,
                  log=lambda m: print(m, file=sys.stderr, flush=True))
    print("## Reverse plan and scale\n")
    print(markdown(results))
    print(f"\nresults written to {save('scale', results)}")


if __name__ == "__main__":
    main()
