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

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from manifest_equivalence import assert_direct_matches, assert_same_either_way
from support.strategies import manifests, mutated, uuids

from registry.documents import load_document
from registry.errors import InputError, RegistryError, ValidationFailed
from registry.service import Registry
from registry.store import open_store
from registry.validation import get_validator

pytestmark = pytest.mark.slow



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
