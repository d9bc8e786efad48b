"""Hypothesis strategies over manifests, shared by the property tests: valid executables
and platforms (``manifests``), and the same with one thing changed (``mutated``)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from registry.vocabulary import ESAP, get_vocabulary

__all__ = ["NASTY", "manifests", "mutated", "paths", "uuids"]

VOCABULARY = get_vocabulary()
EXECUTABLE_TYPES = [str(t) for t in VOCABULARY.terms_of(ESAP.ExecutableType)]
PLATFORM_KINDS = [str(t) for t in VOCABULARY.terms_of(ESAP.PlatformKind)]
DATA_CONTENT = [str(t) for t in VOCABULARY.terms_of(ESAP.DataContent)]
DATA_FORMATS = [str(t) for t in VOCABULARY.terms_of(ESAP.DataFormat)]

# -- valid manifests -----------------------------------------------------------------------------

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda t: t.strip() == t and t != "")
sizes = st.one_of(
    st.integers(1, 100_000),
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 9999), st.sampled_from(["GiB", "MiB", "TB", "GB", "MB", "G", "T"])),
)
durations = st.one_of(
    st.integers(1, 10_000),
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 999), st.sampled_from(["h", "min", "d", "s"])),
)
urls = st.builds(lambda host, path: f"https://{host}.example.org/{path}", st.from_regex(r"[a-z]{1,12}", fullmatch=True),
                 st.from_regex(r"[a-z0-9_-]{0,20}", fullmatch=True))


@st.composite
def compute_need(draw: st.DrawFn) -> dict[str, Any]:
    need: dict[str, Any] = {"mincores": draw(st.integers(1, 4096)), "minmemory": draw(sizes)}
    if draw(st.booleans()):
        need["maxcores"] = need["mincores"] + draw(st.integers(0, 4096))
    if draw(st.booleans()):
        need["walltime"] = draw(durations)
    if draw(st.booleans()):
        need["nodes"] = draw(st.integers(1, 64))
    return need


@st.composite
def data_resource(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "title": draw(text),
        "data-content": draw(st.sampled_from(DATA_CONTENT)),
        "data-format": draw(st.sampled_from(DATA_FORMATS)),
        "size": draw(sizes),
    }


@st.composite
def executable(draw: st.DrawFn) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "uuid": str(draw(st.uuids())),
        "type": draw(st.sampled_from(EXECUTABLE_TYPES)),
        "title": draw(text),
        "description": draw(text),
        "location": {"repository": draw(urls)},
        "compute-resources": draw(st.lists(compute_need(), min_size=1, max_size=2)),
    }
    if draw(st.booleans()):
        entry["location"]["ref"] = draw(st.from_regex(r"[a-z0-9.]{1,10}", fullmatch=True))
    if draw(st.booleans()):
        entry["storage-resources"] = [{"minsize": draw(sizes)}]
    if draw(st.booleans()):
        entry["data-resources"] = draw(st.lists(data_resource(), min_size=1, max_size=2))
    return entry


@st.composite
def platform(draw: st.DrawFn) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "uuid": str(draw(st.uuids())),
        "type": draw(st.sampled_from(PLATFORM_KINDS)),
        "title": draw(text),
        "description": draw(text),
        "url": draw(urls),
        "executable-types": sorted(draw(st.sets(st.sampled_from(EXECUTABLE_TYPES), min_size=1, max_size=3))),
        "compute-resources": [
            {"nodes": draw(st.integers(1, 10_000)), "cores": draw(st.integers(1, 256)), "memory": draw(sizes)}
            for _ in range(draw(st.integers(1, 2)))
        ],
    }
    if draw(st.booleans()):
        entry["storage-resources"] = [{"size": draw(sizes)}]
    if draw(st.booleans()):
        entry["compute-resources"][0]["maxwalltime"] = draw(durations)
    if draw(st.booleans()):
        entry["data-resources"] = [draw(data_resource())]
    return entry


manifests = st.one_of(
    st.lists(executable(), min_size=1, max_size=3, unique_by=lambda e: e["uuid"]).map(lambda es: {"executables": es}),
    st.lists(platform(), min_size=1, max_size=3, unique_by=lambda e: e["uuid"]).map(lambda ps: {"platforms": ps}),
)


def uuids(manifest: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [e["uuid"] for entries in manifest.values() for e in entries]


# -- the same, with one thing wrong --------------------------------------------------------------

#: Values a field may be given instead of the right one.
NASTY = st.one_of(
    st.sampled_from([
        None, True, False, 0, -1, -(10**6), 10**15, 10**15 + 1, 10**100, -(10**100), 1e300, -1e-300, 0.5,
        "", " ", "-5GiB", "1e400", "NaN", "Infinity", "9" * 60 + "PB", "99999999999999999999:00", "12:99",
        "not-a-uuid", "urn:types/no-such-type", "urn:uuid:" + "0" * 36, "javascript:alert(1)",
        "<script>alert(1)</script>", '" } ; DROP ALL ; { "', "> } ; DROP ALL ; { <", "\u0000", "\ufeff",
        [], {}, [[[[[]]]]], {"@context": "http://127.0.0.1:9/"}, {"@id": "urn:a b"}, ["urn:types/notebook", 5],
    ]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5), lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a JSON tree."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid manifest with one change."""
    manifest = copy.deepcopy(draw(manifests))
    where = draw(st.sampled_from(paths(manifest)))
    parent: Any = manifest
    for step in where[:-1]:
        parent = parent[step]
    last = where[-1]
    change = draw(st.sampled_from(["replace", "replace", "replace", "remove", "add-key", "repeat-entry"]))
    if change == "replace" or (change == "remove" and isinstance(parent, list)):
        parent[last] = draw(NASTY)
    elif change == "remove":
        del parent[last]
    elif change == "add-key" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["titel", "@id", "@type", "Title", "mincores", "executables", "uuid", "x" * 50]))] = draw(NASTY)
    else:
        key = next(iter(manifest))
        manifest[key].append(copy.deepcopy(manifest[key][0]))
    return manifest
