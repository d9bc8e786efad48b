"""``esap-registry plan`` as a person reads it: units to three significant figures,
labels instead of URNs, "would fit with", the no-platform message, ``--uuid`` and
``--max-nodes``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli.main import cli

GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"
SUBSET = "c3e9a2d4-6f1b-4a8e-b7c5-0d2e9f4a6b18"
NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
LONG_DECIMAL = re.compile(r"\d\.\d{4,}")


def plan(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["plan", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    store = tmp_path_factory.mktemp("plan-cli") / "store"
    result = CliRunner().invoke(cli, ["ingest", "--store", str(store), str(examples_dir)])
    assert result.exit_code == 0, result.output
    return store


@pytest.mark.parametrize(
    "options",
    [[], ["--at", "max"], ["--nodes", "8"], ["--data-size", "333.3333GB", "--hours", "1s"], ["--memory", "29.3GB", "--nodes", "3"]],
    ids=["minima", "maxima", "exact-nodes", "odd-sizes", "odd-memory"],
)
@pytest.mark.parametrize("uuid", [GAIA, SUBSET, NOTEBOOK])
def test_no_number_has_a_long_tail_and_no_term_is_a_python_list(examples: Path, uuid: str, options: list[str]) -> None:
    code, out, err = plan("--store", examples, uuid, *options)
    assert code == 0, err
    assert not LONG_DECIMAL.search(out), LONG_DECIMAL.findall(out)
    assert "['" not in out and "urn:types/" not in out  # types by their labels


def test_the_text_names_units_allocations_and_what_would_fit(examples: Path) -> None:
    _, out, _ = plan("--store", examples, GAIA, "--nodes", "8")
    assert "  needs 8 nodes, 210 cores, 344 GiB of memory, 190 h" in out
    assert "  needs data Gaia DR3 source catalogue: astrometric catalogue as Apache Parquet, 4.55 TiB" in out
    assert re.search(r"^1  Gaia HPC batch cluster  64 nodes x 64 cores x 512 GiB, up to 240 h +8 nodes: 512 cores, 4 TiB ", out, re.M)
    assert "ESCAPE Kubernetes cloud: cores: needs 210 cores, offers 128 cores at 8 nodes\n    would fit with --max-nodes 14\n" in out
    assert "MyBinder: does not run batch job (runs notebook); nodes: needs 8 nodes, offers 1 node;" in out
    _, out, _ = plan("--store", examples, GAIA, "--nodes", "8", "--max-nodes", "14")
    cloud = next(line for line in out.splitlines() if line.startswith("2  ESCAPE Kubernetes cloud"))
    assert "20 nodes x 16 cores x 64 GiB" in cloud and "14 nodes: 224 cores, 896 GiB" in cloud


def test_a_data_resource_without_a_size_says_so(tmp_path: Path, examples: Path) -> None:
    manifest = json.loads((Path(__file__).resolve().parents[1] / "examples" / "gaia-hdbscan.json").read_text())
    del manifest["executables"][0]["data-resources"][0]["size"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(manifest))
    _, out, err = plan("--store", examples, path, "--uuid", GAIA)
    assert "astrometric catalogue as Apache Parquet, size not given" in out, err
    assert "0 MiB" not in out


def test_a_manifest_of_several_needs_uuid(examples: Path, examples_dir: Path) -> None:
    code, _, err = plan("--store", examples, examples_dir / "gaia-hdbscan.json")
    assert code == 1
    assert f"holds 2 executables: name the one to plan with --uuid (?uuid= on the web): {GAIA}, {SUBSET}" in err
    code, out, err = plan("--store", examples, examples_dir / "gaia-hdbscan.json", "--uuid", SUBSET, "--format", "json")
    assert code == 0, err and json.loads(out)["executable"] == SUBSET
    code, _, err = plan("--store", examples, GAIA, "--uuid", SUBSET)
    assert code == 1 and "--uuid: picks an executable of a manifest FILE" in err


def test_no_platforms_say_so_and_how_to_add_them(tmp_path: Path, examples_dir: Path) -> None:
    store = tmp_path / "store"
    CliRunner().invoke(cli, ["ingest", "--store", str(store), str(examples_dir / "gaia-hdbscan.json")])
    code, out, _ = plan("--store", store, GAIA)
    assert code == 0
    assert "No platforms are registered. Add some with: esap-registry ingest examples/platforms.json" in out
    assert json.loads(plan("--store", store, GAIA, "--format", "json")[1])["summary"]["message"].startswith("No platforms are registered")


def test_no_platform_of_the_type_says_so(tmp_path: Path, examples_dir: Path) -> None:
    store = tmp_path / "store"
    platforms = json.loads((examples_dir / "platforms.json").read_text())
    binders = {"platforms": [p for p in platforms["platforms"] if "urn:types/notebook" in p["executable-types"]]}
    (tmp_path / "binders.json").write_text(json.dumps(binders))
    for path in (examples_dir / "gaia-hdbscan.json", tmp_path / "binders.json"):
        assert CliRunner().invoke(cli, ["ingest", "--store", str(store), str(path)]).exit_code == 0
    _, out, _ = plan("--store", store, GAIA)
    assert "No registered platform runs urn:types/batch-job or a broader type." in out


def test_the_default_limit_is_20_and_all_lists_every_platform(tmp_path: Path) -> None:
    from support.planning import BASE_EXECUTABLE, BASE_PLATFORM, changed

    platforms = [changed(changed(BASE_PLATFORM, "uuid", f"b0000000-0000-4000-8000-{n:012d}"), "title", f"P{n:02d}") for n in range(25)]
    platforms += [changed(p, "executable-types", ["urn:types/container"]) for p in
                  (changed(changed(BASE_PLATFORM, "uuid", f"c0000000-0000-4000-8000-{n:012d}"), "title", f"Q{n:02d}") for n in range(22))]
    store = tmp_path / "store"
    for name, body in (("e.json", {"executables": [BASE_EXECUTABLE]}), ("p.json", {"platforms": platforms})):
        (tmp_path / name).write_text(json.dumps(body))
        assert CliRunner().invoke(cli, ["ingest", "--store", str(store), str(tmp_path / name)]).exit_code == 0
    default = json.loads(plan("--store", store, BASE_EXECUTABLE["uuid"], "--format", "json")[1])
    assert len(default["matches"]) == 20 and len(default["rejected"]) == 20
    assert default["summary"]["matches"] == 25 and default["summary"]["platforms"] == 47 and default["summary"]["limit"] == 20
    every = json.loads(plan("--store", store, BASE_EXECUTABLE["uuid"], "--format", "json", "--limit", "all")[1])
    assert len(every["matches"]) == 25 and len(every["rejected"]) == 22 and every["summary"]["limit"] is None
    assert every["matches"][:20] == default["matches"] and every["rejected"][:20] == default["rejected"]
    _, text, _ = plan("--store", store, BASE_EXECUTABLE["uuid"])
    assert "matches (25, the best 20 shown):" in text and "rejected (22, the nearest 20 shown):" in text
    for bad in ("0", "some", "-3"):
        code, _, err = plan("--store", store, BASE_EXECUTABLE["uuid"], "--limit", bad)
        assert code == 1 and "--limit must be a whole number of at least 1, or all" in err, err
