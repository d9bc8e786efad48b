"""Reverse plan and scale: for a store of ``--platforms`` synthetic platforms (plus the
examples) and 10,000, 100,000 and 1,000,000 synthetic executables, in one run:

- reverse plan: p50/p99 of ``Planner.runnable`` for one platform (the examples'
  "ESCAPE Kubernetes cloud": every executable it can run);
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import adaptive_timings, disk_mib, peak_rss_mib, rss_mib, save, summary_ms, table  # noqa: E402
from stores import embedded  # noqa: E402

PLATFORM = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a07"  # "ESCAPE Kubernetes cloud"
TARGET = "5cec9f3d-79c0-49ad-9a5a-455596c55341"  # "Find ESCAPE OSSR records"


def measure(path: Path, repeat: int, budget: float) -> dict[str, Any]:
    """In this process: open the store, time the reverse plan and the plan, and read the memory."""
    from registry.planner import Planner
    from registry.service import Registry
    from registry.store import open_store

    before = rss_mib()
    registry = Registry(open_store(path))
    planner = Planner(registry)
    found: list[int] = []
    runnable = adaptive_timings(lambda: found.append(len(planner.runnable(PLATFORM))), repeat=repeat, budget=budget)
    matches: list[int] = []
    plan = adaptive_timings(lambda: matches.append(len(planner.plan(TARGET).matches)), repeat=repeat, budget=budget)
    result = {
        "runnable": {**summary_ms(runnable), "executables": found[-1], "repeat": len(runnable)},
        "plan": {**summary_ms(plan), "matches": matches[-1], "repeat": len(plan)},
        "rss_mib": rss_mib(),
        "rss_before_open_mib": before,
        "peak_rss_mib": peak_rss_mib(),
    }
    registry.store.close()
    return result


def run(
    executables: list[int],
    *,
    platforms: int = 10_000,
    repeat: int = 10,
    budget: float = 20.0,
    scratch: Path | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Reverse plan, plan, disk and memory per number of executables.

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
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(path), "--repeat", str(repeat), "--budget", str(budget)],
                capture_output=True, text=True, check=False,
            )
            if child.returncode != 0:
                raise RuntimeError(f"measuring {n} executables failed: {child.stderr[-2000:]}")
            figures = json.loads(child.stdout)
            results[str(n)] = {**figures, "disk_mib": disk_mib(path), "load_seconds": round(load_seconds, 2)}
            log(f"scale: {n} executables: runnable p50 {figures['runnable']['p50_ms']} ms ({figures['runnable']['executables']} found), "
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
        rows.append([key, results["platforms"], figures["runnable"]["executables"], figures["runnable"]["p50_ms"], figures["runnable"]["p99_ms"],
                     figures["plan"]["p50_ms"], figures["plan"]["p99_ms"], figures["disk_mib"], figures["rss_mib"], figures["load_seconds"]])
    header = ["executables", "platforms", "runnable found", "runnable p50 ms", "runnable p99 ms", "plan p50 ms", "plan p99 ms",
              "disk MiB", "resident MiB", "bulk load s"]
    return table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executables", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--platforms", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per measurement, after which no more repeats (3 at least)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeat, args.budget)))
        return
    results = run(args.executables, platforms=args.platforms, repeat=args.repeat, budget=args.budget,
                  log=lambda m: print(m, file=sys.stderr, flush=True))
    print("## Reverse plan and scale\n")
    print(markdown(results))
    print(f"\nresults written to {save('scale', results)}")


if __name__ == "__main__":
    main()
