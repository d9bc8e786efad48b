"""YAML manifests (``.yaml``/``.yml``): the same structure as the JSON, read safely with
the JSON reader's limits, faults at their line and column; files whose format cannot
be told are refused naming the formats read; JSON-LD with only an ``@context`` added to
a seed manifest reads as the plain manifest does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.manifests import SEED

from registry.errors import InputError
from registry.readers import MAX_DEPTH, load_document, load_path
from registry.service import Registry, find_files
from registry.store import open_store

ROOT = Path(__file__).resolve().parents[1]

YAML = """\
# the seed executable, as YAML
executables:
  - uuid: 5cec9f3d-79c0-49ad-9a5a-455596c55341
    type: urn:types/jupyter-notebook
    title: Find ESCAPE OSSR records
    description: How to find and access zenodo records from the OSSR dataset.
    location:
      repository: https://gitlab.com/escape-ossr/eossr
      ref: master
      path: examples/notebooks/ossr_api-Explore_the_OSSR.ipynb
    compute-resources:
      - mincores: 1
        minmemory: 1
    storage-resources: []
    data-resources:
      - data-content: urn:astronomy-observation
        data-format: urn:parquet-binary
        size: 5TB
"""

AS_JSON = SEED  # the YAML text below, as JSON


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_a_yaml_manifest_reads_as_its_json(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"seed{suffix}"
    path.write_text(YAML)
    from_yaml = load_path(path)
    from_json = load_document(json.dumps(AS_JSON), source="seed.json")
    assert from_yaml.entries.keys() == from_json.entries.keys()
    for entry, graph in from_json.entries.items():
        assert set(graph) == set(from_yaml.entries[entry])
    registry = Registry(open_store("memory"))
    registry.ingest(from_yaml)
    assert registry.export_manifest() == AS_JSON


def test_yaml_faults_say_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("executables:\n  - uuid: [unclosed\n    title: x\n")
    with pytest.raises(InputError) as caught:
        load_path(path)
    assert caught.value.source == str(path) and caught.value.line is not None and caught.value.column is not None
    assert "YAML" in caught.value.message


def test_yaml_paths_are_json_paths(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(YAML.replace("    title:", "    titel:"))
    from registry.validation import get_validator

    report = get_validator().validate(load_path(path))
    assert any(i.path == "executables[0].titel" and "did you mean 'title'" in i.message for i in report.issues), report.to_text()


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("executables: []\nexecutables: []\n", "appears twice"),
        ("a: &x [1]\nb: *x\n", "anchor"),
        ("a: [1]\nb: *x\n", "alias"),
        ("executables: !!python/object:os.system {}\n", "tag"),
        ("executables: !!binary aGVsbG8=\n", "tag"),
        ("executables:\n  - mincores: " + "9" * 500 + "\n", "digits"),
        ("executables:\n  - mincores: .inf\n", "number"),
        ("executables:\n  - {1: x}\n", "key"),
        ("executables: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", "nests deeper"),
        ("executables: [\n  1,\n", "YAML"),
        ("executables:\n  - title: a\x00b\n", "not allowed"),
    ],
    ids=["duplicate-key", "anchor", "alias", "python-tag", "binary", "huge-integer", "infinity", "number-key", "too-deep", "unclosed", "nul"],
)
def test_yaml_is_read_safely_with_the_json_limits(tmp_path: Path, text: str, fault: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_path(path)
    assert fault in caught.value.message, caught.value.message
    assert caught.value.line is not None, caught.value


def test_the_size_limit_holds_for_yaml(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_text(YAML * 10)
    with pytest.raises(InputError, match="larger than the limit"):
        load_path(path, max_bytes=100)


def test_yaml_dates_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "date.yaml"
    path.write_text(YAML.replace("ref: master", "ref: 2022-04-01"))
    registry = Registry(open_store("memory"))
    registry.ingest(load_path(path))
    assert registry.export_manifest()["executables"][0]["location"]["ref"] == "2022-04-01"


@pytest.mark.parametrize(("name", "text"), [("notjson.yaml", None), ("notes.txt", "just some words\n"), ("README", "hello: [")])
def test_a_file_of_unknown_format_is_refused_naming_the_formats(tmp_path: Path, name: str, text: str | None) -> None:
    path = tmp_path / name
    path.write_text(text if text is not None else "this is not a manifest at all\n")
    with pytest.raises(InputError) as caught:
        load_path(path)
    message = caught.value.message
    assert "Turtle" not in message or "formats" in message
    if name.endswith(".yaml"):
        assert "YAML" in message
    else:
        for word in ("JSON", "YAML", "Turtle", ".yaml", ".ttl"):
            assert word in message, message


def test_directories_include_yaml_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(YAML)
    (tmp_path / "b.yml").write_text(YAML)
    (tmp_path / "c.txt").write_text("x")
    assert [p.name for p in find_files([tmp_path])] == ["a.yaml", "b.yml"]


@pytest.mark.parametrize(
    "context",
    ["https://w3id.org/esap-registry/context.jsonld", ["https://w3id.org/esap-registry/context.jsonld"]],
    ids=["iri", "list"],
)
def test_a_seed_manifest_with_only_a_context_reads_as_the_plain_one(context: object) -> None:
    plain = load_document(json.dumps(AS_JSON), source="seed.json")
    document = load_document(json.dumps({"@context": context, **AS_JSON}), source="seed.jsonld")
    assert not document.problems, document.problems
    assert document.entries.keys() == plain.entries.keys()
    for entry, graph in plain.entries.items():
        assert set(graph) == set(document.entries[entry])
    registry = Registry(open_store("memory"))
    registry.ingest(document)
    assert registry.export_manifest() == AS_JSON


def test_the_seed_of_the_slides_with_a_context_gets_plain_json_paths() -> None:
    seed = json.loads((ROOT / "tests" / "data" / "seeds" / "resources.json").read_text())
    document = load_document(json.dumps({"@context": "https://w3id.org/esap-registry/context.jsonld", **seed}), source="s.jsonld")
    from registry.validation import get_validator

    report = get_validator().validate(document)
    assert [i.path for i in report.violations] == ["executables[0].uuid"], report.to_text()


@given(st.text(alphabet=st.sampled_from(list("executables:- []{}?&*!|>'\"#%@,\n\t 01.eE+x\\u\u0000")), max_size=80))
def test_any_yaml_text_is_read_or_refused_as_input(text: str) -> None:
    try:
        load_document(("executables:\n" + text).encode(), source="fuzz.yaml")
    except InputError:
        pass
