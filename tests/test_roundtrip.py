"""Formats out: export gives back what was ingested, and what is exported ingests
to the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from registry.readers import load_document, load_path
from registry.service import Registry
from registry.store import open_store
from registry.vocabulary import ESAP

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))


def _uuids(manifest: dict[str, list[dict[str, object]]]) -> list[str]:
    return [str(e["uuid"]) for key in ("executables", "platforms", "datasets") for e in manifest.get(key, [])]


def _graphs(registry: Registry) -> dict[str, Graph]:
    return {e.iri: registry.store.graph(registry.resolve(e.uuid)[0]) for e in registry.entries()}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_export_of_an_ingested_manifest_is_the_same_json(registry: Registry, path: Path) -> None:
    original = json.loads(path.read_text())
    registry.ingest(load_path(path))
    assert registry.export_manifest(uuids=_uuids(original)) == original
    everything = registry.export_manifest()
    for key, entries in original.items():
        assert everything[key] == sorted(entries, key=lambda e: e["uuid"])


@pytest.mark.parametrize("fmt", ["json", "jsonld", "turtle"])
def test_ingest_export_ingest_gives_the_same_graph(registry: Registry, fmt: str) -> None:
    for path in EXAMPLES:
        registry.ingest(load_path(path))
    before = _graphs(registry)
    if fmt == "turtle":
        exported = registry.export_rdf("turtle")
        source = "export.ttl"
    else:
        exported = json.dumps(registry.export_manifest(jsonld=fmt == "jsonld"))
        source = f"export.{fmt}"
    second = Registry(open_store("memory"))
    second.ingest(load_document(exported, source=source))
    after = _graphs(second)
    assert after.keys() == before.keys()
    for iri, graph in before.items():
        assert isomorphic(graph, after[iri]), iri
        if fmt != "turtle":
            assert set(graph) == set(after[iri]), iri  # same IRIs for nested nodes too


def test_lists_of_terms_are_sets_and_come_back_sorted(registry: Registry) -> None:
    platform = {
        "uuid": "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a99",
        "type": "urn:platforms/kubernetes-cloud",
        "title": "k",
        "executable-types": ["urn:types/container", "urn:types/batch-job"],
        "compute-resources": [{"nodes": 2, "cores": 4, "memory": 8}, {"nodes": 1, "cores": 64, "memory": 512}],
    }
    registry.ingest(load_document(json.dumps({"platforms": [platform]}), source="p.json"))
    exported = registry.export_manifest(kind=ESAP.Platform)["platforms"][0]
    assert exported["executable-types"] == ["urn:types/batch-job", "urn:types/container"]
    assert exported["compute-resources"] == platform["compute-resources"]  # objects keep their order


def test_an_empty_registry_exports_an_empty_list(registry: Registry) -> None:
    assert registry.export_manifest() == {"executables": []}
