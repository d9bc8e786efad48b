"""Property-based tests (hypothesis) over manifests.

- Generated valid executables and platforms conform, and what is ingested is
  exported back the same.
- The same manifests with one thing changed (a value replaced by a wrong, huge,
  negative or hostile one, a key removed or added, an entry repeated) are read
  and validated without any error but the registry's own; when one does not
  conform, ingesting it stores nothing.
- Arbitrary bytes, text and JSON never raise anything but an ``InputError``.
- The direct path (plain manifests mapped to triples without a JSON-LD processor) maps
  generated manifests by itself to the documents rdflib's JSON-LD processor gives, and the
  changed ones and arbitrary JSON to the same documents (or the same error), falling back
  to the processor where it must.

The example counts are modest so that the whole module runs in seconds (the
``ci`` profile of ``tests/conftest.py``: 60 examples a test, the same each run);
``HYPOTHESIS_PROFILE=deep`` runs 2000 random ones a test.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from manifest_equivalence import assert_direct_matches, assert_same_either_way

from registry.errors import InputError, RegistryError, ValidationFailed
from registry.readers import load_document
from registry.service import Registry
from registry.store import open_store
from registry.validation import get_validator
from registry.vocabulary import ESAP, get_vocabulary

pytestmark = pytest.mark.slow

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


@given(manifest=manifests)
def test_valid_manifests_conform_and_come_back_the_same(manifest: dict[str, Any]) -> None:
    document = load_document(json.dumps(manifest).encode(), source="generated.json")
    report = get_validator().validate(document)
    assert report.conforms, report.to_text()
    registry = Registry(open_store("memory"))
    registry.ingest(document)
    assert registry.export_manifest(uuids=uuids(manifest)) == manifest


@given(manifest=manifests)
def test_the_direct_path_maps_valid_manifests_as_the_json_ld_processor_does(manifest: dict[str, Any]) -> None:
    assert_direct_matches(manifest, "generated.json")


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


@pytest.fixture(scope="module")
def shared_registry() -> Registry:
    registry = Registry(open_store("memory"))
    registry.prepare()
    return registry


@given(manifest=mutated())
def test_changed_manifests_raise_only_the_registrys_errors(manifest: dict[str, Any], shared_registry: Registry) -> None:
    data = json.dumps(manifest).encode()  # lone surrogates, if drawn, are written as \\udxxx escapes
    try:
        document = load_document(data, source="mutated.json")
    except InputError:
        return
    report = get_validator().validate(document)
    before = sorted(shared_registry.store.dump("nquads").splitlines())
    if report.conforms:
        result = shared_registry.ingest(document)
        shared_registry.store.drop_graphs(result.executables + result.platforms)
    else:
        with pytest.raises(ValidationFailed):
            shared_registry.ingest(document)
        assert sorted(shared_registry.store.dump("nquads").splitlines()) == before
    json.dumps(report.to_dict())  # the report is JSON, whatever the input held
    report.to_text()


@given(manifest=mutated())
def test_changed_manifests_read_the_same_by_either_path(manifest: dict[str, Any]) -> None:
    assert_same_either_way(json.dumps(manifest).encode(), "mutated.json")


# -- anything at all -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@given(data=st.binary(max_size=300), fmt=st.sampled_from([None, "json", "turtle", "nt", "xml"]))
def test_any_bytes_are_read_or_refused_as_input(data: bytes, fmt: str | None) -> None:
    try:
        document = load_document(data, source="random", format=fmt)
    except InputError:
        return
    get_validator().validate(document)


@given(value=json_values)
def test_any_json_is_read_or_refused_as_input(value: Any) -> None:
    try:
        document = load_document(json.dumps(value), source="random.json")
    except InputError:
        return
    get_validator().validate(document)


@given(value=st.dictionaries(st.sampled_from(["executables", "platforms", "other"]), json_values, max_size=2))
def test_any_json_object_reads_the_same_by_either_path(value: dict[str, Any]) -> None:
    assert_same_either_way(json.dumps(value), "random.json")


turtle_tokens = st.sampled_from([
    "@prefix esap: <https://w3id.org/esap-registry/vocab#> .", "<urn:uuid:0b5c3a4e-1111-4222-8333-944455556666>", "a",
    "esap:Executable", "esap:Platform", "esap:title", "esap:minCores", "esap:uuid", "esap:computeRequirement", '"x"',
    '"1e400"^^<http://www.w3.org/2001/XMLSchema#double>', "1" * 50, "-5", "[", "]", "(", ")", ";", ",", ".", "_:b",
    '"\\uD800"', '"x"@en', '"x"^^<urn:not a datatype>', "<urn:a b>", "#", "\n", '"""', "'", "<", ">", "\\",
])


@given(tokens=st.lists(turtle_tokens, max_size=40))
def test_turtle_made_of_random_tokens_is_read_or_refused_as_input(tokens: list[str]) -> None:
    try:
        document = load_document(" ".join(tokens), source="random.ttl")
    except InputError:
        return
    report = get_validator().validate(document)
    if report.conforms and document.entries:
        registry = Registry(open_store("memory"))
        registry.ingest(document)  # what conforms can be stored


def test_only_registry_errors_are_expected() -> None:
    """The tests above let only these through; each is a RegistryError."""
    assert issubclass(InputError, RegistryError) and issubclass(ValidationFailed, RegistryError)
