"""The registry on a store: validate, ingest (atomic, whole or nothing), replace,
delete, and the vocabulary in its own graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import SKOS, Literal, URIRef

from registry.errors import InputError, NotFound, ValidationFailed
from registry.readers import load_document, load_path
from registry.resources import load_query
from registry.service import Registry
from registry.store import Solutions, Store
from registry.vocabulary import ESAP, VOCABULARY_GRAPH

NOTEBOOK_UUID = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
NOTEBOOK = URIRef(f"urn:uuid:{NOTEBOOK_UUID}")


def notebook(**changes: object) -> str:
    entry: dict[str, object] = {
        "uuid": NOTEBOOK_UUID,
        "type": "urn:types/jupyter-notebook",
        "title": "Find ESCAPE OSSR records",
        "description": "d",
        "location": {"repository": "https://gitlab.com/escape-ossr/eossr"},
        "compute-resources": [{"mincores": 1, "minmemory": 1}, {"mincores": 2, "minmemory": 2}],
    }
    entry.update(changes)
    return json.dumps({"executables": [entry]})


def test_ingest_stores_each_entry_in_its_own_graph(store: Store, examples_dir: Path) -> None:
    registry = Registry(store)
    result = registry.ingest(load_path(examples_dir / "ossr-library-notebooks.json"))
    assert result.executables == [NOTEBOOK, URIRef("urn:uuid:1d5e06cc-e1a9-4eb9-8d99-5e0b1a6f7c2d")]
    assert {NOTEBOOK, *result.executables} <= store.graph_names()
    assert [e.title for e in registry.entries()] == ["Upload records on the OSSR", "Find ESCAPE OSSR records"]


def test_re_ingesting_a_uuid_replaces_the_entry_whole(store: Store) -> None:
    registry = Registry(store)
    registry.ingest(load_document(notebook(), source="v1.json"))
    assert len(registry.entry_graph(NOTEBOOK_UUID)) > 0
    second = registry.ingest(load_document(notebook(title="renamed", **{"compute-resources": [{"mincores": 4}]}), source="v2.json"))
    assert second.replaced == [NOTEBOOK]
    exported = registry.export_manifest()["executables"]
    assert len(exported) == 1
    assert exported[0]["title"] == "renamed"
    assert exported[0]["compute-resources"] == [{"mincores": 4}]
    graph = registry.entry_graph(NOTEBOOK_UUID)
    assert URIRef(f"{NOTEBOOK}#compute-resources-1") not in set(graph.subjects())


def test_a_document_with_any_violation_stores_nothing(store: Store, examples_dir: Path) -> None:
    registry = Registry(store)
    good = json.loads(notebook())["executables"][0]
    bad = dict(good, uuid="1d5e06cc-e1a9-4eb9-8d99-d", title="bad")
    with pytest.raises(ValidationFailed) as info:
        registry.ingest(load_document(json.dumps({"executables": [good, bad]}), source="mixed.json"))
    assert [v.path for v in info.value.report.violations] == ["executables[1].uuid"]
    assert registry.entries() == []
    assert store.graph_names() == set()


def test_a_batch_of_documents_is_all_or_nothing(registry: Registry, examples_dir: Path) -> None:
    good = load_path(examples_dir / "gaia-hdbscan.json")
    bad = load_document(notebook(type="urn:types/jupyter-notebok"), source="typo.json")
    with pytest.raises(ValidationFailed) as info:
        registry.ingest([good, bad])
    (violation,) = info.value.report.violations
    assert violation.source == "typo.json" and violation.path == "executables[0].type"
    assert "urn:types/jupyter-notebook" in violation.message  # the closest known term is suggested
    assert registry.entries() == []


def test_ingest_paths_stores_good_files_and_reports_bad_ones(registry: Registry, tmp_path: Path, examples_dir: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"executables": [}')
    missing = tmp_path / "missing.json"
    batch = registry.ingest_paths([examples_dir / "gaia-hdbscan.json", bad, missing, examples_dir / "platforms.json"])
    assert (batch.files, batch.stored_files, batch.executables, batch.platforms) == (4, 2, 2, 7)
    assert set(batch.rejected) == {str(bad), str(missing)}
    assert "1:18" in batch.rejected[str(bad)]
    assert "2 of 4 file(s) stored" in batch.summary()


def test_delete_removes_the_entry_and_unknown_uuids_are_not_found(registry: Registry, examples_dir: Path) -> None:
    registry.ingest(load_path(examples_dir / "ossr-library-notebooks.json"))
    assert registry.delete(NOTEBOOK_UUID.upper()) == NOTEBOOK
    assert [e.uuid for e in registry.entries()] == ["1d5e06cc-e1a9-4eb9-8d99-5e0b1a6f7c2d"]
    assert len(registry.store.graph(NOTEBOOK)) == 0
    with pytest.raises(NotFound):
        registry.delete(NOTEBOOK_UUID)
    with pytest.raises(InputError):
        registry.delete("not-a-uuid")


def test_the_closed_vocabulary_lives_in_its_own_graph(registry: Registry) -> None:
    assert registry.prepare() is True
    assert registry.prepare() is False
    graph = registry.store.graph(VOCABULARY_GRAPH)
    assert (URIRef("urn:types/jupyter-notebook"), SKOS.broaderTransitive, URIRef("urn:types/interactive")) in graph
    fresh = Registry(registry.store)
    assert fresh.prepare() is False  # same version already stored
    current = registry.store.query(
        load_query("vocabulary-version"), {"graph": VOCABULARY_GRAPH, "version": Literal(registry.vocabulary.version)}
    )
    assert current is True


def test_user_queries_see_the_union_of_all_graphs(registry: Registry, examples_dir: Path) -> None:
    registry.ingest(load_path(examples_dir / "platforms.json"))
    result = registry.query(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT ?title WHERE { ?p a esap:Platform ; esap:title ?title } ORDER BY ?title"
    )
    assert isinstance(result, Solutions)
    assert result.values("title")[0].toPython() == "CSCS CTA BinderHub"
    assert len(result) == 7
    assert registry.entries(ESAP.Executable) == []
