"""The direct path for plain manifests gives the documents the JSON-LD processor gives:
on the examples, on every plain manifest under ``tests/data``, on synthetic manifests of
the benchmarks; it falls back to the processor for what it does not map, and the check
itself fails on a difference. (Generated manifests: ``test_manifest_properties.py``.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from faults_support import synthetic
from manifest_equivalence import assert_direct_matches, assert_same_document, assert_same_either_way, walk
from rdflib import Literal, URIRef

from registry.ossr import ossr_kind
from registry.readers import mapping
from registry.vocabulary import ESAP

ROOT = Path(__file__).resolve().parents[1]


def plain_manifests() -> list[Path]:
    """The examples, and the JSON files under tests/data that are plain manifests (an
    object, no ``@context``, no software record), readable or not."""
    found = sorted((ROOT / "examples").glob("*.json"))
    for path in sorted((ROOT / "tests" / "data").rglob("*.json")):
        try:
            tree = json.loads(path.read_bytes())
        except ValueError:
            found.append(path)  # malformed: both paths must refuse it alike
            continue
        if isinstance(tree, dict) and "@context" not in tree and ossr_kind(tree) is None:
            found.append(path)
    return found


MANIFESTS = plain_manifests()


def test_there_are_manifests_to_compare() -> None:
    assert len(MANIFESTS) > 40
    assert any(p.parent.name == "examples" for p in MANIFESTS) and any(p.parent.name == "seeds" for p in MANIFESTS)


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_plain_manifest_reads_the_same_either_way(path: Path) -> None:
    assert_same_either_way(path.read_bytes(), str(path))


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.name)
def test_the_examples_are_mapped_by_the_direct_path_itself(path: Path) -> None:
    document = assert_direct_matches(json.loads(path.read_bytes()), str(path))
    assert document.entries and not document.problems


@pytest.mark.parametrize("kind,n", [("executables", 300), ("platforms", 300)])
def test_synthetic_manifests_are_mapped_by_the_direct_path_itself(kind: str, n: int) -> None:
    module = synthetic()
    tree = getattr(module, kind)(n)
    document = assert_direct_matches(tree, f"synthetic-{kind}.json")
    assert len(document.entries) == n


def test_an_out_of_range_quantity_goes_through_the_json_ld_processor() -> None:
    """The direct path does not report quantities out of range itself: it falls back,
    and the document (with the problem) is the processor's."""
    tree: dict[str, Any] = json.loads((ROOT / "tests/data/bad-input/huge-memory-string.json").read_bytes())
    with pytest.raises(mapping._Unmapped):
        walk(tree, "huge.json", direct=True)
    document = assert_same_either_way(json.dumps(tree), "huge.json")
    assert not isinstance(document, str) and document.problems


@pytest.mark.parametrize(
    "value",
    [5, True, 1.5, "_:b0", "has space", "esap:Executable", "relative/path"],
    ids=["int", "bool", "float", "blank-node", "space", "compact-iri", "relative"],
)
def test_iri_values_the_direct_path_does_not_map_fall_back_or_match(value: Any) -> None:
    """Values of ``"@type": "@id"`` keys that are no plain absolute IRI: the direct path
    refuses or maps them as the JSON-LD processor does; either way the document is the same."""
    tree = {"executables": [{"uuid": "0b5c3a4e-1111-4222-8333-944455556666", "type": value, "title": "x"}]}
    assert_same_either_way(json.dumps(tree), "iri.json")


def test_the_check_fails_on_a_difference() -> None:
    """The comparison is not vacuous: one triple more, or a problem less, fails it."""
    tree = synthetic().executables(2)
    found = walk(tree, "two.json", direct=True)
    expected = walk(tree, "two.json", direct=False)
    entry = next(iter(found.entries))
    found.entries[entry].add((entry, ESAP.title, Literal("another title")))
    with pytest.raises(AssertionError):
        assert_same_document(found, expected)
    again = walk(tree, "two.json", direct=True)
    again.kinds = dict(reversed(list(again.kinds.items())))
    with pytest.raises(AssertionError):
        assert_same_document(again, expected)
    third = walk(tree, "two.json", direct=True)
    third.graph.remove((URIRef(entry), None, None))
    with pytest.raises(AssertionError):
        assert_same_document(third, expected)
