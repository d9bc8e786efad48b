"""Plans over HTTP: the same JSON as ``esap-registry plan --format json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_support import NOTEBOOK, new_executable

from registry.cli.main import cli
from registry.store import open_store

GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"


@pytest.fixture(scope="module")
def cli_store(example_quads: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store holding the examples, for the command line."""
    path = tmp_path_factory.mktemp("plan-store") / "store"
    store = open_store(path)
    store.load(example_quads, "nquads")
    store.close()
    return path


@pytest.mark.parametrize(
    ("uuid", "query", "options"),
    [
        (NOTEBOOK, {}, []),
        (GAIA, {"at": "max"}, ["--at", "max"]),
        (GAIA, {"cores": "64", "memory": "300GiB", "data-size": "500MB"}, ["--cores", "64", "--memory", "300GiB", "--data-size", "500MB"]),
        (NOTEBOOK, {"nodes": "2", "hours": "30min", "storage": "1TB"}, ["--nodes", "2", "--hours", "30min", "--storage", "1TB"]),
        (GAIA, {"limit": "2"}, ["--limit", "2"]),
    ],
    ids=["notebook", "at-max", "cores-memory-data-size", "nodes-hours-storage", "limit"],
)
def test_plan_is_the_cli_json(
    client: TestClient, cli_store: Path, uuid: str, query: dict[str, str], options: list[str]
) -> None:
    response = client.get(f"/plan/{uuid}", params=query)
    assert response.status_code == 200, response.text
    result = CliRunner().invoke(cli, ["plan", uuid, "--store", str(cli_store), "--format", "json", *options])
    assert result.exit_code == 0, result.output
    assert response.json() == json.loads(result.output)


def test_plan_explains_rejections_and_links_launches(client: TestClient) -> None:
    plan = client.get(f"/plan/{NOTEBOOK}").json()
    assert plan["matches"] and plan["matches"][0]["rank"] == 1
    assert any(m["launch"] and m["launch"].startswith("https://mybinder.org/") for m in plan["matches"])
    assert all(r["reasons"] for r in plan["rejected"])


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/plan/{NOTEBOOK}?cores=-1", 422),
        (f"/plan/{NOTEBOOK}?memory=lots", 422),
        (f"/plan/{NOTEBOOK}?at=middle", 422),
        ("/plan/00000000-0000-4000-8000-000000000000", 404),
        ("/plan/f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01", 400),
        (f"/plan/{NOTEBOOK}?limit=0", 422),
        (f"/plan/{NOTEBOOK}?limit=some", 422),
    ],
    ids=["negative-cores", "memory-not-a-number", "bad-at", "unknown-uuid", "a-platform", "limit-zero", "limit-not-a-number"],
)
def test_plan_errors(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert body.get("message") or body.get("detail")


def test_plan_of_an_unregistered_manifest(client: TestClient) -> None:
    manifest = new_executable()
    response = client.post("/plan?at=max&cores=2", json=manifest)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["executable"] == manifest["executables"][0]["uuid"]
    assert plan["requirements"]["compute"][0]["cores"] == 2
    assert plan["matches"]


def test_plan_of_an_invalid_manifest_is_422(client: TestClient) -> None:
    response = client.post("/plan", json=new_executable(type="urn:types/nonsense"))
    assert response.status_code == 422
    assert response.json()["report"]["issues"][0]["path"] == "executables[0].type"


@pytest.mark.parametrize("platform", ["f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01", "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a06"], ids=["mybinder", "gaia-cluster"])
def test_runnable_is_the_cli_json(client: TestClient, cli_store: Path, platform: str) -> None:
    response = client.get(f"/platforms/{platform}/runnable")
    assert response.status_code == 200, response.text
    result = CliRunner().invoke(cli, ["runnable", platform, "--store", str(cli_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert response.json() == json.loads(result.output) and response.json()["executables"]


def test_runnable_lists_the_first_limit_and_counts_every_one(client: TestClient) -> None:
    platform = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01"
    every = client.get(f"/platforms/{platform}/runnable", params={"limit": "all"}).json()
    assert every["limit"] is None and every["count"] == len(every["executables"]) >= 2
    first = client.get(f"/platforms/{platform}/runnable", params={"limit": 1}).json()
    assert (first["limit"], first["count"], first["executables"]) == (1, every["count"], every["executables"][:1])
    assert client.get(f"/platforms/{platform}/runnable").json()["limit"] == 20
    bad = client.get(f"/platforms/{platform}/runnable", params={"limit": "none"})
    assert bad.status_code == 422 and "limit" in bad.text


@pytest.mark.parametrize(
    ("uuid", "status"), [("00000000-0000-4000-8000-000000000000", 404), (NOTEBOOK, 404)], ids=["unknown", "an-executable"]
)
def test_runnable_of_what_is_no_platform_is_404(client: TestClient, uuid: str, status: int) -> None:
    response = client.get(f"/platforms/{uuid}/runnable")
    assert response.status_code == status
    assert response.json()["message"]
