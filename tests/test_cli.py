"""The command line: exit codes that mean something (0 conforms or stored, 1 does
not, 2 error), ``--store`` on every command, and every output format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import SH, Graph, Literal

from registry.cli.main import cli

NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"


def run(runner: CliRunner, *args: object) -> tuple[int, str, str]:
    result = runner.invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_validate_exit_codes(runner: CliRunner, examples_dir: Path, data_dir: Path, tmp_path: Path) -> None:
    assert run(runner, "validate", examples_dir)[0] == 0
    code, out, _ = run(runner, "validate", data_dir / "seeds" / "discovery.json")
    assert code == 1
    assert "discovery.json: executables[1].uuid: uuid must be a UUID" in out
    code, _, err = run(runner, "validate", data_dir / "seeds" / "data-resources.json")
    assert code == 1
    assert "data-resources.json:13:11: not well-formed JSON: Expecting ',' delimiter" in err
    code, _, err = run(runner, "validate", tmp_path / "nowhere.json")
    assert code == 2
    assert "nowhere.json" in err


def test_validate_reports_every_error_of_a_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"executables": [
        {"uuid": "1d5e06cc-e1a9-4eb9-8d99-d", "type": "urn:types/jupyter-notebook", "title": "a"},
        {"uuid": NOTEBOOK, "type": "urn:types/notebok", "compute-resources": [{"mincores": 8, "maxcores": 2, "minmemory": -1}]},
    ]}))
    code, out, _ = run(runner, "validate", "--format", "json", path)
    assert code == 1
    body = json.loads(out)
    paths = {i["path"] for i in body["issues"] if i["severity"] == "Violation"}
    assert paths == {
        "executables[0].uuid",
        "executables[1].type",
        "executables[1].title",
        "executables[1].compute-resources[0].mincores",
        "executables[1].compute-resources[0].minmemory",
    }
    assert body["conforms"] is False


def test_validate_as_turtle_is_a_shacl_report(runner: CliRunner, data_dir: Path) -> None:
    code, out, _ = run(runner, "validate", "--format", "turtle", data_dir / "seeds" / "resources.json")
    assert code == 1
    graph = Graph().parse(data=out, format="turtle")
    json_path = graph.namespace_manager.expand_curie("esap:jsonPath")
    violations = {str(graph.value(r, json_path)) for r in graph.subjects(SH.resultSeverity, SH.Violation)}
    assert violations == {"executables[0].uuid"}
    assert (None, SH.conforms, Literal(False)) in graph


def test_ingest_list_export_delete(runner: CliRunner, examples_dir: Path, store_path: Path) -> None:
    code, out, err = run(runner, "ingest", "--store", store_path, examples_dir)
    assert code == 0, err
    assert "5 of 5 file(s) stored: 7 executable(s), 7 platform(s)" in out and "; 4 data set(s)" in out
    code, out, _ = run(runner, "list", "--store", store_path)
    assert code == 0 and "7 executable(s), 7 platform(s), 4 data set(s)" in out and "Gaia HDBSCAN clustering" in out
    code, out, _ = run(runner, "export", "--store", store_path, "--kind", "executables", "--uuid", NOTEBOOK)
    assert json.loads(out)["executables"][0]["title"] == "Find ESCAPE OSSR records"
    code, out, _ = run(runner, "export", "--store", store_path, "--format", "turtle")
    assert code == 0 and len(Graph().parse(data=out, format="turtle")) > 100
    code, out, _ = run(runner, "show", "--store", store_path, NOTEBOOK)
    assert code == 0 and json.loads(out)["uuid"] == NOTEBOOK
    assert run(runner, "delete", "--store", store_path, NOTEBOOK)[0] == 0
    code, _, err = run(runner, "delete", "--store", store_path, NOTEBOOK)
    assert code == 1 and f"no executable, platform or data set {NOTEBOOK}" in err
    assert run(runner, "show", "--store", store_path, NOTEBOOK)[0] == 1


def test_ingest_rejects_a_bad_file_and_stores_the_rest(runner: CliRunner, examples_dir: Path, data_dir: Path, store_path: Path) -> None:
    code, out, err = run(runner, "ingest", "--store", store_path, examples_dir / "platforms.json", data_dir / "seeds" / "discovery.json")
    assert code == 1
    assert "1 of 2 file(s) stored" in out
    assert "rejected" in err and "discovery.json" in err
    code, out, _ = run(runner, "list", "--store", store_path, "--format", "json")
    assert {e["kind"] for e in json.loads(out)} == {"platform"}


def test_ingest_a_missing_file_is_an_error(runner: CliRunner, tmp_path: Path, store_path: Path) -> None:
    assert run(runner, "ingest", "--store", store_path, tmp_path / "nowhere.json")[0] == 2


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_query_formats(runner: CliRunner, examples_dir: Path, store_path: Path, fmt: str) -> None:
    run(runner, "ingest", "--store", store_path, examples_dir / "platforms.json")
    sparql = (
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
        "SELECT ?title ?cores WHERE { ?p esap:title ?title ; esap:nodePool/esap:coresPerNode ?cores } ORDER BY DESC(?cores) ?title"
    )
    code, out, err = run(runner, "query", "--store", store_path, "--format", fmt, sparql)
    assert code == 0, err
    if fmt == "json":
        first = json.loads(out)["results"]["bindings"][0]
        assert first["title"]["value"] == "Gaia HPC batch cluster" and first["cores"]["value"] == "64"
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0] == ["title", "cores"] and rows[1] == ["Gaia HPC batch cluster", "64"]
    else:
        assert out.splitlines()[2].startswith("Gaia HPC batch cluster")


def test_query_from_a_file_and_a_malformed_query(runner: CliRunner, tmp_path: Path, store_path: Path) -> None:
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    code, out, _ = run(runner, "query", "--store", store_path, query)
    assert code == 0 and "1 row(s)" in out
    code, _, err = run(runner, "query", "--store", store_path, "SELECT WHERE {")
    assert code == 1 and "esap-registry:" in err


def test_the_store_can_come_from_the_environment(runner: CliRunner, examples_dir: Path, store_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(examples_dir / "gaia-hdbscan.json")], env={"ESAP_REGISTRY_STORE": str(store_path)})
    assert result.exit_code == 0
    assert (store_path).is_dir()
    code, out, _ = run(runner, "list", "--store", store_path)
    assert "2 executable(s)" in out


GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"


def test_plan_text_json_and_overrides(runner: CliRunner, examples_dir: Path, store_path: Path) -> None:
    run(runner, "ingest", "--store", store_path, examples_dir)
    code, out, err = run(runner, "plan", "--store", store_path, GAIA)
    assert code == 0, err
    assert "matches (2):" in out and "Gaia HPC batch cluster" in out
    assert "20 nodes x 16 cores x 64 GiB" in out and "14 nodes: 224 cores, 896 GiB" in out  # the pool as it is, the allocation apart
    assert "2 at the minima, 1 at the maxima" in out
    code, out, err = run(runner, "plan", "--store", store_path, GAIA, "--nodes", "8")
    assert "ESCAPE Kubernetes cloud: cores: needs 210 cores, offers 128 cores at 8 nodes" in out
    assert "    would fit with --max-nodes 14" in out
    assert "rejected platforms a change of one need alone would admit: --max-nodes 1" in out
    code, out, _ = run(runner, "plan", "--store", store_path, GAIA, "--format", "json", "--nodes", "6", "--cores", "50",
                       "--memory", "100GiB", "--data-size", "500MB")
    body = json.loads(out)
    assert [m["title"] for m in body["matches"]] == ["Gaia HPC batch cluster", "ESCAPE Kubernetes cloud"]
    assert body["requirements"]["compute"] == [{"cores": 50, "memory": 100, "nodes": 6, "max-nodes": 6, "hours": 190}]
    code, out, _ = run(runner, "plan", "--store", store_path, GAIA, "--format", "json", "--nodes", "8", "--max-nodes", "14")
    assert [m["allocation"] for m in json.loads(out)["matches"]][1] == {"nodes": 14, "cores": 224, "memory": 896}
    assert set(body) == {"executable", "title", "at", "requirements", "matches", "rejected", "summary"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--memory", "-5"], "--memory must not be negative"),
        (["--cores", "many"], "--cores: not a count"),
        (["--at", "middle"], "Invalid value for '--at'"),
    ],
    ids=["negative", "not-a-number", "bad-at"],
)
def test_plan_refuses_bad_overrides_naming_the_option(
    runner: CliRunner, examples_dir: Path, store_path: Path, args: list[str], message: str
) -> None:
    run(runner, "ingest", "--store", store_path, examples_dir / "gaia-hdbscan.json")
    code, _, err = run(runner, "plan", "--store", store_path, GAIA, *args)
    assert code in (1, 2) and message in err


def test_plan_an_unknown_uuid_and_an_unregistered_manifest(runner: CliRunner, examples_dir: Path, store_path: Path, tmp_path: Path) -> None:
    run(runner, "ingest", "--store", store_path, examples_dir / "platforms.json")
    code, _, err = run(runner, "plan", "--store", store_path, GAIA)
    assert code == 1 and f"no executable, platform or data set {GAIA}" in err
    single = tmp_path / "gaia.json"
    manifest = json.loads((examples_dir / "gaia-hdbscan.json").read_text())
    single.write_text(json.dumps({"executables": manifest["executables"][:1]}))
    code, out, _ = run(runner, "plan", "--store", store_path, single, "--format", "json")
    assert code == 0 and json.loads(out)["executable"] == GAIA


def test_platforms_lists_pools_and_storage(runner: CliRunner, examples_dir: Path, store_path: Path) -> None:
    run(runner, "ingest", "--store", store_path, examples_dir / "platforms.json")
    code, out, _ = run(runner, "platforms", "--store", store_path)
    assert code == 0 and "64 x 64 cores x 512 GiB, 240 h; 8 x 32 cores x 256 GiB, 48 h" in out and "7 platform(s)" in out
