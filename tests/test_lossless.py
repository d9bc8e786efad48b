"""Export gives back exactly what was ingested: the JSON values are equal, empty lists
(``"storage-resources": []``) included, for the examples, the seed manifest of the
slides and generated manifests."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.manifests import SEED
from support.strategies import manifests, uuids

from registry.readers import load_document, load_path
from registry.service import Registry
from registry.store import open_store
from registry.vocabulary import ESAP

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


PLATFORM_WITH_EMPTIES = {
    "platforms": [
        {
            "uuid": "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a99",
            "type": "urn:platforms/kubernetes-cloud",
            "title": "k",
            "description": "A cloud with nothing declared but one pool.",
            "url": "https://k.example.org/",
            "executable-types": ["urn:types/container"],
            "compute-resources": [{"nodes": 2, "cores": 4, "memory": 8}],
            "storage-resources": [],
            "data-resources": [],
        }
    ]
}


def _round_trip(manifest: dict[str, Any]) -> dict[str, Any]:
    registry = Registry(open_store("memory"))
    registry.ingest(load_document(json.dumps(manifest), source="manifest.json"))
    return registry.export_manifest(uuids=uuids(manifest))


@pytest.mark.parametrize("manifest", [SEED, PLATFORM_WITH_EMPTIES], ids=["seed", "platform"])
def test_empty_lists_come_back(manifest: dict[str, Any]) -> None:
    assert _round_trip(manifest) == manifest


@pytest.mark.parametrize("manifest", [SEED, PLATFORM_WITH_EMPTIES], ids=["seed", "platform"])
def test_empty_lists_come_back_by_either_path(manifest: dict[str, Any]) -> None:
    direct = load_document(json.dumps(manifest), source="m.json")
    processed = load_document(json.dumps(manifest), source="m.json", direct=False)
    for entry, graph in direct.entries.items():
        assert set(graph) == set(processed.entries[entry])
    assert any(ESAP.emptyList in {p for _, p, _ in g} for g in direct.entries.values())


@pytest.mark.parametrize("fmt", ["jsonld", "turtle"])
def test_empty_lists_survive_json_ld_and_turtle(fmt: str) -> None:
    registry = Registry(open_store("memory"))
    registry.ingest(load_document(json.dumps(PLATFORM_WITH_EMPTIES), source="p.json"))
    if fmt == "turtle":
        text, source = registry.export_rdf("turtle"), "export.ttl"
    else:
        text, source = json.dumps(registry.export_manifest(jsonld=True)), "export.jsonld"
    second = Registry(open_store("memory"))
    second.ingest(load_document(text, source=source))
    assert second.export_manifest() == PLATFORM_WITH_EMPTIES


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_come_back_equal(path: Path) -> None:
    original = json.loads(path.read_text())
    registry = Registry(open_store("memory"))
    registry.ingest(load_path(path))
    assert registry.export_manifest(uuids=uuids(original)) == original


def test_generated_bench_manifests_come_back_equal() -> None:
    from support import synthetic

    rng = random.Random(19)
    manifest = {"platforms": [synthetic.platform(rng, i) for i in range(40)]}
    for entry in manifest["platforms"]:  # lists of terms are sets: exported sorted (README, Input)
        entry["executable-types"] = sorted(entry["executable-types"])
    manifest["platforms"][3]["storage-resources"] = []
    assert _round_trip(manifest) == manifest
    executables = {"executables": [synthetic.executable(rng, i) for i in range(40)]}
    executables["executables"][5]["data-resources"] = []
    assert _round_trip(executables) == executables


def _with_empty_lists(manifest: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    for entries in manifest.values():
        for entry in entries:
            for key in ("storage-resources", "data-resources"):
                if key not in entry and data.draw(st.booleans()):
                    entry[key] = []
    return manifest


@given(manifest=manifests, data=st.data())
def test_generated_manifests_with_empty_lists_come_back_equal(manifest: dict[str, Any], data: st.DataObject) -> None:
    manifest = _with_empty_lists(manifest, data)
    assert _round_trip(manifest) == manifest
