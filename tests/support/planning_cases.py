"""Random planning cases for the property tests: executables (compute, storage and data
needs, node ranges), platforms (node pools, storage, data held, types) and overrides,
drawn around the hand-made fixtures of :mod:`support.planning`."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from support.planning import BASE_EXECUTABLE, BASE_PLATFORM, changed

CONTENTS = ["urn:astronomy-catalogue", "urn:astrometric-catalogue", "urn:astronomy-image"]
FORMATS = ["urn:tabular-format", "urn:parquet-binary", "urn:fits-binary"]

pools = st.fixed_dictionaries(
    {"nodes": st.integers(1, 24), "cores": st.integers(1, 64), "memory": st.sampled_from([1, 2, 7.5, "8GB", 16, 64, 512])},
    optional={"maxwalltime": st.sampled_from([1, 6, 12, 48, 240])},
)


@st.composite
def compute_needs(draw: st.DrawFn) -> dict[str, Any]:
    need: dict[str, Any] = {}
    if draw(st.booleans()):
        need["nodes"] = draw(st.integers(1, 16))
        if draw(st.booleans()):
            need["maxnodes"] = need["nodes"] + draw(st.integers(0, 48))
    if draw(st.booleans()):
        need["mincores"] = draw(st.integers(1, 600))
    if draw(st.booleans()):
        need["minmemory"] = draw(st.sampled_from([1, 3, "500MB", 16, 100, "344G", 2000]))
    if draw(st.booleans()):
        need["walltime"] = draw(st.sampled_from([1, 5, "30min", 24, 190]))
    return need


data_resources = st.fixed_dictionaries(
    {"data-content": st.sampled_from(CONTENTS), "data-format": st.sampled_from(FORMATS)},
    optional={"size": st.sampled_from([1, 50, "500MB", "5TB", 333])},
)


@st.composite
def executables(draw: st.DrawFn, max_compute: int = 2) -> dict[str, Any]:
    """An executable with up to ``max_compute`` compute requirements (none: the default need)."""
    executable = changed(BASE_EXECUTABLE, "compute-resources", draw(st.lists(compute_needs(), min_size=0, max_size=max_compute)))
    executable = changed(executable, "storage-resources", [{"minsize": draw(st.sampled_from([1, 10, 200, "1TB"]))}])
    return changed(executable, "data-resources", draw(st.lists(data_resources, max_size=2)))


@st.composite
def platforms(draw: st.DrawFn, most: int = 4, min_pools: int = 1) -> list[dict[str, Any]]:
    """Up to ``most`` platforms (at most 9), each with ``min_pools`` to 3 node pools."""
    found = []
    for n in range(draw(st.integers(1, most))):
        platform = changed(BASE_PLATFORM, "uuid", f"b0000000-0000-4000-8000-00000000000{n}")
        platform = changed(platform, "title", draw(st.sampled_from([f"P{n}", "Same title", f"p{n}"])))
        chosen = draw(st.lists(pools, min_size=min_pools, max_size=3))
        platform = changed(platform, "compute-resources", chosen) if chosen else changed(platform, "compute-resources", ...)
        platform = changed(platform, "storage-resources", [{"size": draw(st.sampled_from([5, 100, 1000, "10TB"]))}])
        platform = changed(platform, "data-resources", [
            {"data-content": draw(st.sampled_from(CONTENTS)), "data-format": draw(st.sampled_from(FORMATS))}
        ])
        if draw(st.integers(0, 5)) == 0:
            platform = changed(platform, "executable-types", ["urn:types/container"])
        found.append(platform)
    return found


overrides = st.fixed_dictionaries(
    {},
    optional={
        "nodes": st.integers(1, 12),
        "max-nodes": st.integers(1, 40),
        "cores": st.integers(0, 400),
        "memory": st.sampled_from([0, "1GiB", 50, 600]),
        "hours": st.sampled_from(["30min", 10, 100]),
        "storage": st.sampled_from([0, 5, 500]),
        "data-size": st.sampled_from([0, "1GiB", 700]),
    },
)
