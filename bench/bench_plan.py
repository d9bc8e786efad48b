"""Plan latency: one executable (the examples' notebook "Find ESCAPE OSSR records")
against 100, 1,000, 10,000 and 100,000 synthetic platforms (plus the examples'), in
one run, on three engines:

- ``embedded``: the registry's planner in-process on the embedded store (pyoxigraph on disk);
- ``rdflib``: the same planner and queries on rdflib's in-memory store (the naive baseline),
  only up to ``--rdflib-max`` platforms and while a plan is predicted to take less than
  ``--rdflib-budget`` seconds (else recorded as not run, with the reason);
- ``virtuoso``: the same planner in-process on a Virtuoso 7 (``virtuoso-t`` on a scratch
  database, started once per run, spoken to over HTTP as a remote SPARQL store), only up to
  ``--virtuoso-max`` platforms (else recorded as not run; not run at all without ``virtuoso-t``);
- ``floor``: the brute-force floor (``tests/support/floor.py``): the same rule in plain Python over the
  platforms' JSON held in memory as Python objects; it must find the same platforms as the
  planner (checked at every size: the run fails otherwise);
- ``classad``: HTCondor's ClassAd matchmaker (``classad_peer.py``; PyPI ``htcondor``, in the
  ``bench`` extra): a job ad with the type and compute clauses against one machine ad per
  node pool; it must find the platforms the plan finds passing those two clauses (checked).

    .venv/bin/python bench/bench_plan.py [--sizes 100 1000 10000 100000] [--repeat 20]

Platforms are bulk-loaded as N-Quads without SHACL validation (``stores.py``; ingest
has its own benchmark). The plans are the full plans: matches ranked, every rejection
explained, and the counts at the minima and the maxima.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support

from classad_peer import ClassAdPeer, available  # noqa: E402
from common import adaptive_timings, save, skipped, summary_ms, table  # noqa: E402
from stores import EXAMPLES, embedded, in_memory, served, virtuoso  # noqa: E402

from registry.errors import StoreValueError  # noqa: E402
from registry.planner import DEFAULT_LIMIT, Overrides, Planner  # noqa: E402
from registry.vocabulary import PLANNING_CLASSES_GRAPH, PLANNING_GRAPH  # noqa: E402
from tests.support.floor import Floor  # noqa: E402
from tests.support.oxigraph_server import OxigraphServer, find_oxigraph  # noqa: E402
from tests.support.synthetic import scaled  # noqa: E402
from tests.support.virtuoso_server import VirtuosoServer, find_virtuoso  # noqa: E402

TARGET = "5cec9f3d-79c0-49ad-9a5a-455596c55341"  # "Find ESCAPE OSSR records", a notebook
ENGINES = ("embedded", "oxigraph-serve", "rdflib", "virtuoso", "floor", "classad")


def example_entries(kind: str) -> list[dict[str, Any]]:
    """The examples' manifest entries of one kind."""
    return [e for path in sorted(EXAMPLES.glob("*.json")) for e in json.loads(path.read_text()).get(kind, [])]


#: What each timed plan varies, so that no two are the same question (no cache can answer):
#: the notebook's cores and memory, raised in turn.
_VARIANTS = [Overrides(cores=1 + i % 8, memory=f"{1 + (i * 7) % 64}GiB") for i in range(64)]


def _planned(planner: Planner, repeat: int, budget: float, listed: bool = True) -> tuple[dict[str, Any], set[str] | None, set[str] | None]:
    """Time plans of TARGET, after the planning view is made (timed on its own, as
    ``bench_scale`` does): each a different question (``_VARIANTS``), with the default
    limit (20 matches and 20 rejections, every platform counted) and, when ``listed``,
    with ``limit=None`` (every match and rejection listed and explained). The matches of
    the plain TARGET are returned for the floor's and the matchmaker's checks (None when
    not ``listed``: only their number is then known, from the summary)."""
    begun = time.perf_counter()
    planner.registry.prepare()
    planner.store.cached_view([PLANNING_GRAPH, PLANNING_CLASSES_GRAPH])
    view_ms = round((time.perf_counter() - begun) * 1000, 1)
    turn = [0]

    def plan(limit: int | None) -> None:
        turn[0] += 1
        planner.plan(TARGET, overrides=_VARIANTS[turn[0] % len(_VARIANTS)], limit=limit)

    default = adaptive_timings(lambda: plan(DEFAULT_LIMIT), repeat=repeat, budget=budget)
    classes = planner.store.select(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT (COUNT(*) AS ?classes) "
        f"WHERE {{ GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planMembers ?members }} }}"
    )
    figures = {"repeat": len(default), "view_build_ms": view_ms, "classes": int(classes[0]["classes"]) if classes else 0,
               "fallbacks": planner.fallbacks}
    if not listed:
        counted = planner.plan(TARGET, limit=DEFAULT_LIMIT).to_dict()["summary"]["matches"]
        why = ("not run above --all-max: --limit all lists and explains every platform (at 100,000, measured apart on "
               "2026-12-07: the first 6.6 s, then 1.6-1.9 s a plan)")
        return {**summary_ms(default), "all": {"p50_ms": None, "skipped": why}, "matches": counted, **figures}, None, None
    # the first plan listing every platform reads what every platform shows (kept until
    # the next write): timed on its own, then the warm ones
    begun = time.perf_counter()
    plan(None)
    first_ms = round((time.perf_counter() - begun) * 1000, 1)
    everything = adaptive_timings(lambda: plan(None), repeat=repeat, budget=budget)
    full = planner.plan(TARGET, limit=None).to_dict()
    matched = {m["platform"] for m in full["matches"]}
    # The platforms passing the type and compute clauses: the matches, and those rejected for storage alone.
    compute = matched | {r["platform"] for r in full["rejected"] if {x["constraint"] for x in r["reasons"]} == {"storage"}}
    return {**summary_ms(default), "all": {**summary_ms(everything), "first_ms": first_ms}, "matches": len(matched), **figures}, matched, compute


def run(
    sizes: list[int],
    *,
    repeat: int = 20,
    budget: float = 20.0,
    rdflib_max: int = 1_000,
    rdflib_budget: float = 30.0,
    virtuoso_max: int = 1_000,
    remote_max: int = 1_000,
    all_max: int = 10_000,
    scratch: Path | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Plan latency per engine and size.

    :returns: ``{"executable": uuid, "embedded"|"rdflib"|"floor": {str(size): {p50_ms, p99_ms,
        mean_ms, matches, repeat, load_seconds} or {p50_ms: None, ..., skipped: reason}}}``.
    :raises AssertionError: when the floor and the planner disagree.
    """
    results: dict[str, Any] = {"executable": TARGET, **{engine: {} for engine in ENGINES}}
    executable = next(e for e in example_entries("executables") if e["uuid"] == TARGET)
    server: VirtuosoServer | None = None
    if find_virtuoso() is not None and virtuoso_max > 0:
        server = VirtuosoServer(startup_timeout=300).start()
        log("plan: virtuoso-t started")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-plan-", dir=scratch) as tmp:
            oxigraph = OxigraphServer(Path(tmp) / "served").start() if find_oxigraph() is not None and remote_max > 0 else None
            try:
                _sizes(results, sizes, executable, server, oxigraph, Path(tmp), repeat=repeat, budget=budget, rdflib_max=rdflib_max,
                       rdflib_budget=rdflib_budget, virtuoso_max=virtuoso_max, remote_max=remote_max, all_max=all_max, log=log)
            finally:
                if oxigraph is not None:
                    oxigraph.stop()
    finally:
        if server is not None:
            server.stop()
    return results


def _remote(name: str, fill: Any, why: str, matched: set[str], size: int, repeat: int, budget: float, log: Any) -> dict[str, Any]:
    """One remote engine's figures at one size: ``fill()`` gives its registry and load
    seconds (``None``: not run, for ``why``); its matches must be the embedded store's.

    :raises AssertionError: when they are not.
    """
    if fill is None:
        return skipped(f"not run: {why}", p50_ms=None, p99_ms=None, mean_ms=None)
    registry, load_seconds = fill()
    try:
        stats, found, _ = _planned(Planner(registry), repeat, budget)
    except StoreValueError as exc:  # the planner caught the engine answering inconsistently: reported, not timed
        log(f"plan: {size} platforms, {name}: failed: {exc}")
        return skipped(f"failed: {exc}", p50_ms=None, p99_ms=None, mean_ms=None)
    finally:
        registry.store.close()
    assert found == matched, f"{name} and the embedded store disagree at {size} platforms"
    log(f"plan: {size} platforms, {name}: p50 {stats['p50_ms']} ms ({stats['repeat']} runs, {stats['fallbacks']} planned the reference way)")
    return {**stats, "load_seconds": round(load_seconds, 2)}


def _sizes(results: dict[str, Any], sizes: list[int], executable: dict[str, Any], server: VirtuosoServer | None,
           oxigraph: OxigraphServer | None, tmp: Path, *, repeat: int, budget: float, rdflib_max: int, rdflib_budget: float,
           virtuoso_max: int, remote_max: int, all_max: int, log: Any) -> None:
    """Every size on every engine, the figures written into ``results``."""
    last_rdflib: tuple[int, float] | None = None
    for size in sizes:
        registry, load_seconds = embedded(tmp / f"store-{size}", size)
        stats, matched, passing = _planned(Planner(registry), repeat, budget, listed=size <= all_max)
        registry.store.close()
        results["embedded"][str(size)] = {**stats, "load_seconds": round(load_seconds, 2)}
        log(f"plan: {size} platforms, embedded: p50 {stats['p50_ms']} ms, limit all {stats['all']['p50_ms']} ms "
            f"(the first {stats['all'].get('first_ms')} ms; {stats['matches']} matches)")
        why = "the oxigraph command is missing" if oxigraph is None else f"more than --remote-max {remote_max} platforms"
        results["oxigraph-serve"][str(size)] = _remote(
            "oxigraph serve", None if oxigraph is None or size > remote_max else lambda: served(oxigraph, size), why, matched,
            size, repeat, budget, log)

        missing = available()
        if missing is not None:
            results["classad"][str(size)] = skipped(missing, p50_ms=None, p99_ms=None, mean_ms=None)
        else:
            started = time.perf_counter()
            peer = ClassAdPeer(example_entries("platforms") + scaled("platforms", size))
            job = peer.job(executable)
            peer_load = time.perf_counter() - started
            answers: list[set[str]] = []
            peer_seconds = adaptive_timings(lambda: answers.append(peer.matches(job)), repeat=repeat, budget=budget)
            assert passing is None or answers[-1] == passing, f"the matchmaker and the planner disagree at {size} platforms"
            results["classad"][str(size)] = {**summary_ms(peer_seconds), "matches": len(answers[-1]), "repeat": len(peer_seconds),
                                             "ads": len(peer.ads), "load_seconds": round(peer_load, 2),
                                             "agrees_with_planner": True if passing is not None else "not checked (above --all-max)"}
            log(f"plan: {size} platforms, classad: p50 {results['classad'][str(size)]['p50_ms']} ms over {len(peer.ads)} ads")


        started = time.perf_counter()
        floor = Floor(example_entries("platforms") + scaled("platforms", size))
        floor_load = time.perf_counter() - started
        found: list[set[str]] = []
        floor_seconds = adaptive_timings(lambda: found.append(floor.matches(executable)), repeat=repeat, budget=budget)
        if matched is None:  # above --all-max: the number of matches, from the plan's summary
            assert len(found[-1]) == stats["matches"], f"the floor and the planner disagree at {size} platforms: {len(found[-1])} != {stats['matches']}"
        else:
            assert found[-1] == matched, f"the floor and the planner disagree at {size} platforms: {len(found[-1])} != {len(matched)} matches"
        why = "virtuoso-t is not installed" if server is None else f"more than --virtuoso-max {virtuoso_max} platforms"
        results["virtuoso"][str(size)] = _remote(
            "Virtuoso", None if server is None or size > virtuoso_max else lambda: virtuoso(server, size), why, matched,
            size, repeat, budget, log)
        results["floor"][str(size)] = {**summary_ms(floor_seconds), "matches": len(found[-1]), "repeat": len(floor_seconds),
                                       "load_seconds": round(floor_load, 2), "agrees_with_planner": True}
        log(f"plan: {size} platforms, floor: p50 {results['floor'][str(size)]['p50_ms']} ms")

        predicted = last_rdflib[1] * size / last_rdflib[0] if last_rdflib else 0.0
        if size > rdflib_max or predicted > rdflib_budget:
            why = f"more than --rdflib-max {rdflib_max} platforms" if size > rdflib_max else f"a plan predicted to take {predicted:.0f} s"
            results["rdflib"][str(size)] = skipped(f"not run (too slow): {why}", p50_ms=None, p99_ms=None, mean_ms=None)
            log(f"plan: {size} platforms, rdflib: not run ({why})")
            continue
        registry, load_seconds = in_memory("rdflib", size)
        stats, rdflib_matched, _ = _planned(Planner(registry), repeat, rdflib_budget)
        registry.store.close()
        assert rdflib_matched == matched, f"rdflib and the embedded store disagree at {size} platforms"
        results["rdflib"][str(size)] = {**stats, "load_seconds": round(load_seconds, 2)}
        last_rdflib = (size, stats["p50_ms"] / 1000)
        log(f"plan: {size} platforms, rdflib: p50 {stats['p50_ms']} ms ({stats['repeat']} runs)")


def markdown(results: dict[str, Any]) -> str:
    """The plan table: one row per size; p50/p99 per engine with the default limit (the
    embedded store also with ``--limit all``), and the ratios to the embedded store."""
    rows = []
    for size in results["embedded"]:
        embedded_figures = results["embedded"][size]
        row: list[Any] = [size, embedded_figures.get("classes", "-"), embedded_figures["matches"], embedded_figures["p50_ms"], embedded_figures["p99_ms"],
                          embedded_figures.get("all", {}).get("p50_ms") or "not run"]
        for engine in ENGINES[1:]:
            figures = results.get(engine, {}).get(size, {})
            row += ["not run" if figures.get("p50_ms") is None else figures["p50_ms"],
                    "not run" if figures.get("p99_ms") is None else figures["p99_ms"]]
        embedded_p50 = embedded_figures["p50_ms"]
        for engine in ("oxigraph-serve", "rdflib", "virtuoso"):
            other = results.get(engine, {}).get(size, {}).get("p50_ms")
            row.append(f"{other / embedded_p50:.1f}x" if other else "-")
        row.append(f"{embedded_p50 / results['floor'][size]['p50_ms']:.0f}x" if results["floor"][size]["p50_ms"] else "-")
        classad_p50 = results.get("classad", {}).get(size, {}).get("p50_ms")
        row.append(f"{classad_p50 / embedded_p50:.2f}x" if classad_p50 else "-")
        rows.append(row)
    header = ["platforms", "planning classes", "matches", "embedded p50 ms", "embedded p99 ms", "embedded --limit all p50 ms",
              "oxigraph serve p50 ms", "oxigraph serve p99 ms", "rdflib p50 ms", "rdflib p99 ms",
              "virtuoso p50 ms", "virtuoso p99 ms", "floor p50 ms", "floor p99 ms", "classad p50 ms", "classad p99 ms",
              "oxigraph serve / embedded", "rdflib / embedded", "virtuoso / embedded", "embedded / floor", "classad / embedded"]
    return table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20, help="plans per engine and size at most")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per engine and size, after which no more repeats (3 at least)")
    parser.add_argument("--rdflib-max", type=int, default=1_000, help="largest size also run on rdflib")
    parser.add_argument("--rdflib-budget", type=float, default=30.0, help="skip rdflib when a plan is predicted to take longer (s)")
    parser.add_argument("--virtuoso-max", type=int, default=1_000, help="largest size also run on Virtuoso (0: never)")
    parser.add_argument("--remote-max", type=int, default=1_000, help="largest size also run on oxigraph serve (0: never)")
    parser.add_argument("--all-max", type=int, default=10_000, help="largest size also planned with --limit all (and checked platform by platform)")
    args = parser.parse_args()
    results = run(args.sizes, repeat=args.repeat, budget=args.budget, rdflib_max=args.rdflib_max, rdflib_budget=args.rdflib_budget,
                  virtuoso_max=args.virtuoso_max, remote_max=args.remote_max, all_max=args.all_max,
                  log=lambda m: print(m, file=sys.stderr, flush=True))
    print("## Plan latency (each plan a different question; default limit 20, and --limit all)\n")
    print(markdown(results))
    print(f"\nresults written to {save('plan', results)}")


if __name__ == "__main__":
    main()
