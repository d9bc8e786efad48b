"""What would fit (``would-fit``) and what one change would admit (``would-admit``).

The property test holds every suggestion to the planner's SPARQL answer: planning the
same executable with the plan's own overrides and the suggestion on top lists the
rejected platform among the matches. The fixtures pin the choice among suggestions.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.planning import BASE_EXECUTABLE, BASE_PLATFORM, changed, plan_of
from support.planning_cases import executables, overrides, platforms

from registry.errors import ParameterError
from registry.planner import Overrides, Planner
from registry.readers import load_document
from registry.service import Registry
from registry.store import open_store

def _registry(executable: dict[str, Any], found: list[dict[str, Any]]) -> Planner:
    registry = Registry(open_store("memory"))
    registry.ingest(load_document(json.dumps({"executables": [executable]}), source="e.json"))
    registry.ingest(load_document(json.dumps({"platforms": found}), source="p.json"))
    return Planner(registry, fallback=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(executable=executables(), found=platforms(), given_overrides=overrides, at=st.sampled_from(["min", "max"]))
def test_every_would_fit_is_exact(executable: dict[str, Any], found: list[dict[str, Any]], given_overrides: dict[str, Any], at: str) -> None:
    """For every rejection of random cases: planning with the plan's overrides and its
    ``would-fit`` on top lists that platform among the matches; a platform that fails
    only on type gets none."""
    planner = _registry(executable, found)
    try:
        plan = planner.plan(executable["uuid"], at=at, overrides=Overrides.from_names(given_overrides)).to_dict()  # type: ignore[arg-type]
    except ParameterError:
        assume(False)
        return
    for rejection in plan["rejected"]:
        constraints = {r["constraint"] for r in rejection["reasons"]}
        if "type" in constraints:
            assert "would-fit" not in rejection
            continue
        fix = rejection["would-fit"]
        assert fix, rejection  # every platform here has a node pool
        assert set(fix) <= {"nodes", "max-nodes", "cores", "memory", "hours", "storage", "data-size"}
        again = planner.plan(executable["uuid"], at=at, overrides=Overrides.from_names({**given_overrides, **fix})).to_dict()  # type: ignore[arg-type]
        assert rejection["platform"] in [m["platform"] for m in again["matches"]], (rejection, fix)
    admitted = plan["summary"]["would-admit"]
    singles = [r["would-fit"] for r in plan["rejected"] if len(r.get("would-fit") or {}) == 1]
    for fix in singles:
        assert admitted[next(iter(fix))] >= 1


# -- which suggestion ---------------------------------------------------------------------------

EXACT_8 = changed(BASE_EXECUTABLE, "compute-resources", [{"nodes": 8, "mincores": 210, "minmemory": 344, "walltime": 5}])
CLOUD = changed(BASE_PLATFORM, "compute-resources", [{"nodes": 20, "cores": 16, "memory": 64}])


def _rejection(plan: dict[str, Any]) -> dict[str, Any]:
    (rejection,) = plan["rejected"]
    return rejection


def test_raising_the_node_limit_is_suggested_when_the_pool_has_the_nodes() -> None:
    plan = plan_of(EXACT_8, CLOUD)
    assert _rejection(plan)["reasons"][0] == {
        "constraint": "cores", "required": 210, "offered": 128, "unit": "cores", "at-nodes": 8,
        "pool": "urn:uuid:b0000000-0000-4000-8000-000000000001#compute-resources-0",
    }
    assert _rejection(plan)["would-fit"] == {"max-nodes": 14}
    assert plan["summary"]["would-admit"] == {
        "max-nodes": 1, "nodes": 1, "hours": 0, "data-size": 0, "storage": 0, "cores": 1, "memory": 0
    }
    assert [m["allocation"] for m in plan_of(EXACT_8, CLOUD, overrides=Overrides(max_nodes=14))["matches"]] == [
        {"nodes": 14, "cores": 224, "memory": 896}
    ]


def test_a_pool_too_small_at_all_its_nodes_gets_the_needs_lowered_to_what_it_gives() -> None:
    small = changed(CLOUD, "compute-resources.0.nodes", 8)
    rejection = _rejection(plan_of(EXACT_8, small))
    assert rejection["would-fit"] == {"cores": 128}  # 8 x 64 GiB = 512 GiB holds the memory


def test_too_many_nodes_for_the_pool_suggests_the_pools_node_count() -> None:
    one_node = changed(BASE_PLATFORM, "compute-resources", [{"nodes": 1, "cores": 64, "memory": 512, "maxwalltime": 10}])
    rejection = _rejection(plan_of(BASE_EXECUTABLE, one_node))
    assert [r["constraint"] for r in rejection["reasons"]] == ["nodes"]
    assert rejection["would-fit"] == {"nodes": 1}


def test_walltime_and_several_failures_at_once() -> None:
    short = changed(BASE_PLATFORM, "compute-resources", [{"nodes": 1, "cores": 4, "memory": 8, "maxwalltime": 2}])
    rejection = _rejection(plan_of(BASE_EXECUTABLE, short))
    assert rejection["would-fit"] == {"hours": 2, "nodes": 1, "cores": 4, "memory": 8}


def test_staged_data_too_big_suggests_a_smaller_data_size() -> None:
    elsewhere = changed(BASE_PLATFORM, "data-resources.0.data-content", "urn:astronomy-image")
    plan = plan_of(changed(BASE_EXECUTABLE, "data-resources.0.size", 500), elsewhere)
    assert _rejection(plan)["reasons"] == [{"constraint": "storage", "required": 510, "offered": 100, "unit": "GiB"}]
    assert _rejection(plan)["would-fit"] == {"data-size": 90}
    assert plan["summary"]["would-admit"]["storage"] == 0 and plan["summary"]["would-admit"]["data-size"] == 1


def test_lowered_values_survive_json_exactly() -> None:
    """A lowered memory is rounded down to three decimals, and planning with its JSON
    number fits."""
    odd = changed(BASE_PLATFORM, "compute-resources", [{"nodes": 2, "cores": 8, "memory": "29.3GB"}])
    plan = plan_of(BASE_EXECUTABLE, odd)
    fix = _rejection(plan)["would-fit"]
    assert fix == {"memory": 54.575}  # 2 x 29.3 GB = 54.5755... GiB, rounded down
    assert plan_of(BASE_EXECUTABLE, odd, overrides=Overrides.from_names(json.loads(json.dumps(fix))))["matches"]


def test_a_platform_failing_on_type_gets_no_suggestion() -> None:
    plan = plan_of(BASE_EXECUTABLE, changed(BASE_PLATFORM, "executable-types", ["urn:types/container"]))
    assert "would-fit" not in _rejection(plan)


@pytest.mark.parametrize(
    ("values", "message"),
    [({"max-nodes": 1}, "--max-nodes must be at least the executable's node count (2)"),
     ({"nodes": 4, "max-nodes": 3}, "--max-nodes must be at least --nodes (4)"),
     ({"max-nodes": 0}, "--max-nodes must be at least 1"),
     ({"gpus": 1}, "--gpus is not an override")],
    ids=["below-the-executables", "below-nodes", "zero", "unknown"],
)
def test_an_empty_node_range_is_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        plan_of(BASE_EXECUTABLE, BASE_PLATFORM, overrides=Overrides.from_names(values))


def test_platforms_alike_but_for_walltime_or_storage_each_get_their_own_suggestion() -> None:
    """What would fit is searched once for platforms whose pools, storage and data read
    alike; platforms with the same node figures but another walltime limit or storage
    must not share a suggestion: each gets what it gets planned alone."""
    pool = {"nodes": 1, "cores": 64, "memory": 512, "maxwalltime": 10}
    siblings = [
        changed(changed(BASE_PLATFORM, "compute-resources", [pool]), "uuid", f"b0000000-0000-4000-8000-00000000000{n}")
        for n in range(1, 5)
    ]
    siblings[1] = changed(siblings[1], "compute-resources.0.maxwalltime", 2)  # also too short
    siblings[2] = changed(siblings[2], "storage-resources.0.size", 5)  # also too small for the working storage
    siblings[3] = changed(siblings[3], "title", "P, a copy of the first")  # alike in every figure
    together = {r["platform"]: r for r in plan_of(BASE_EXECUTABLE, *siblings)["rejected"]}
    alone = {p["uuid"]: _rejection(plan_of(BASE_EXECUTABLE, p)) for p in siblings}
    assert together == alone
    fixes = [alone[p["uuid"]]["would-fit"] for p in siblings]
    assert fixes[0] == fixes[3] == {"nodes": 1}
    assert fixes[1] == {"hours": 2, "nodes": 1}
    assert fixes[2] not in (fixes[0], fixes[1])
