"""The running server is a SPARQL 1.1 store: every command of the command line works
with ``--store http://HOST:PORT/sparql --update-url http://HOST:PORT/update`` and the
server's token, against the real server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_support import MYBINDER, NOTEBOOK, TOKEN, new_executable, running

from registry.cli.main import cli
from registry.store import open_store
from registry.web.app import create_app
from registry.web.settings import Settings

NEW = "0b5c3a4e-1111-4222-8333-944455556666"


@pytest.fixture(scope="module")
def server(example_quads: bytes) -> Iterator[str]:
    store = open_store("memory")
    store.load(example_quads)
    with running(create_app(Settings(token=TOKEN), store=store)) as base_url:
        yield base_url
    store.close()


def _store(base_url: str) -> list[str]:
    return ["--store", f"{base_url}/sparql", "--update-url", f"{base_url}/update"]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ESAP_REGISTRY_STORE_TOKEN", TOKEN)
    return CliRunner()


def test_reads_through_the_server(runner: CliRunner, server: str) -> None:
    listed = runner.invoke(cli, ["list", *_store(server)])
    assert listed.exit_code == 0, listed.output
    assert NOTEBOOK in listed.output and "7 executable(s), 7 platform(s)" in listed.output
    shown = runner.invoke(cli, ["show", NOTEBOOK, *_store(server)])
    assert json.loads(shown.output)["uuid"] == NOTEBOOK
    planned = runner.invoke(cli, ["plan", NOTEBOOK, *_store(server), "--format", "json"])
    assert planned.exit_code == 0, planned.output
    assert any(m["platform"] == MYBINDER or MYBINDER in json.dumps(m) for m in json.loads(planned.output)["matches"])
    queried = runner.invoke(cli, ["query", "ASK { ?s ?p ?o }", *_store(server)])
    assert queried.output.strip() == "true"


def test_writes_through_the_server(runner: CliRunner, server: str, tmp_path: Path) -> None:
    manifest = new_executable(NEW, **{"storage-resources": []})
    path = tmp_path / "new.json"
    path.write_text(json.dumps(manifest))
    stored = runner.invoke(cli, ["ingest", str(path), *_store(server)])
    assert stored.exit_code == 0, stored.output
    exported = runner.invoke(cli, ["export", "--uuid", NEW, *_store(server)])
    assert json.loads(exported.output) == manifest
    renamed = runner.invoke(
        cli,
        ["update", f"PREFIX esap: <https://w3id.org/esap-registry/vocab#> DELETE {{ GRAPH ?g {{ <urn:uuid:{NEW}> esap:title ?t }} }} "
         f"INSERT {{ GRAPH ?g {{ <urn:uuid:{NEW}> esap:title 'Renamed' }} }} WHERE {{ GRAPH ?g {{ <urn:uuid:{NEW}> esap:title ?t }} }}",
         *_store(server)],
    )
    assert renamed.exit_code == 0, renamed.output
    assert json.loads(runner.invoke(cli, ["show", NEW, *_store(server)]).output)["title"] == "Renamed"
    deleted = runner.invoke(cli, ["delete", NEW, *_store(server)])
    assert deleted.exit_code == 0, deleted.output
    assert runner.invoke(cli, ["show", NEW, *_store(server)]).exit_code == 1


def test_writes_without_the_token_are_refused(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESAP_REGISTRY_STORE_TOKEN", raising=False)
    path = tmp_path / "new.json"
    path.write_text(json.dumps(new_executable(NEW)))
    result = CliRunner().invoke(cli, ["ingest", str(path), *_store(server)])
    assert result.exit_code == 2
    assert "401" in result.output and "credentials" in result.output
