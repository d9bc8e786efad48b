"""The engine's plan held to the reference: ``plan-matches.rq``, ``plan-rejections.rq``
and ``plan-summary.rq`` (the engine filters, ranks, counts and cuts) against every
platform read whole through the clause queries and combined in Python
(``Planner(reference=True)``), on random executables, platforms and overrides, on the
embedded store, `oxigraph serve` and Virtuoso; and the planning index they read, which
every write path keeps in step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engines_support import empty_remote, open_virtuoso
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.planning import BASE_EXECUTABLE, BASE_PLATFORM, EXE, PLATFORM, changed
from support.planning_cases import executables, overrides, platforms

from registry import backup
from registry.errors import ParameterError, StoreValueError
from registry.plan_engine import choose_classes, match_rank, rejection_rank
from registry.planner import Overrides, Planner
from registry.readers import load_document
from registry.service import Registry
from registry.store import Store, open_store
from registry.vocabulary import PLANNING_CLASSES_GRAPH, PLANNING_GRAPH

_CHECKS = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]


def _filled(store: Store, executable: dict[str, Any], found: list[dict[str, Any]]) -> Registry:
    registry = Registry(store)
    registry.ingest(load_document(json.dumps({"executables": [executable]}), source="e.json"))
    registry.ingest(load_document(json.dumps({"platforms": found}), source="p.json"))
    return registry


def _both(registry: Registry, executable: dict[str, Any], given_overrides: dict[str, Any], at: str, limit: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {"at": at, "overrides": Overrides.from_names(given_overrides), "limit": limit}
    try:
        engine = Planner(registry, fallback=False).plan(executable["uuid"], **options).to_dict()  # type: ignore[arg-type]
    except ParameterError:
        assume(False)
        raise
    reference = Planner(registry, reference=True).plan(executable["uuid"], **options).to_dict()  # type: ignore[arg-type]
    return engine, reference


@settings(max_examples=120, deadline=None, suppress_health_check=_CHECKS)
@given(
    executable=executables(max_compute=1),
    found=platforms(most=6),
    given_overrides=overrides,
    at=st.sampled_from(["min", "max"]),
    limit=st.sampled_from([None, 1, 2, 3]),
)
def test_the_engine_plans_as_the_reference(
    executable: dict[str, Any], found: list[dict[str, Any]], given_overrides: dict[str, Any], at: str, limit: int | None
) -> None:
    """Matches in rank order, rejections nearest first (with their reasons and would-fit),
    and the summary (every count, would-admit included) are the reference's; with a
    limit, the head of the reference's lists and the same counts."""
    registry = _filled(open_store("memory"), executable, found)
    engine, reference = _both(registry, executable, given_overrides, at, None)
    assert engine == reference
    if limit is not None:
        head, _ = _both(registry, executable, given_overrides, at, limit)
        assert head["matches"] == reference["matches"][:limit]
        assert head["rejected"] == reference["rejected"][:limit]
        assert head["summary"] == {**reference["summary"], "limit": limit}


def test_rejections_come_fewest_failures_first_then_most_offered_then_by_title() -> None:
    """README, the paragraph on rejections: nearest first means fewest failed constraints,
    then the most cores a pool gives within the node range, the most memory, the most
    storage, then title; the engine (per planning class) and the reference agree."""
    def platform(index: int, title: str, **values: Any) -> dict[str, Any]:
        found = changed(changed(BASE_PLATFORM, "uuid", f"b0000000-0000-4000-8000-00000000001{index}"), "title", title)
        found = changed(found, "executable-types", ["urn:types/jupyter-notebook"])  # each fails its type
        for path, value in values.items():
            found = changed(found, path.replace("__", "."), value)
        return found

    found = [
        platform(0, "0", **{"compute-resources__0__cores": 16, "compute-resources__0__memory": 64, "storage-resources__0__size": 1}),
        platform(1, "A"),
        platform(2, "B", **{"compute-resources__0__cores": 16}),
        platform(3, "C", **{"compute-resources__0__cores": 16, "compute-resources__0__memory": 64}),
        platform(4, "D", **{"compute-resources__0__cores": 16, "storage-resources__0__size": 500}),
    ]
    registry = _filled(open_store("memory"), BASE_EXECUTABLE, found)
    for limit in (None, 2):
        engine, reference = _both(registry, BASE_EXECUTABLE, {}, "min", limit)
        assert engine == reference
        titles = [r["title"] for r in engine["rejected"]]
        # C: 32 cores and 128 GiB at 2 nodes; D and B: 32 cores, 64 GiB, D more storage; A: 16 cores;
        # "0": type and storage fail
        assert titles == ["C", "D", "B", "A", "0"][:limit]


def test_classes_tied_on_rank_interleave_their_platforms_by_title() -> None:
    """Two planning classes alike in rank (the same allocation, data held locally) but not
    in every fact (their wall-clock limits differ): with --limit 2 the first class alone
    holds two platforms, yet the tied class is listed too, and their platforms come by
    title across the two, as the reference ranks them."""
    def platform(index: int, title: str, walltime: int) -> dict[str, Any]:
        found = changed(changed(BASE_PLATFORM, "uuid", f"b0000000-0000-4000-8000-00000000002{index}"), "title", title)
        return changed(found, "compute-resources.0.maxwalltime", walltime)

    registry = _filled(open_store("memory"), BASE_EXECUTABLE, [platform(0, "A", 10), platform(1, "C", 10), platform(2, "B", 20), platform(3, "D", 20)])
    assert len(_classes(registry.store)) == 2
    for limit, titles in ((2, ["A", "B"]), (3, ["A", "B", "C"]), (None, ["A", "B", "C", "D"])):
        engine, reference = _both(registry, BASE_EXECUTABLE, {}, "min", limit)
        assert engine == reference
        assert [m["title"] for m in engine["matches"]] == titles


def _ranked(*rows: tuple[str, int, int, int]) -> list[dict[str, Any]]:
    """Rows of plan-matches.rq: (class, members, local data, allocated cores)."""
    return [{"class": c, "members": m, "localCount": local, "allocCores": cores, "allocMemory": 8} for c, m, local, cores in rows]


@pytest.mark.parametrize(
    ("rows", "limit", "chosen"),
    [
        # the first class holds the limit: the others are not listed
        (_ranked(("X", 3, 1, 8), ("Y", 2, 0, 8)), 2, [("X", 0)]),
        # a class tied with the last one needed is taken, at the same place
        (_ranked(("X", 2, 1, 8), ("Y", 1, 1, 8), ("Z", 5, 1, 16)), 2, [("X", 0), ("Y", 0)]),
        # a class's later rows (its worse pools) add nothing
        (_ranked(("X", 1, 1, 8), ("X", 1, 1, 16), ("Y", 1, 0, 8)), 2, [("X", 0), ("Y", 1)]),
        # no limit: every class, in its place
        (_ranked(("X", 1, 1, 8), ("Y", 1, 1, 16), ("Z", 1, 0, 4)), None, [("X", 0), ("Y", 1), ("Z", 2)]),
        ([], 3, []),
    ],
)
def test_the_classes_a_limit_needs(rows: list[dict[str, Any]], limit: int | None, chosen: list[tuple[str, int]]) -> None:
    assert choose_classes(rows, match_rank, limit) == chosen


def test_a_ranking_out_of_order_or_unreadable_is_an_error_never_a_plan() -> None:
    with pytest.raises(StoreValueError, match="out of rank order"):
        choose_classes(_ranked(("X", 1, 0, 8), ("Y", 1, 1, 8)), match_rank, 5)  # more data local comes first
    rows = [{"class": "X", "members": 1, "failures": 1, "mostCores": None, "mostMemory": 1, "offered": 1}]
    with pytest.raises(StoreValueError, match="no rank"):
        choose_classes(rows, rejection_rank, 5)
    with pytest.raises(StoreValueError, match="no count"):
        choose_classes([{**_ranked(("X", 1, 0, 8))[0], "members": "many"}], match_rank, 5)


def _copies(found: list[dict[str, Any]], times: list[int]) -> list[dict[str, Any]]:
    """Each platform and further copies of it, alike but for the uuid and the title: the
    copies fall into its planning class."""
    result = []
    for index, (platform, count) in enumerate(zip(found, times, strict=False)):
        result.append(platform)
        for copy in range(1, count):
            uuid = f"c{index:07d}-{copy:04d}-4000-8000-000000000000"
            result.append({**platform, "uuid": uuid, "title": f"{platform.get('title', 'copy')} {copy}"})
    return result


@settings(max_examples=40, deadline=None, suppress_health_check=_CHECKS)
@given(
    executable=executables(max_compute=1),
    found=platforms(most=3),
    times=st.lists(st.integers(1, 4), min_size=3, max_size=3),
    given_overrides=overrides,
    limit=st.sampled_from([None, 1, 3]),
)
def test_platforms_alike_plan_as_the_reference(
    executable: dict[str, Any], found: list[dict[str, Any]], times: list[int], given_overrides: dict[str, Any], limit: int | None
) -> None:
    """Platforms alike in every fact the rule reads share a planning class, whose count
    the summary weighs it by and whose platforms are listed in rank order: the plan is
    the reference's, with the copies counted, ranked and cut as platforms of their own."""
    registry = _filled(open_store("memory"), executable, _copies(found, times))
    engine, reference = _both(registry, executable, given_overrides, "min", limit)
    assert engine == reference


@settings(max_examples=40, deadline=None, suppress_health_check=_CHECKS)
@given(executable=executables(max_compute=2), found=platforms(most=5), given_overrides=overrides, limit=st.sampled_from([None, 1, 3]))
def test_reads_at_once_plan_as_reads_one_after_another(
    executable: dict[str, Any], found: list[dict[str, Any]], given_overrides: dict[str, Any], limit: int | None
) -> None:
    """The planner runs its independent queries at once on a store that gains by it
    (registry.runtime.gather); run one after another, they give the same plan."""
    store = open_store("memory")
    assert store.parallel_reads
    registry = _filled(store, executable, found)
    options = {"overrides": Overrides.from_names(given_overrides), "limit": limit}
    try:
        together = Planner(registry, fallback=False).plan(executable["uuid"], **options).to_dict()  # type: ignore[arg-type]
    except ParameterError:
        assume(False)
        raise
    store.parallel_reads = False  # this store only
    alone = Planner(registry, fallback=False).plan(executable["uuid"], **options).to_dict()  # type: ignore[arg-type]
    assert together == alone


def _classes(store: Store) -> dict[str, int]:
    """Each planning class and its count of platforms."""
    rows = store.select(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT ?class ?members WHERE { "
        f"GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planMembers ?members }} }}"
    )
    return {str(row["class"]): int(row["members"]) for row in rows}


@pytest.mark.parametrize("backend", ["memory", "rdflib"])
def test_planning_classes_count_their_platforms_and_go_with_the_last(backend: str) -> None:
    """Three copies of one platform and one other: two classes, of 3 and 1; a copy
    changed moves to a class of its own; the class whose last platform is deleted leaves
    nothing behind in the graph of classes."""
    store = open_store(backend)
    q = changed(changed(BASE_PLATFORM, "uuid", OTHER), "title", "Q")
    copies = _copies([BASE_PLATFORM], [3])
    small = changed(changed(changed(BASE_PLATFORM, "uuid", "b0000000-0000-4000-8000-000000000009"), "title", "S"), "compute-resources.0.cores", 2)
    registry = _filled(store, BASE_EXECUTABLE, [*copies, small])
    assert sorted(_classes(store).values()) == [1, 3]
    registry.ingest(load_document(json.dumps({"platforms": [changed(copies[1], "storage-resources.0.size", 7)]}), source="c.json"))
    assert sorted(_classes(store).values()) == [1, 1, 2]
    registry.ingest(load_document(json.dumps({"platforms": [q]}), source="q.json"))  # alike P: joins its class
    assert sorted(_classes(store).values()) == [1, 1, 3]
    for platform in (copies[1], small):
        registry.delete(platform["uuid"])
    assert sorted(_classes(store).values()) == [3]
    leftover = store.select(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT (COUNT(*) AS ?n) WHERE { "
        f"GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?entry esap:planOf ?class FILTER NOT EXISTS {{ ?class esap:planMembers ?m }} }} }}"
    )
    assert int(leftover[0]["n"]) == 0
    assert sum(_classes(store).values()) == Planner(registry).plan(EXE).to_dict()["summary"]["platforms"] == 3
    assert PLANNING_CLASSES_GRAPH not in store.graph_names()
    store.close()


def test_a_class_left_unequal_by_a_partial_write_is_mended(caplog: pytest.LogCaptureFixture) -> None:
    """A store that took part of an update only (as Virtuoso 7 did once under load) can
    leave a class without its pools: the check after the next write touching the class
    finds it unequal and derives the whole index afresh, and the plan is the reference's."""
    store = open_store("memory")
    q = changed(changed(BASE_PLATFORM, "uuid", OTHER), "title", "Q")
    registry = _filled(store, BASE_EXECUTABLE, [BASE_PLATFORM, q])
    store.update(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
        f"DELETE WHERE {{ GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planPoolFigures ?figures }} }}"
    )  # a raw update: the index follows it, whole, at once
    assert _both(registry, BASE_EXECUTABLE, {}, "min", None)[0]["summary"]["matches"] == 2
    store._store.update(  # noqa: SLF001 - behind the registry's back, as a partial write leaves it
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
        f"DELETE WHERE {{ GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planPoolFigures ?figures }} }}"
    )
    with pytest.raises(StoreValueError, match="queries/plan-"):  # never a wrong plan
        Planner(registry, fallback=False).plan(EXE)
    # by default the planner then plans the reference way: the right answer, slower, and said
    planner = Planner(registry)
    with caplog.at_level("WARNING", logger="registry.planner"):
        assert planner.plan(EXE).to_dict() == Planner(registry, reference=True).plan(EXE).to_dict()
    assert planner.fallbacks == 1
    assert any("planned the reference way" in r.getMessage() and "queries/plan-" in r.getMessage() for r in caplog.records)
    registry.delete(OTHER)  # touches the class (one platform fewer) without writing it again
    engine, reference = _both(registry, BASE_EXECUTABLE, {}, "min", None)
    assert engine == reference and engine["summary"]["matches"] == 1


@pytest.fixture(scope="module")
def engines(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    """The embedded store on disk, `oxigraph serve` and Virtuoso, emptied before each case."""
    server = request.getfixturevalue("oxigraph_server")
    served = open_store(server.query_url, update_url=server.update_url)
    stores = {
        "embedded": open_store(tmp_path_factory.mktemp("engine") / "store"),
        "oxigraph-serve": served,
        "virtuoso": empty_remote(open_virtuoso(request.getfixturevalue("virtuoso_server"))),
    }
    yield stores
    for store in stores.values():
        store.close()


def test_a_tie_running_past_the_first_rows_asked_for_is_read_whole() -> None:
    """The planner asks for the first rows of a ranking (plan_engine.first_rows) and for
    every row when a tie runs on past them: 30 platforms, each a class of its own (their
    storage differs) and all tied in the ranking, shown a few at a time, are the
    reference's platforms, by title."""
    found = [
        changed(changed(changed(BASE_PLATFORM, "uuid", f"c0000000-0000-4000-8000-{i:012d}"), "title", f"T{(i * 7) % 30:02d}"),
                "storage-resources.0.size", 100 + i)
        for i in range(30)
    ]
    registry = _filled(open_store("memory"), BASE_EXECUTABLE, found)
    for limit in range(1, 6):
        engine = Planner(registry, fallback=False).plan(EXE, limit=limit).to_dict()
        assert engine == Planner(registry, reference=True).plan(EXE, limit=limit).to_dict()
        assert [m["title"] for m in engine["matches"]] == [f"T{n:02d}" for n in range(limit)]


def test_each_class_pool_is_one_text_the_engines_take_apart(engines: dict[str, Store]) -> None:
    """Each distinct pool of a planning class is one ``esap:planPoolFigures`` text (plain
    decimals; the wall-clock limit empty for none), and every engine reads it as the
    figures: a pool without a limit admits a run of any length (Virtuoso 7 casts an empty
    text to 0, which would read as a limit of 0 hours), one with a limit only shorter runs."""
    unlimited = changed(changed(changed(BASE_PLATFORM, "compute-resources.0.maxwalltime", ...), "compute-resources.0.memory", 32.5), "title", "U")
    limited = changed(changed(BASE_PLATFORM, "uuid", OTHER), "title", "L")  # 4 nodes, 8 cores, 32 GiB, 10 h
    long_run = changed(BASE_EXECUTABLE, "compute-resources.0.walltime", 20)
    for name, store in engines.items():
        registry = _filled(_emptied(store), long_run, [unlimited, limited])
        rows = store.select(
            "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT ?figures WHERE { "
            f"GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planPoolFigures ?figures }} }}"
        )
        assert sorted(str(row["figures"]) for row in rows) == ["4 8 32 100 10", "4 8 32.5 100 "], name
        for limit in (None, 20):
            plan = Planner(registry, fallback=False).plan(long_run["uuid"], limit=limit).to_dict()
            assert [m["title"] for m in plan["matches"]] == ["U"], name
            (rejection,) = plan["rejected"]
            assert rejection["title"] == "L", name
            assert [(r["constraint"], r["required"], r["offered"]) for r in rejection["reasons"]] == [("walltime", 20, 10)], name
        assert plan == Planner(registry, reference=True).plan(long_run["uuid"], limit=20).to_dict(), name


def _emptied(store: Store) -> Store:
    names = store.graph_names()
    if names:
        store.drop_graphs(names)
    return store


@settings(max_examples=12, deadline=None, suppress_health_check=_CHECKS)
@given(executable=executables(max_compute=1), found=platforms(most=5), given_overrides=overrides, at=st.sampled_from(["min", "max"]))
def test_every_engine_plans_as_the_reference(
    engines: dict[str, Store], executable: dict[str, Any], found: list[dict[str, Any]], given_overrides: dict[str, Any], at: str
) -> None:
    """The same random cases on the three engines: each engine's plan is the reference's,
    and the three are identical."""
    plans = {}
    for name, store in engines.items():
        registry = _filled(_emptied(store), executable, found)
        engine, reference = _both(registry, executable, given_overrides, at, None)
        assert engine == reference, name
        plans[name] = engine
    assert plans["oxigraph-serve"] == plans["embedded"]
    assert plans["virtuoso"] == plans["embedded"]


def test_platforms_alike_but_for_the_types_they_name_each_say_their_own() -> None:
    """Platforms that accept the same types (one names a narrower one too) are one planning
    class, and rejected on their type and cores alike; each rejection still says the types its own
    platform runs, and names its own pool, as the reference reads them."""
    broad = changed(changed(changed(BASE_PLATFORM, "executable-types", ["urn:types/notebook"]), "title", "A"), "compute-resources.0.cores", 2)
    named = changed(changed(changed(broad, "uuid", OTHER), "title", "B"), "executable-types", ["urn:types/notebook", "urn:types/jupyter-notebook"])
    registry = _filled(open_store("memory"), BASE_EXECUTABLE, [broad, named])
    engine, reference = _both(registry, BASE_EXECUTABLE, {}, "min", None)
    assert engine == reference
    offered = {r["title"]: r["reasons"][0]["offered"] for r in engine["rejected"]}
    assert offered == {"A": ["urn:types/notebook"], "B": ["urn:types/jupyter-notebook", "urn:types/notebook"]}
    pools = {r["title"]: {x["pool"] for x in r["reasons"] if "pool" in x} for r in engine["rejected"]}
    assert len(pools["A"]) == len(pools["B"]) == 1 and pools["A"] != pools["B"]


def test_a_platform_left_without_pools_fails_on_compute_alike() -> None:
    """The shapes require a node pool, but a raw SPARQL Update can take them away: the
    engine counts such a platform apart (esap:planPoolCount 0) as the reference does."""
    registry = _filled(open_store("memory"), BASE_EXECUTABLE, [BASE_PLATFORM, changed(changed(BASE_PLATFORM, "uuid", OTHER), "title", "Q")])
    registry.store.update(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
        f"DELETE {{ GRAPH <urn:uuid:{OTHER}> {{ ?p esap:nodePool ?pool }} }} WHERE {{ GRAPH <urn:uuid:{OTHER}> {{ ?p esap:nodePool ?pool }} }}"
    )
    engine, reference = _both(registry, BASE_EXECUTABLE, {}, "min", None)
    assert engine == reference
    assert [r["title"] for r in engine["rejected"]] == ["Q"]
    assert engine["rejected"][0]["reasons"][0]["constraint"] == "compute"
    assert engine["summary"]["passing"]["nodes"] == 1 and engine["summary"]["platforms"] == 2


# -- the planning index follows every write ---------------------------------------------

OTHER = "b0000000-0000-4000-8000-000000000002"


def _matched(planner: Planner) -> list[str]:
    """The titles of the matches, planned with every platform shown (what a plan shows of
    every platform is kept until the next write) and with a limit (only the platforms
    shown are read); both must agree."""
    every = planner.plan(EXE).to_dict()
    head = planner.plan(EXE, limit=20).to_dict()
    assert head["matches"] == every["matches"][:20] and head["rejected"] == every["rejected"][:20]
    return [m["title"] for m in every["matches"]]


@pytest.fixture(params=["memory", "disk"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Registry, Planner]]:
    store = open_store("memory" if request.param == "memory" else tmp_path / "store")
    registry = Registry(store)
    registry.ingest(load_document(json.dumps({"executables": [BASE_EXECUTABLE], "platforms": [BASE_PLATFORM]}), source="m.json"))
    yield store, registry, Planner(registry)
    store.close()


def test_the_index_follows_ingest_replace_and_delete(fresh: tuple[Store, Registry, Planner]) -> None:
    _, registry, planner = fresh
    assert _matched(planner) == ["P"]
    small = changed(BASE_PLATFORM, "compute-resources.0.cores", 2)
    registry.ingest(load_document(json.dumps({"platforms": [small]}), source="p.json"))
    assert _matched(planner) == []
    other = changed(changed(BASE_PLATFORM, "uuid", OTHER), "title", "Q")
    registry.ingest(load_document(json.dumps({"platforms": [other]}), source="q.json"))
    assert _matched(planner) == ["Q"]
    registry.delete(OTHER)
    assert _matched(planner) == [] and planner.plan(EXE).to_dict()["summary"]["platforms"] == 1


def test_the_index_follows_a_platform_replaced_by_an_executable(fresh: tuple[Store, Registry, Planner]) -> None:
    _, registry, planner = fresh
    registry.ingest(load_document(json.dumps({"executables": [changed(BASE_EXECUTABLE, "uuid", PLATFORM)]}), source="x.json"))
    assert planner.plan(EXE).to_dict()["summary"]["platforms"] == 0


def test_the_index_follows_a_users_sparql_update(fresh: tuple[Store, Registry, Planner]) -> None:
    store, registry, planner = fresh
    update = (
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
        "DELETE { GRAPH ?g { ?p esap:title ?t } } INSERT { GRAPH ?g { ?p esap:title \"P2\" } } "
        f"WHERE {{ GRAPH ?g {{ ?p esap:title ?t . FILTER(?p = <urn:uuid:{PLATFORM}>) }} }}"
    )
    registry.update(update)  # validated, then written graph by graph
    assert _matched(planner) == ["P2"]
    store.update(update.replace('"P2"', '"P3"'))  # the endpoint's raw update: any graph may change
    assert _matched(planner) == ["P3"]


def test_the_index_follows_a_restore_and_is_never_dumped(fresh: tuple[Store, Registry, Planner], tmp_path: Path) -> None:
    store, registry, _ = fresh
    dump = backup.dump(store, "nquads")
    assert f"<{PLANNING_GRAPH}> .\n".encode() not in dump  # no quad of the index's graph
    assert PLANNING_GRAPH not in store.graph_names()
    target = open_store("memory")
    backup.restore(target, dump)  # a store the registry never watched
    assert _matched(Planner(Registry(target))) == ["P"]
    target.close()


def test_every_platform_shown_follows_a_write_the_rule_does_not_read(fresh: tuple[Store, Registry, Planner]) -> None:
    """What a plan shows of every platform is kept until the store's next write: a pool's
    GPUs, its title, its launch template and the types it runs (none of which moves it to
    another planning class) show in the next plan, as the reference reads them."""
    _, registry, planner = fresh
    planner.plan(EXE)  # what every platform shows is now kept
    shown = changed(changed(changed(BASE_PLATFORM, "compute-resources.0.gpus", 2), "title", "P-gpu"), "launch", "{url}other")
    registry.ingest(load_document(json.dumps({"platforms": [shown]}), source="p.json"))
    plan = planner.plan(EXE).to_dict()
    assert plan == Planner(registry, reference=True).plan(EXE).to_dict()
    (match,) = plan["matches"]
    assert match["title"] == "P-gpu" and match["pool"]["gpus-per-node"] == 2 and match["launch"].startswith("https://p.example.org/other")
    other_type = changed(changed(shown, "executable-types", ["urn:types/jupyter-notebook"]), "title", "P-nb")
    registry.ingest(load_document(json.dumps({"platforms": [other_type]}), source="p.json"))
    plan = planner.plan(EXE).to_dict()
    assert plan == Planner(registry, reference=True).plan(EXE).to_dict()
    (rejection,) = plan["rejected"]
    assert rejection["title"] == "P-nb" and rejection["reasons"][0]["offered"] == ["urn:types/jupyter-notebook"]


def test_a_pool_its_class_lacks_is_an_engine_error_never_a_plan(caplog: pytest.LogCaptureFixture) -> None:
    """A platform's pool whose figures its planning class does not hold (the classes'
    pools rewritten behind the registry's back: 5 nodes, where the platforms give 4) is an error naming the query when every platform is shown,
    and the plan is made the reference way instead, with a warning."""
    registry = _filled(open_store("memory"), BASE_EXECUTABLE, [BASE_PLATFORM, changed(changed(BASE_PLATFORM, "uuid", OTHER), "title", "Q")])
    reference = Planner(registry, reference=True).plan(EXE).to_dict()
    registry.store._store.update(  # noqa: SLF001 - behind the registry's back: no write is told
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
        f"DELETE {{ GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planPoolFigures ?figures }} }} "
        f"INSERT {{ GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planPoolFigures ?five }} }} "
        f"WHERE {{ GRAPH <{PLANNING_CLASSES_GRAPH}> {{ ?class esap:planPoolFigures ?figures }} "
        'BIND(CONCAT("5 ", STRAFTER(?figures, " ")) AS ?five) }'
    )
    with pytest.raises(StoreValueError, match=r"plan-class-pools\.rq without the pool .* of urn:uuid:"):
        Planner(registry, fallback=False).plan(EXE)
    planner = Planner(registry)
    assert planner.plan(EXE).to_dict() == reference and planner.fallbacks == 1
    assert "planned the reference way" in caplog.text


def test_data_loaded_behind_the_registrys_back_is_indexed_when_the_registry_opens(tmp_path: Path) -> None:
    store = open_store("memory")
    registry = Registry(store)
    registry.ingest(load_document(json.dumps({"executables": [BASE_EXECUTABLE], "platforms": [BASE_PLATFORM]}), source="m.json"))
    dump = store.dump("nquads")
    raw = open_store("memory")
    raw._store.load(dump, format=__import__("pyoxigraph").RdfFormat.N_QUADS)  # noqa: SLF001 - behind the registry's back
    assert _matched(Planner(Registry(raw))) == ["P"]


def test_the_readmes_queries_give_the_planners_answer_at_the_sparql_endpoint(example_dump: bytes) -> None:
    """README, "How planning runs": queries/plan-matches.rq with its placeholder lines
    written out as the README shows, sent as a user's query, ranks the classes; their
    platforms listed by queries/plan-listed.rq as the README tells (the classes numbered,
    tied ones alike, as a VALUES block) are the platforms of ``plan --limit 3`` for the
    notebook "Find ESCAPE OSSR records", in the same order."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### How planning runs") :]
    block = section[section.index("```sparql") + len("```sparql") : section.index("```", section.index("```sparql") + 9)]
    binds = "\n".join(line for line in block.splitlines() if line.startswith("BIND("))
    text = (root / "queries" / "plan-matches.rq").read_text(encoding="utf-8")
    text = "\n".join(binds if line.strip() == "#@bind plan" else "FILTER(false)" if line.strip() == "#@table data" else line for line in text.splitlines())
    store = open_store("memory")
    backup.restore(store, example_dump)
    registry = Registry(store)
    orders: dict[str, int] = {}
    keys: list[tuple[object, ...]] = []
    for row in registry.query(text).python():  # type: ignore[union-attr]
        key = (row["localCount"], row["allocCores"], row["allocMemory"])
        if key not in keys:
            keys.append(key)
        orders.setdefault(str(row["class"]), keys.index(key))
    values = " ".join(f"(<{name}> {order})" for name, order in orders.items())
    listing = (root / "queries" / "plan-listed.rq").read_text(encoding="utf-8").replace("#@table classes", f"VALUES (?class ?order) {{ {values} }}")
    rows = registry.query(listing + "\nLIMIT 3").python()  # type: ignore[union-attr]
    plan = Planner(registry).plan("5cec9f3d-79c0-49ad-9a5a-455596c55341", limit=3).to_dict()
    assert [str(row["platform"]).removeprefix("urn:uuid:") for row in rows] == [m["platform"] for m in plan["matches"]]
    assert len(rows) == 3
    store.close()
