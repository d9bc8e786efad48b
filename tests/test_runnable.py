"""The reverse plan (``Planner.runnable``, ``esap-registry runnable``) agrees with the
plan: E is in runnable(P) exactly when P is among plan(E)'s matches; and the benchmark's
brute-force floor (``tests/support/floor.py``) finds the same matches as the planner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from support.floor import Floor
from support.synthetic import executables, platforms

from registry.cli.main import cli
from registry.errors import InputError, NotFound
from registry.planner import Planner
from registry.readers import load_document, load_path
from registry.resources import load_query
from registry.runnable import ReversePlanner
from registry.service import Registry
from registry.store import Store, open_store
from registry.store.terms import fill
from registry.vocabulary import NEEDS_GRAPH

ROOT = Path(__file__).resolve().parents[1]

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
MYBINDER = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01"
GAIA_CLUSTER = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a06"
NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _entries(key: str) -> list[dict[str, Any]]:
    return [e for path in EXAMPLES for e in json.loads(path.read_text()).get(key, [])]


def _examples(store: Store) -> Planner:
    registry = Registry(store)
    for path in EXAMPLES:
        registry.ingest(load_path(path))
    return Planner(registry)


def _synthetic(n_platforms: int, n_executables: int) -> tuple[Planner, list[dict[str, Any]], list[dict[str, Any]]]:
    """A registry holding synthetic platforms and executables (stored without SHACL, as the benchmarks do)."""
    found_platforms = platforms(n_platforms)["platforms"]
    found_executables = executables(n_executables)["executables"]
    registry = Registry(open_store("memory"))
    registry.prepare()
    document = load_document(json.dumps({"platforms": found_platforms, "executables": found_executables}), source="synthetic.json")
    registry.store.replace_graphs(document.entries)
    return Planner(registry), found_platforms, found_executables


def _agree(planner: Planner, platform_uuids: list[str], executable_uuids: list[str]) -> None:
    matches = {e: {m["platform"] for m in planner.plan(e).matches} for e in executable_uuids}
    for platform in platform_uuids:
        runnable = {r["executable"] for r in planner.runnable(platform).executables}
        assert runnable == {e for e in executable_uuids if platform in matches[e]}, platform


def test_runnable_agrees_with_plan_on_the_examples_on_every_backend(store: Store) -> None:
    _agree(_examples(store), [p["uuid"] for p in _entries("platforms")], [e["uuid"] for e in _entries("executables")])


def test_runnable_agrees_with_plan_on_a_synthetic_set() -> None:
    planner, found_platforms, found_executables = _synthetic(60, 60)
    _agree(planner, [p["uuid"] for p in found_platforms], [e["uuid"] for e in found_executables])


def test_runnable_lists_titles_types_and_storage() -> None:
    planner = _examples(open_store("memory"))
    notebooks = planner.runnable(MYBINDER).executables
    assert NOTEBOOK in [r["executable"] for r in notebooks]
    assert all(r["type"].startswith("urn:types/") and r["storage"]["offered"] == 10 for r in notebooks)
    assert [r["title"] for r in notebooks] == sorted(r["title"] for r in notebooks)
    assert "Gaia HDBSCAN clustering" in [r["title"] for r in planner.runnable(GAIA_CLUSTER).executables]


@pytest.mark.parametrize(
    ("uuid", "error"), [(UNKNOWN, NotFound), (NOTEBOOK, InputError), ("not-a-uuid", InputError)], ids=["unknown", "an-executable", "not-a-uuid"]
)
def test_runnable_of_what_is_no_platform(uuid: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        _examples(open_store("memory")).runnable(uuid)


@pytest.mark.parametrize(
    ("sizes", "source"), [((0, 0), "examples"), ((200, 40), "synthetic")], ids=["examples", "synthetic"]
)
def test_the_floor_finds_the_planners_matches(sizes: tuple[int, int], source: str) -> None:
    if source == "examples":
        planner, found_platforms, found_executables = _examples(open_store("memory")), _entries("platforms"), _entries("executables")
    else:
        planner, found_platforms, found_executables = _synthetic(*sizes)
    floor = Floor(found_platforms)
    matched = 0
    for executable in found_executables:
        expected = {m["platform"] for m in planner.plan(executable["uuid"]).matches}
        assert floor.matches(executable) == expected, executable["title"]
        matched += bool(expected)
    assert matched  # the sets are not trivially empty


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runnable") / "store"
    with open_store(path) as store:
        _examples(store)
    return path


@pytest.mark.parametrize("fmt", ["text", "json"], ids=["text", "json"])
def test_the_runnable_command(cli_store: Path, fmt: str) -> None:
    result = CliRunner().invoke(cli, ["runnable", MYBINDER, "--store", str(cli_store), "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        answer = json.loads(result.output)
        assert answer["platform"] == MYBINDER and NOTEBOOK in [e["executable"] for e in answer["executables"]]
    else:
        assert "Find ESCAPE OSSR records" in result.output and "executable(s) can run on" in result.output


@pytest.mark.parametrize("uuid", [UNKNOWN, NOTEBOOK], ids=["unknown", "an-executable"])
def test_the_runnable_command_fails_clearly(cli_store: Path, uuid: str) -> None:
    result = CliRunner().invoke(cli, ["runnable", uuid, "--store", str(cli_store)])
    assert result.exit_code == 1
    assert uuid in result.output


def test_the_engines_reverse_plan_is_the_references_in_order_with_limit_and_count() -> None:
    """The engine (``runnable-matches.rq`` over the need classes, ``runnable-listed.rq``)
    lists what the clause queries combined here list, in the same order; a limit keeps
    the head, and the count is the whole list's."""
    planner, found_platforms, _ = _synthetic(40, 120)
    engine = ReversePlanner(planner.registry)
    reference = ReversePlanner(planner.registry, reference=True)
    seen = 0
    for platform in [p["uuid"] for p in found_platforms]:
        listed = engine.runnable(platform)
        assert listed == reference.runnable(platform), platform
        assert engine.runnable(platform, limit=3) == listed[:3]
        assert engine.count(platform) == len(listed) == reference.count(platform)
        assert engine.listing(platform, 2).count == len(listed)
        seen += len(listed)
    assert seen > 0



def test_the_runnable_command_lists_the_first_n_and_counts_every_one(cli_store: Path) -> None:
    every = json.loads(CliRunner().invoke(cli, ["runnable", MYBINDER, "--store", str(cli_store), "--limit", "all", "--format", "json"]).output)
    assert every["limit"] is None and every["count"] == len(every["executables"]) >= 2
    first = json.loads(CliRunner().invoke(cli, ["runnable", MYBINDER, "--store", str(cli_store), "--limit", "1", "--format", "json"]).output)
    assert first["limit"] == 1 and first["count"] == every["count"]
    assert first["executables"] == every["executables"][:1]
    text = CliRunner().invoke(cli, ["runnable", MYBINDER, "--store", str(cli_store), "--limit", "1"]).output
    assert f"{every['count']} executable(s) can run on {MYBINDER} (the first 1 listed; --limit all lists every one)" in text
    bad = CliRunner().invoke(cli, ["runnable", MYBINDER, "--store", str(cli_store), "--limit", "0"])
    assert bad.exit_code == 1 and "limit" in bad.output


def _need_classes(store: Store) -> list[int]:
    """How many executables each need class links, sorted (classes left empty not counted)."""
    rows = store.select(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT ?class (COUNT(?e) AS ?n) WHERE { "
        f"GRAPH <{NEEDS_GRAPH}> {{ ?e esap:planClass ?class }} }} GROUP BY ?class"
    )
    return sorted(int(row["n"]) for row in rows)


def _same_as_reference(registry: Registry, platform: str = MYBINDER) -> list[str]:
    engine = ReversePlanner(registry).listing(platform)
    reference = ReversePlanner(registry, reference=True).listing(platform)
    assert engine == reference
    return [e["executable"] for e in engine.executables]


def test_need_classes_follow_every_write_path(store: Store) -> None:
    """Executables alike share a need class; each write path (ingest, replacement,
    deletion, SPARQL Update, restore) is followed at once, on every backend: the reverse
    plan right after it is the reference's."""
    registry = Registry(store)
    for path in EXAMPLES:
        registry.ingest(load_path(path))
    notebook = next(e for e in _entries("executables") if e["uuid"] == NOTEBOOK)
    copies = [{**notebook, "uuid": f"e{index:07d}-0000-4000-8000-000000000000", "title": f"copy {index}"} for index in (1, 2)]
    registry.ingest(load_document(json.dumps({"executables": copies}), source="copies.json"))
    assert {NOTEBOOK, copies[0]["uuid"], copies[1]["uuid"]} <= set(_same_as_reference(registry))
    before = _need_classes(store)  # (linked by the reverse plan: a write only marks them)
    assert max(before) >= 3  # the notebook and its two copies: one class
    # a copy that needs more cores than MyBinder offers moves to a class of its own, and off the list
    bigger = {**copies[1], "compute-resources": [{"mincores": 64, "minmemory": 1}]}
    registry.ingest(load_document(json.dumps({"executables": [bigger]}), source="bigger.json"))
    assert copies[1]["uuid"] not in _same_as_reference(registry)
    assert _need_classes(store) == sorted([*[n for n in before if n != max(before)], max(before) - 1, 1])
    # a retitled copy moves in the order
    registry.ingest(load_document(json.dumps({"executables": [{**copies[0], "title": "AAA first"}]}), source="retitled.json"))
    assert _same_as_reference(registry)[0] == copies[0]["uuid"]
    registry.delete(copies[0]["uuid"])
    assert copies[0]["uuid"] not in _same_as_reference(registry)
    # a SPARQL Update: the need classes are derived whole before the next reverse plan
    registry.update(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> DELETE { GRAPH ?g { ?r esap:minCores ?c } } INSERT { GRAPH ?g { ?r esap:minCores 1 } } "
        f"WHERE {{ GRAPH ?g {{ <urn:uuid:{copies[1]['uuid']}> esap:computeRequirement ?r . ?r esap:minCores ?c }} }}"
    )
    assert copies[1]["uuid"] in _same_as_reference(registry)
    # a restore (dump, emptied, loaded)
    dumped = store.dump()
    registry.delete(NOTEBOOK)
    assert NOTEBOOK not in _same_as_reference(registry)
    store.load(dumped)
    assert NOTEBOOK in _same_as_reference(registry)


def test_need_classes_of_executables_loaded_behind_the_registrys_back_are_derived(tmp_path: Path) -> None:
    """Executables written into the store by another process (no watcher told) are
    linked before the next reverse plan of a registry that opens it."""
    path = tmp_path / "store"
    with open_store(path) as store:
        registry = Registry(store)
        for path_ in EXAMPLES:
            if "executables" not in json.loads(path_.read_text()):
                registry.ingest(load_path(path_))
        assert ReversePlanner(registry).listing(MYBINDER).count == 0
    documents = [load_path(p) for p in EXAMPLES if "executables" in json.loads(p.read_text())]
    with open_store(path) as behind:  # no Registry: nothing watches these writes
        for document in documents:
            behind.replace_graphs(document.entries)
    with open_store(path) as store:
        registry = Registry(store)
        listed = _same_as_reference(registry)
        assert NOTEBOOK in listed


def _marks(store: Store) -> list[tuple[str, str]]:
    rows = store.select(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT ?e ?token WHERE { "
        f"GRAPH <{NEEDS_GRAPH}> {{ ?e esap:needsLinking ?token }} }}"
    )
    return sorted((str(row["e"]), str(row["token"])) for row in rows)


def test_a_write_marks_what_it_holds_and_the_next_reverse_plan_links_it() -> None:
    """A write costs one small update (a mark per graph, with the write's own token); the
    reverse plan links the marked and takes exactly the marks it read away, so that a
    mark made meanwhile (another token) stays for the next one."""
    store = open_store("memory")
    registry = Registry(store)
    for path in EXAMPLES:
        registry.ingest(load_path(path))
    _same_as_reference(registry)
    assert _marks(store) == []
    copy = {**next(e for e in _entries("executables") if e["uuid"] == NOTEBOOK), "uuid": "e0000001-0000-4000-8000-000000000000", "title": "a copy"}
    registry.ingest(load_document(json.dumps({"executables": [copy]}), source="copy.json"))
    marked = _marks(store)
    assert [name for name, _ in marked] == [f"urn:uuid:{copy['uuid']}"]
    assert copy["uuid"] in _same_as_reference(registry)
    assert _marks(store) == []
    # two marks of one graph: taking one token's away leaves the other's
    name = URIRef(f"urn:uuid:{copy['uuid']}")
    for token in ("first", "second"):
        store.update(fill(load_query("needs-mark"), {"marks": (["executable", "token"], [[name, Literal(token)]])}))
    store.update(fill(load_query("needs-unmark"), {"marks": (["executable", "token"], [[name, Literal("first")]])}))
    assert _marks(store) == [(str(name), "second")]
    store.close()
