"""Data sets, the third manifest kind: read (both mapping paths), validated, stored,
exported back (seed JSON, JSON-LD, Turtle), listed, shown and deleted, by the core and
through the command line; a platform's collection names a data set it holds a copy of."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from registry.cli.main import cli
from registry.errors import NotFound, ValidationFailed
from registry.readers import load_document, load_path
from registry.service import Registry
from registry.vocabulary import ESAP

GAIA = "401f6251-be15-4f8a-bad7-38ef4d6cb7c1"
HESS = "b4d6f8a0-2c4e-4a6b-8d0f-1e3a5c7e9b42"

MANIFEST = {
    "datasets": [
        {
            "uuid": "6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50",
            "title": "A survey reached every way",
            "description": "A catalogue with one access of each type.",
            "data-content": "urn:source-catalogue",
            "data-format": "urn:parquet-binary",
            "size": "2TB",
            "access": [
                {"type": "urn:access/url", "url": "https://archive.example.org/survey/"},
                {"type": "urn:access/s3", "endpoint": "https://s3.example.org", "bucket": "surveys", "object": "survey/v1/"},
                {"type": "urn:access/rucio", "endpoint": "https://rucio.example.org", "scope": "SURVEY", "name": "survey-v1"},
                {"type": "urn:access/ivoa", "ivoid": "ivo://example.org/survey", "obscore": "SELECT * FROM ivoa.obscore", "datalink": "https://archive.example.org/dl?ID=1"},
            ],
        }
    ]
}


def run(runner: CliRunner, *args: object) -> tuple[int, str, str]:
    result = runner.invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _write(tmp_path: Path, name: str, tree: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tree), encoding="utf-8")
    return path


def test_a_data_set_is_read_the_same_by_both_mapping_paths() -> None:
    text = json.dumps(MANIFEST)
    direct = load_document(text, source="d.json")
    jsonld = load_document(text, source="d.json", direct=False)
    assert direct.problems == [] and jsonld.problems == []
    assert set(direct.graph) == set(jsonld.graph)
    entry = URIRef("urn:uuid:6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50")
    assert direct.datasets() == [entry] and direct.kinds[entry] == ESAP.Dataset
    graph = direct.entries[entry]
    rucio = URIRef(f"{entry}#access-2")
    assert (rucio, ESAP.accessType, URIRef("urn:access/rucio")) in graph
    assert (rucio, ESAP.rucioScope, Literal("SURVEY")) in graph and (rucio, ESAP.rucioName, Literal("survey-v1")) in graph
    assert (URIRef(f"{entry}#access-0"), ESAP.accessURL, Literal("https://archive.example.org/survey/")) in graph
    assert (entry, ESAP.sizeGiB, None) in graph  # the size's canonical number, as for every quantity


def test_unknown_keys_of_an_access_are_named_with_a_did_you_mean() -> None:
    tree = json.loads(json.dumps(MANIFEST))
    tree["datasets"][0]["access"][2]["nme"] = tree["datasets"][0]["access"][2].pop("name")
    tree["datasets"][0]["bucket"] = "misplaced"
    problems = {p.path: p.message for p in load_document(json.dumps(tree)).problems}
    assert "did you mean 'name'" in problems["datasets[0].access[2].nme"]
    assert "'bucket' does not belong here: it is a key of the objects in access" in problems["datasets[0].bucket"]


def test_an_unknown_access_type_is_refused_naming_it_and_the_known_ones(registry: Registry) -> None:
    tree = json.loads(json.dumps(MANIFEST))
    tree["datasets"][0]["access"][0]["type"] = "urn:access/gridftp"
    with pytest.raises(ValidationFailed) as failed:
        registry.ingest(load_document(json.dumps(tree), source="bad.json"))
    (issue,) = failed.value.report.violations
    assert issue.path == "datasets[0].access[0].type"
    assert "urn:access/gridftp is not a known access type" in issue.message
    for known in ("urn:access/url", "urn:access/s3", "urn:access/rucio", "urn:access/ivoa"):
        assert known in issue.message
    assert registry.entries() == []  # nothing stored


@pytest.mark.parametrize("url", ["ftp://archive.example.org/survey/", "file:///data/survey", "s3://surveys/v1", "archive.example.org"])
def test_an_access_url_that_is_not_http_is_refused(registry: Registry, url: str) -> None:
    tree = json.loads(json.dumps(MANIFEST))
    tree["datasets"][0]["access"][0]["url"] = url
    report = registry.validate(load_document(json.dumps(tree)))
    assert [(i.path, i.value) for i in report.violations] == [("datasets[0].access[0].url", url)]
    assert "http:// or https://" in report.violations[0].message


def test_each_access_type_needs_its_fields(registry: Registry) -> None:
    tree = json.loads(json.dumps(MANIFEST))
    for access in tree["datasets"][0]["access"]:
        for key in ("url", "bucket", "name", "ivoid"):
            access.pop(key, None)
    report = registry.validate(load_document(json.dumps(tree)))
    assert sorted((i.path, i.message) for i in report.violations) == [
        ("datasets[0].access[0]", "an access of type urn:access/url needs a url, the http(s) address of the data set"),
        ("datasets[0].access[1]", "an access of type urn:access/s3 needs endpoint, bucket and object"),
        ("datasets[0].access[2]", "an access of type urn:access/rucio needs endpoint, scope and name (the Rucio data identifier scope:name)"),
        ("datasets[0].access[3]", "an access of type urn:access/ivoa needs an ivoid, the IVOA identifier of the resource that publishes it"),
    ]


def test_the_fast_checker_clears_data_sets_that_conform(registry: Registry, examples_dir: Path) -> None:
    validator = registry.validator
    assert validator.fast is not None, validator.fast_refused
    document = load_path(examples_dir / "datasets.json")
    triples = [list(g) for g in document.entries.values()]
    assert validator.fast.clean(triples)
    bad = json.loads(json.dumps(MANIFEST))
    bad["datasets"][0]["access"][1].pop("bucket")
    assert not validator.fast.clean([list(g) for g in load_document(json.dumps(bad)).entries.values()])


def test_ingest_export_round_trip_and_delete(registry: Registry) -> None:
    result = registry.ingest(load_document(json.dumps(MANIFEST)))
    entry = URIRef("urn:uuid:6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50")
    assert result.datasets == [entry] and result.executables == [] and result.platforms == []
    assert [(e.kind, e.type) for e in registry.entries()] == [("dataset", "urn:source-catalogue")]
    assert registry.entries(ESAP.Dataset)[0].title == "A survey reached every way"
    assert registry.export_manifest() == MANIFEST
    assert registry.export_manifest(kind=ESAP.Dataset) == MANIFEST
    assert registry.export_manifest(kind=ESAP.Platform) == {"executables": []}
    jsonld = registry.export_manifest(jsonld=True)
    again = load_document(json.dumps(jsonld), source="again.jsonld")
    assert set(again.graph) == set(load_document(json.dumps(MANIFEST)).graph)
    turtle = registry.export_rdf("turtle")
    assert set(Graph().parse(data=turtle, format="turtle")) == set(registry.store.graph(entry))
    assert registry.delete("6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50") == entry
    assert registry.entries() == []
    with pytest.raises(NotFound, match="no executable, platform or data set"):
        registry.resolve("6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50")


def test_the_example_data_sets_and_their_copies(registry: Registry, examples_dir: Path) -> None:
    for path in sorted(examples_dir.glob("*.json")):
        registry.ingest(load_path(path))
    datasets = {e.uuid: e for e in registry.entries(ESAP.Dataset)}
    assert len(datasets) == 4 and {GAIA, HESS} <= set(datasets)
    exported = registry.export_manifest(kind=ESAP.Dataset)["datasets"]
    assert {tuple(sorted(a["type"] for a in d["access"])) for d in exported} >= {("urn:access/ivoa", "urn:access/url"), ("urn:access/rucio", "urn:access/url")}
    # every example data set is held by at least one example platform
    platforms = registry.export_manifest(kind=ESAP.Platform)["platforms"]
    held = {c["uuid"] for p in platforms for c in p.get("data-resources", []) if "uuid" in c}
    assert held & set(datasets) and len(held & set(datasets)) >= 3
    gaia = next(d for d in exported if d["uuid"] == GAIA)
    assert {"type": "urn:access/url", "url": "https://cdn.gea.esac.esa.int/Gaia/gdr3/gaia_source/"} in gaia["access"]
    assert any(a.get("ivoid", "").startswith("ivo://") for a in gaia["access"])


def test_the_command_line_validates_ingests_lists_shows_exports_and_deletes(
    runner: CliRunner, tmp_path: Path, store_path: Path
) -> None:
    path = _write(tmp_path, "datasets.json", MANIFEST)
    bad = json.loads(json.dumps(MANIFEST))
    bad["datasets"][0]["access"][0]["url"] = "ftp://archive.example.org/"
    bad_path = _write(tmp_path, "bad.json", bad)
    assert run(runner, "validate", path)[0] == 0
    code, out, _ = run(runner, "validate", bad_path)
    assert code == 1 and "bad.json: datasets[0].access[0].url: url must be an http:// or https:// address" in out
    code, out, _ = run(runner, "ingest", "--store", store_path, path)
    assert code == 0 and "1 data set(s)" in out
    code, out, _ = run(runner, "list", "--store", store_path, "--kind", "datasets")
    assert code == 0 and "dataset  6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50" in out and "1 data set(s)" in out
    code, out, _ = run(runner, "export", "--store", store_path, "--kind", "datasets")
    assert code == 0 and json.loads(out) == MANIFEST
    code, out, _ = run(runner, "export", "--store", store_path, "--kind", "executables")
    assert code == 0 and json.loads(out) == {"executables": []}
    code, out, _ = run(runner, "show", "--store", store_path, "6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50")
    assert code == 0 and json.loads(out) == MANIFEST["datasets"][0]
    code, out, _ = run(runner, "show", "--store", store_path, "6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50", "--format", "turtle")
    assert code == 0 and "esap:Dataset" in out and "esap:accessType <urn:access/s3>" in out
    assert run(runner, "delete", "--store", store_path, "6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a50")[0] == 0
    code, out, _ = run(runner, "list", "--store", store_path, "--kind", "datasets")
    assert code == 0 and "6c1f0a2e" not in out
