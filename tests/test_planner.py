"""The matching rule, clause by clause (each alone making a platform fail and pass),
the ranking, the explanations, the what-if ranges, and the examples."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from registry.readers import load_document, load_path
from registry.errors import InputError, NotFound
from registry.planner import Overrides, Planner
from registry.service import Registry
from registry.store import Store, open_store
from registry.vocabulary import PLANNING_GRAPH
from support.planning import BASE_EXECUTABLE, BASE_PLATFORM, EXE, PLATFORM, changed, plan_of

def reasons(plan: dict[str, Any]) -> list[dict[str, Any]]:
    assert len(plan["rejected"]) == 1, plan["rejected"]
    return plan["rejected"][0]["reasons"]


def matched(plan: dict[str, Any]) -> list[str]:
    return [m["title"] for m in plan["matches"]]


@pytest.mark.parametrize("backend", ["memory", "rdflib"])
def test_the_base_case_matches_on_every_clause_at_its_boundary(backend: str) -> None:
    plan = plan_of(BASE_EXECUTABLE, BASE_PLATFORM, backend=backend)
    assert matched(plan) == ["P"]
    (match,) = plan["matches"]
    assert match["pool"] == {"iri": POOL, "nodes": 4, "cores-per-node": 8, "memory-per-node": 32, "maxwalltime": 10, "gpus-per-node": None}
    assert match["allocation"] == {"nodes": 2, "cores": 16, "memory": 64}  # n* x K.cores, n* x K.memory
    assert match["local-data"] == [{"uuid": "d0000000-0000-4000-8000-000000000001", "title": "catalogue", "collection": "Gaia"}]
    assert match["storage"] == {"offered": 100, "needed": 10}  # the local data need not be staged
    assert match["score"] == {"local-data": 1, "cores": 16, "memory": 64}
    assert match["launch"] == "https://p.example.org/v2/git/https%3A%2F%2Fexample.org%2Frepo.git/main?urlpath=lab/tree/notebooks/a%20b.ipynb"
    assert plan["summary"]["passing"] == {"type": 1, "nodes": 1, "cores": 1, "memory": 1, "walltime": 1, "storage": 1}


# -- clause 1: type --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("runs", "ok"),
    [
        (["urn:types/slurm-job"], True),
        (["urn:types/batch-job"], True),
        (["urn:types/container", "urn:types/batch-job"], True),
        (["urn:types/container"], False),
        (["urn:types/htcondor-job"], False),
    ],
    ids=["same", "broader", "one-of-several", "unrelated", "sibling"],
)
def test_type_clause(runs: list[str], ok: bool) -> None:
    plan = plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, "executable-types", runs))
    if ok:
        assert matched(plan) == ["P"]
    else:
        assert reasons(plan) == [{"constraint": "type", "required": "urn:types/slurm-job", "offered": sorted(runs)}]


def test_a_broader_executable_type_is_not_covered_by_a_narrower_platform_type() -> None:
    executable = changed(BASE_EXECUTABLE, "type", "urn:types/batch-job")
    plan = plan_of(executable, changed(BASE_PLATFORM, "executable-types", ["urn:types/slurm-job"]))
    assert reasons(plan)[0]["constraint"] == "type"


# -- clause 2: compute -------------------------------------------------------------------

POOL = "urn:uuid:b0000000-0000-4000-8000-000000000001#compute-resources-0"


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("compute-resources.0", {"nodes": 1, "cores": 16, "memory": 64, "maxwalltime": 10},
         {"constraint": "nodes", "required": 2, "offered": 1, "unit": "nodes"}),
        ("compute-resources.0.cores", 7, {"constraint": "cores", "required": 16, "offered": 14, "unit": "cores", "at-nodes": 2}),
        ("compute-resources.0.memory", 31, {"constraint": "memory", "required": 64, "offered": 62, "unit": "GiB", "at-nodes": 2}),
        ("compute-resources.0.memory", "31GiB", {"constraint": "memory", "required": 64, "offered": 62, "unit": "GiB", "at-nodes": 2}),
        ("compute-resources.0.maxwalltime", 4, {"constraint": "walltime", "required": 5, "offered": 4, "unit": "h"}),
    ],
    ids=["nodes", "cores", "memory", "memory-with-unit", "walltime"],
)
def test_each_compute_constraint_alone_rejects(path: str, value: Any, reason: dict[str, Any]) -> None:
    assert reasons(plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, path, value))) == [dict(reason, pool=POOL)]


RANGE = changed(BASE_EXECUTABLE, "compute-resources", [{"nodes": 2, "maxnodes": 4, "mincores": 24, "minmemory": 64, "walltime": 5}])


@pytest.mark.parametrize(
    ("pool", "allocation", "reasons_"),
    [
        # 24 cores on 8-core nodes: 3 nodes, within [2, 4] and the pool's 4.
        ({"nodes": 4, "cores": 8, "memory": 32}, {"nodes": 3, "cores": 24, "memory": 96}, None),
        # The lower end holds: 2 nodes of 16 cores are enough, and 2 is the fewest allowed.
        ({"nodes": 4, "cores": 16, "memory": 64}, {"nodes": 2, "cores": 32, "memory": 128}, None),
        # The pool has only 2 nodes: 16 cores at 2 nodes.
        ({"nodes": 2, "cores": 8, "memory": 32}, None,
         [{"constraint": "cores", "required": 24, "offered": 16, "unit": "cores", "at-nodes": 2}]),
        # 6 nodes of 4 cores would do, but the range ends at 4: 16 cores at 4 nodes.
        ({"nodes": 8, "cores": 4, "memory": 32}, None,
         [{"constraint": "cores", "required": 24, "offered": 16, "unit": "cores", "at-nodes": 4}]),
        # One node is fewer than the range's lower end.
        ({"nodes": 1, "cores": 64, "memory": 256}, None, [{"constraint": "nodes", "required": 2, "offered": 1, "unit": "nodes"}]),
    ],
    ids=["fewest-within", "lower-end", "pool-too-small", "range-too-narrow", "too-few-nodes"],
)
def test_the_node_count_is_chosen_within_the_range(pool: dict[str, Any], allocation: dict[str, Any] | None, reasons_: list[dict[str, Any]] | None) -> None:
    plan = plan_of(RANGE, changed(BASE_PLATFORM, "compute-resources", [dict(pool, maxwalltime=10)]))
    if allocation is not None:
        assert plan["matches"][0]["allocation"] == allocation
    else:
        assert reasons(plan) == [dict(r, pool=POOL) for r in reasons_ or []]


def test_max_nodes_raises_or_lowers_the_upper_end_and_nodes_pins_the_range() -> None:
    wide = changed(BASE_PLATFORM, "compute-resources", [{"nodes": 8, "cores": 4, "memory": 32, "maxwalltime": 10}])
    assert plan_of(RANGE, wide)["rejected"]
    assert plan_of(RANGE, wide, overrides=Overrides(max_nodes=6))["matches"][0]["allocation"]["nodes"] == 6
    assert plan_of(RANGE, wide, overrides=Overrides(max_nodes=3))["rejected"][0]["reasons"][0]["at-nodes"] == 3
    pinned = plan_of(RANGE, changed(wide, "compute-resources.0.cores", 8), overrides=Overrides(nodes=4))
    assert pinned["requirements"]["compute"][0]["nodes"] == 4 and pinned["requirements"]["compute"][0]["max-nodes"] == 4
    assert pinned["matches"][0]["allocation"]["nodes"] == 4  # pinned: 4 nodes though 3 would hold the cores


def test_ranking_counts_the_waste_of_the_nodes_allocated() -> None:
    """24 cores: two 16-core nodes (32 cores) waste more than two 12-core nodes (24)."""
    sixteen = changed(changed(BASE_PLATFORM, "title", "sixteen"), "compute-resources", [{"nodes": 4, "cores": 16, "memory": 64}])
    twelve = changed(changed(changed(BASE_PLATFORM, "title", "twelve"), "uuid", "b0000000-0000-4000-8000-000000000002"),
                     "compute-resources", [{"nodes": 4, "cores": 12, "memory": 64}])
    executable = changed(RANGE, "compute-resources.0.nodes", 1)
    plan = plan_of(executable, sixteen, twelve)
    assert matched(plan) == ["twelve", "sixteen"]
    assert [m["score"]["cores"] for m in plan["matches"]] == [24, 32]


def test_no_walltime_on_either_side_means_no_limit() -> None:
    assert matched(plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, "compute-resources.0.maxwalltime", ...))) == ["P"]
    no_walltime = changed(BASE_EXECUTABLE, "compute-resources.0.walltime", ...)
    assert matched(plan_of(no_walltime, changed(BASE_PLATFORM, "compute-resources.0.maxwalltime", 1))) == ["P"]


def test_nodes_default_to_one() -> None:
    one_node = changed(BASE_EXECUTABLE, "compute-resources.0", {"mincores": 8, "minmemory": 32})
    plan = plan_of(one_node, changed(BASE_PLATFORM, "compute-resources.0.nodes", 1))
    assert matched(plan) == ["P"]
    assert plan["requirements"]["compute"][0]["nodes"] == 1


def test_some_pool_must_fit_and_the_least_wasteful_is_chosen() -> None:
    platform = changed(BASE_PLATFORM, "compute-resources", [
        {"nodes": 1, "cores": 64, "memory": 1024},
        {"nodes": 8, "cores": 16, "memory": 64},
        {"nodes": 8, "cores": 8, "memory": 64},
    ])
    (match,) = plan_of(BASE_EXECUTABLE, platform)["matches"]
    assert match["pool"]["iri"].endswith("#compute-resources-2") and match["allocation"] == {"nodes": 2, "cores": 16, "memory": 128}


def test_every_compute_requirement_must_be_met_by_some_pool() -> None:
    executable = changed(BASE_EXECUTABLE, "compute-resources", [
        {"nodes": 1, "mincores": 4, "minmemory": 4},
        {"nodes": 1, "mincores": 2, "minmemory": 200},
    ])
    two_pools = changed(BASE_PLATFORM, "compute-resources", [{"nodes": 1, "cores": 8, "memory": 8}, {"nodes": 1, "cores": 2, "memory": 256}])
    plan = plan_of(executable, two_pools)
    assert matched(plan) == ["P"]
    assert len(plan["matches"][0]["pool"]) == 2
    one_pool = changed(two_pools, "compute-resources", [{"nodes": 1, "cores": 8, "memory": 8}])
    assert reasons(plan_of(executable, one_pool)) == [
        {"constraint": "memory", "required": 200, "offered": 8, "unit": "GiB", "at-nodes": 1, "pool": POOL, "requirement": 1}
    ]


def test_the_rejection_names_the_pool_that_came_closest() -> None:
    platform = changed(BASE_PLATFORM, "compute-resources", [
        {"nodes": 1, "cores": 1, "memory": 1},
        {"nodes": 4, "cores": 8, "memory": 16},
    ])
    assert reasons(plan_of(BASE_EXECUTABLE, platform)) == [
        {"constraint": "memory", "required": 64, "offered": 32, "unit": "GiB", "at-nodes": 2, "pool": POOL.replace("resources-0", "resources-1")}
    ]


# -- clause 3: data and storage -----------------------------------------------------------

def test_data_held_with_a_different_content_must_be_staged() -> None:
    platform = changed(BASE_PLATFORM, "data-resources.0.data-content", "urn:astronomy-image")
    plan = plan_of(BASE_EXECUTABLE, platform)
    assert matched(plan) == ["P"]
    assert plan["matches"][0]["local-data"] == [] and plan["matches"][0]["storage"]["needed"] == 60
    assert reasons(plan_of(BASE_EXECUTABLE, changed(platform, "storage-resources.0.size", 59))) == [
        {"constraint": "storage", "required": 60, "offered": 59, "unit": "GiB"}
    ]


def test_local_data_needs_no_storage_for_itself() -> None:
    plan = plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, "storage-resources.0.size", 10))
    assert matched(plan) == ["P"]
    assert reasons(plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, "storage-resources.0.size", 9))) == [
        {"constraint": "storage", "required": 10, "offered": 9, "unit": "GiB"}
    ]


@pytest.mark.parametrize(
    ("field", "held", "local"),
    [
        ("data-format", "urn:parquet-binary", True),
        ("data-format", "urn:fits-binary", True),  # FITS is also a tabular format
        ("data-format", "urn:hdf5-binary", False),
        ("data-content", "urn:astronomy-catalogue", True),
        ("data-content", "urn:astronomy-image", False),
    ],
    ids=["narrower-format", "fits-tabular", "other-format", "same-content", "other-content"],
)
def test_locality_matches_equal_or_narrower_terms(field: str, held: str, local: bool) -> None:
    plan = plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, f"data-resources.0.{field}", held))
    assert bool(plan["matches"][0]["local-data"]) is local


def test_a_field_the_executable_leaves_out_matches_any() -> None:
    executable = changed(BASE_EXECUTABLE, "data-resources.0.data-content", ...)
    platform = changed(BASE_PLATFORM, "data-resources.0.data-content", "urn:astronomy-image")
    assert plan_of(executable, platform)["matches"][0]["local-data"] != []


def test_a_platform_without_storage_offers_zero_and_sizes_not_given_count_zero() -> None:
    no_storage = changed(BASE_PLATFORM, "storage-resources", ...)
    assert reasons(plan_of(BASE_EXECUTABLE, no_storage)) == [{"constraint": "storage", "required": 10, "offered": 0, "unit": "GiB"}]
    nothing_to_stage = changed(changed(BASE_EXECUTABLE, "storage-resources", ...), "data-resources.0.size", ...)
    held_elsewhere = changed(no_storage, "data-resources.0.data-content", "urn:astronomy-image")
    assert matched(plan_of(nothing_to_stage, held_elsewhere)) == ["P"]


# -- ranking, explanations, summary ------------------------------------------------------------

def test_ranking_local_data_then_least_waste_then_title() -> None:
    def platform(n: int, title: str, cores: int, memory: int, local: bool) -> dict[str, Any]:
        p = changed(BASE_PLATFORM, "uuid", f"b0000000-0000-4000-8000-00000000000{n}")
        p = changed(changed(p, "title", title), "compute-resources.0.cores", cores)
        p = changed(changed(p, "compute-resources.0.memory", memory), "storage-resources.0.size", 1000)
        return p if local else changed(p, "data-resources", ...)

    plan = plan_of(
        BASE_EXECUTABLE,
        platform(1, "big but local", 64, 512, True),
        platform(2, "zeta", 8, 64, False),
        platform(3, "alpha", 8, 64, False),
        platform(4, "less memory", 8, 32, False),
        platform(5, "fewer cores", 10, 32, False),
    )
    assert matched(plan) == ["big but local", "less memory", "alpha", "zeta", "fewer cores"]
    assert [m["rank"] for m in plan["matches"]] == [1, 2, 3, 4, 5]


def test_summary_counts_platforms_passing_each_constraint() -> None:
    platforms = [
        BASE_PLATFORM,
        changed(changed(BASE_PLATFORM, "uuid", "b0000000-0000-4000-8000-000000000002"), "compute-resources.0.nodes", 1),
        changed(changed(BASE_PLATFORM, "uuid", "b0000000-0000-4000-8000-000000000003"), "executable-types", ["urn:types/container"]),
    ]
    plan = plan_of(BASE_EXECUTABLE, *platforms)
    assert plan["summary"]["platforms"] == 3 and plan["summary"]["matches"] == 1
    # the one-node platform fails on nodes, and on cores and memory at that one node
    assert plan["summary"]["passing"] == {"type": 2, "nodes": 2, "cores": 2, "memory": 2, "walltime": 3, "storage": 3}


# -- what-if ----------------------------------------------------------------------------------

RANGED = changed(
    BASE_EXECUTABLE,
    "compute-resources",
    [{"nodes": 2, "maxnodes": 4, "mincores": 16, "maxcores": 32, "minmemory": 64, "maxmemory": "128GiB", "walltime": 5}],
)


def test_plans_at_the_minima_by_default_and_at_the_maxima_on_request() -> None:
    at_min = plan_of(RANGED, BASE_PLATFORM)
    assert at_min["requirements"]["compute"] == [{"cores": 16, "memory": 64, "nodes": 2, "max-nodes": 4, "hours": 5}]
    assert matched(at_min) == ["P"]
    assert at_min["summary"]["matches-at-min"] == 1 and at_min["summary"]["matches-at-max"] == 1
    # At the maxima: the most cores and memory, over the same node range [2, 4].
    at_max = plan_of(RANGED, changed(BASE_PLATFORM, "compute-resources.0.nodes", 3), at="max")
    assert at_max["requirements"]["compute"] == [{"cores": 32, "memory": 128, "nodes": 2, "max-nodes": 4, "hours": 5}]
    assert reasons(at_max) == [
        {"constraint": "cores", "required": 32, "offered": 24, "unit": "cores", "at-nodes": 3, "pool": POOL},
        {"constraint": "memory", "required": 128, "offered": 96, "unit": "GiB", "at-nodes": 3, "pool": POOL},
    ]
    assert at_max["summary"]["matches-at-min"] == 1 and at_max["summary"]["matches-at-max"] == 0


@pytest.mark.parametrize(
    ("overrides", "ok"),
    [
        (Overrides(cores=17), False),
        (Overrides(cores=8, memory=32, nodes=1), True),
        (Overrides(memory="65GiB"), False),
        (Overrides(hours="11h"), False),
        (Overrides(hours="30min"), True),
        (Overrides(storage=101), False),
        (Overrides(data_size="5TB"), True),  # local data is not staged, whatever its size
    ],
    ids=["more-cores", "fewer-nodes", "more-memory", "longer", "shorter", "more-storage", "bigger-local-data"],
)
def test_overrides_raise_or_lower_any_need(overrides: Overrides, ok: bool) -> None:
    assert bool(matched(plan_of(BASE_EXECUTABLE, BASE_PLATFORM, overrides=overrides))) is ok


def test_a_data_size_override_applies_to_staged_data() -> None:
    elsewhere = changed(BASE_PLATFORM, "data-resources.0.data-content", "urn:astronomy-image")
    assert reasons(plan_of(BASE_EXECUTABLE, elsewhere, overrides=Overrides(data_size="100GiB"))) == [
        {"constraint": "storage", "required": 110, "offered": 100, "unit": "GiB"}
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (Overrides(cores=-1), "--cores must not be negative"),
        (Overrides(memory="lots"), "--memory: not a data size"),
        (Overrides(nodes=0), "--nodes must be at least 1"),
        (Overrides(hours="-2h"), "--hours must not be negative"),
        (Overrides(data_size="1 parsec"), "--data-size"),
    ],
    ids=["negative-cores", "memory-not-a-size", "zero-nodes", "negative-hours", "bad-data-size"],
)
def test_bad_overrides_name_the_option(overrides: Overrides, message: str) -> None:
    with pytest.raises(InputError, match=message):
        plan_of(BASE_EXECUTABLE, BASE_PLATFORM, overrides=overrides)


# -- launch, targets, examples ---------------------------------------------------------------------

def test_no_launch_url_without_a_location_or_a_template() -> None:
    assert plan_of(changed(BASE_EXECUTABLE, "location", ...), BASE_PLATFORM)["matches"][0]["launch"] is None
    assert plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, "launch", ...))["matches"][0]["launch"] is None


def test_unknown_uuids_platforms_and_unregistered_manifests(registry: Registry, examples_dir: Path) -> None:
    registry.ingest(load_path(examples_dir / "platforms.json"))
    planner = Planner(registry)
    with pytest.raises(NotFound):
        planner.plan(EXE)
    with pytest.raises(InputError, match="is a platform"):
        planner.plan("f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01")
    unregistered = load_document(json.dumps({"executables": [BASE_EXECUTABLE]}), source="e.json")
    plan = planner.plan(unregistered).to_dict()
    assert plan["executable"] == EXE and "Gaia HPC batch cluster" in matched(plan)
    assert registry.entries() and all(e.kind == "platform" for e in registry.entries())  # nothing was stored
    two = load_path(examples_dir / "ossr-library-notebooks.json")
    with pytest.raises(InputError, match="holds 2 executables: name the one to plan with --uuid") as refused:
        planner.plan(two)
    assert "5cec9f3d-79c0-49ad-9a5a-455596c55341, 1d5e06cc-e1a9-4eb9-8d99-5e0b1a6f7c2d" in str(refused.value)
    assert planner.plan(two, uuid="1D5E06CC-e1a9-4eb9-8d99-5e0b1a6f7c2d").executable == "1d5e06cc-e1a9-4eb9-8d99-5e0b1a6f7c2d"
    with pytest.raises(InputError, match="--uuid is not the uuid of an executable in .* 5cec9f3d"):
        planner.plan(two, uuid=EXE)


@pytest.fixture(scope="module")
def examples() -> Planner:
    registry = Registry(open_store("memory"))
    for path in sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json")):
        registry.ingest(load_path(path))
    return Planner(registry)


BINDERS = ["MyBinder", "RenkuLab", "JIVE BinderHub", "CSCS CTA BinderHub", "SKAO BinderHub"]
GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"


def test_the_notebooks_go_to_the_binderhubs(examples: Planner) -> None:
    for uuid in ("5cec9f3d-79c0-49ad-9a5a-455596c55341", "1d5e06cc-e1a9-4eb9-8d99-5e0b1a6f7c2d"):
        plan = examples.plan(uuid).to_dict()
        assert matched(plan) == BINDERS
        assert plan["matches"][0]["launch"].startswith("https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.com%2Fescape-ossr%2Feossr/master")


def test_the_full_gaia_run_goes_only_to_the_hpc_cluster_and_its_lower_range_to_more(examples: Planner) -> None:
    full = examples.plan(GAIA).to_dict()
    # 8 to 64 nodes: the cluster (holding the data) on 8 of its nodes, the cloud on 14 of its 20.
    assert matched(full) == ["Gaia HPC batch cluster", "ESCAPE Kubernetes cloud"]
    assert full["matches"][0]["local-data"][0]["title"] == "Gaia DR3 source catalogue"
    assert full["matches"][0]["allocation"] == {"nodes": 8, "cores": 512, "memory": 4096}
    assert full["matches"][1]["allocation"] == {"nodes": 14, "cores": 224, "memory": 896}
    assert full["matches"][1]["pool"]["nodes"] == 20 and full["matches"][1]["pool"]["cores-per-node"] == 16
    # Pinned to exactly 8 nodes, the cloud falls short, and it is said at how many nodes and what would fit.
    exact = examples.plan(GAIA, overrides=Overrides(nodes=8)).to_dict()
    cloud = next(r for r in exact["rejected"] if r["title"] == "ESCAPE Kubernetes cloud")
    assert cloud["reasons"] == [
        {"constraint": "cores", "required": 210, "offered": 128, "unit": "cores", "at-nodes": 8, "pool": cloud["reasons"][0]["pool"]}
    ]
    assert cloud["would-fit"] == {"max-nodes": 14}
    lower = examples.plan(GAIA, overrides=Overrides(nodes=6, cores=50, memory=100, data_size="500MB")).to_dict()
    assert matched(lower) == ["Gaia HPC batch cluster", "ESCAPE Kubernetes cloud"]
    subset = examples.plan("c3e9a2d4-6f1b-4a8e-b7c5-0d2e9f4a6b18").to_dict()
    assert len(subset["matches"]) == 2 and subset["summary"]["matches-at-max"] == 1


def test_every_backend_plans_the_examples_alike(store: Store, examples: Planner) -> None:
    registry = Registry(store)
    for path in sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json")):
        registry.ingest(load_path(path))
    planner = Planner(registry)
    for uuid in (GAIA, "7f2a9c4e-1d3b-4f6a-8e5c-9b0d2f4a6c31", "5cec9f3d-79c0-49ad-9a5a-455596c55341"):
        assert planner.plan(uuid).to_dict() == examples.plan(uuid).to_dict()


@pytest.mark.parametrize("at", ["min", "max"])
def test_the_quick_count_agrees_with_the_full_evaluation(examples: Planner, at: str) -> None:
    """count_matches (plan-fitting.rq) and the explained plan count the same matches."""
    for entry in examples.registry.entries():
        if entry.kind != "executable":
            continue
        for overrides in (None, Overrides(nodes=6, cores=50, memory=100, data_size="500MB")):
            _, _, requirements = examples.requirements(entry.uuid, at, overrides)  # type: ignore[arg-type]
            full = examples.plan(entry.uuid, at=at, overrides=overrides).to_dict()  # type: ignore[arg-type]
            assert examples.count_matches(requirements) == len(full["matches"]), entry.title


@pytest.mark.parametrize("limit", [1, 2, 3], ids=["limit-1", "limit-2", "limit-3"])
def test_a_limit_lists_the_head_of_the_full_plan(examples: Planner, limit: int) -> None:
    """``limit`` keeps the best matches and the nearest rejections, in the full plan's order,
    and the summary still counts every platform."""
    for uuid in (GAIA, "5cec9f3d-79c0-49ad-9a5a-455596c55341"):
        full = examples.plan(uuid).to_dict()
        head = examples.plan(uuid, limit=limit).to_dict()
        assert head["matches"] == full["matches"][:limit]
        assert head["rejected"] == full["rejected"][:limit]
        assert head["summary"] == {**full["summary"], "limit": limit}


def test_a_limit_below_one_is_refused(examples: Planner) -> None:
    with pytest.raises(InputError, match="--limit"):
        examples.plan(GAIA, limit=0)


def test_the_planning_view_on_disk_follows_every_write(tmp_path: Path) -> None:
    """The on-disk store plans from an in-memory copy of the planning index: ingest,
    replace, delete and a SPARQL Update must all show in the next plan."""
    store = open_store(tmp_path / "store")
    registry = Registry(store)
    planner = Planner(registry)
    registry.ingest(load_document(json.dumps({"executables": [BASE_EXECUTABLE]}), source="e.json"))
    registry.ingest(load_document(json.dumps({"platforms": [BASE_PLATFORM]}), source="p.json"))
    assert matched(planner.plan(EXE).to_dict()) == ["P"]
    assert store.cached_view([PLANNING_GRAPH]) is not store
    # Replace the platform by one whose pools are too small: the view must follow.
    registry.ingest(load_document(json.dumps({"platforms": [changed(BASE_PLATFORM, "compute-resources.0.cores", 2)]}), source="p.json"))
    plan = planner.plan(EXE).to_dict()
    assert matched(plan) == [] and [r["constraint"] for r in reasons(plan)] == ["cores"]
    # A second platform arrives, then leaves.
    other = changed(changed(BASE_PLATFORM, "uuid", "b0000000-0000-4000-8000-000000000002"), "title", "Q")
    registry.ingest(load_document(json.dumps({"platforms": [other]}), source="q.json"))
    assert matched(planner.plan(EXE).to_dict()) == ["Q"]
    registry.delete("b0000000-0000-4000-8000-000000000002")
    assert planner.plan(EXE).to_dict()["summary"]["platforms"] == 1
    # A SPARQL Update can change any graph: the copy is made afresh.
    store.update(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
        f"DELETE {{ GRAPH ?g {{ ?p esap:title ?t }} }} INSERT {{ GRAPH ?g {{ ?p esap:title \"P2\" }} }} "
        f"WHERE {{ GRAPH ?g {{ ?p esap:title ?t . FILTER(?p = <urn:uuid:{PLATFORM}>) }} }}"
    )
    assert planner.plan(EXE).to_dict()["rejected"][0]["title"] == "P2"
    store.close()


@pytest.mark.parametrize("enabled", [True, False], ids=["collector-on", "collector-off"])
def test_a_plan_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    seen: list[bool] = []
    registry = Registry(open_store("memory"))
    registry.ingest(load_document(json.dumps({"executables": [BASE_EXECUTABLE]}), source="e.json"))
    registry.ingest(load_document(json.dumps({"platforms": [BASE_PLATFORM]}), source="p.json"))
    planner = Planner(registry)
    original = planner._combine_classes

    def spy(requirements: Any, answers: Any) -> Any:
        seen.append(gc.isenabled())
        return original(requirements, answers)

    planner._combine_classes = spy  # type: ignore[method-assign]
    (gc.enable if enabled else gc.disable)()
    try:
        planner.plan(EXE)
        with pytest.raises(NotFound):
            planner.plan("c0000000-0000-4000-8000-0000000000ff")
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert seen == [False]
