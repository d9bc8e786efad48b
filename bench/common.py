"""Helpers shared by the benchmark scripts: timing, percentiles, tables, results."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def timings(function: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """Seconds taken by each of ``repeat`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        function()
    result = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        result.append(time.perf_counter() - started)
    return result


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(values: list[float]) -> dict[str, float]:
    """p50, p99 and mean in milliseconds."""
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 3),
        "p99_ms": round(percentile(values, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3),
    }


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def save(name: str, data: dict[str, Any]) -> Path:
    """Write results as ``bench/results/<name>.json``."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def adaptive_timings(function: Callable[[], Any], repeat: int, budget: float, minimum: int = 3) -> list[float]:
    """Seconds taken by up to ``repeat`` calls after one warm-up call, stopping once
    ``budget`` seconds are spent (but never below ``minimum`` calls): slow engines at
    large sizes get fewer samples (their p99 is then the slowest of a few). When the
    warm-up call alone takes longer than ``budget``, it is the only sample (a cold one)."""
    started = time.perf_counter()
    function()
    spent = time.perf_counter() - started
    if spent > budget:
        return [spent]
    result: list[float] = []
    while len(result) < repeat and (len(result) < minimum or spent + sum(result) < budget):
        begun = time.perf_counter()
        function()
        result.append(time.perf_counter() - begun)
    return result


def skipped(reason: str, **fields: Any) -> dict[str, Any]:
    """A figure that was not measured: every measured key null and the reason said."""
    return {**{k: None for k in fields}, "skipped": reason}


def peak_rss_mib() -> float:
    """The peak resident memory of this process so far (MiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mib() -> float:
    """The resident memory of this process now (MiB; psutil when installed, else /proc)."""
    try:
        import psutil

        return round(psutil.Process().memory_info().rss / 2**20, 1)
    except ImportError:
        with open("/proc/self/statm") as statm:
            import os

            return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def disk_mib(path: Path) -> float:
    """The size of a directory's files (MiB)."""
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)
