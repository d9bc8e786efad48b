"""The command line for a newcomer: bulk warnings summarised, a final line counting
errors and warnings, no stray progress line on a non-terminal, a clear message when the
embedded store is held by a running server, `update`, examples in every --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from registry import __version__
from registry.cli.main import cli


def _platform(index: int) -> dict[str, Any]:
    """A valid platform lacking its recommended description: one warning."""
    return {
        "uuid": f"00000000-0000-4000-8000-{index:012d}",
        "type": "urn:platforms/binderhub",
        "title": f"platform {index}",
        "url": "https://example.org/",
        "executable-types": ["urn:types/notebook"],
        "compute-resources": [{"nodes": 1, "cores": 2, "memory": 4}],
    }


@pytest.fixture
def many_warnings(tmp_path: Path) -> Path:
    path = tmp_path / "platforms.json"
    path.write_text(json.dumps({"platforms": [_platform(i) for i in range(30)]}))
    return path


def _warning_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("warning:")]


@pytest.mark.parametrize("command", ["ingest", "validate"])
def test_many_warnings_are_summarised_by_default(runner: CliRunner, many_warnings: Path, command: str) -> None:
    args = [command, str(many_warnings)] + (["--store", "memory"] if command == "ingest" else [])
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = _warning_lines(result.output)
    assert len(lines) == 1, result.output
    assert "30 times" in lines[0] and "description is recommended" in lines[0]
    assert "platforms[0].description" in result.output and "platforms[2].description" in result.output
    assert "platforms[3].description" not in result.output and "27 more" in result.output
    assert result.output.rstrip().splitlines()[-1].endswith("0 error(s), 30 warning(s)"), result.output


@pytest.mark.parametrize("command", ["ingest", "validate"])
def test_warnings_all_and_none(runner: CliRunner, many_warnings: Path, command: str) -> None:
    store = ["--store", "memory"] if command == "ingest" else []
    every = runner.invoke(cli, [command, str(many_warnings), "--warnings", "all", *store])
    assert len(_warning_lines(every.output)) == 30, every.output
    none = runner.invoke(cli, [command, str(many_warnings), "--warnings", "none", *store])
    assert _warning_lines(none.output) == [] and "30 warning(s)" in none.output.splitlines()[-1]


def test_a_few_warnings_are_shown_whole(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "few.json"
    path.write_text(json.dumps({"platforms": [_platform(i) for i in range(3)]}))
    result = runner.invoke(cli, ["ingest", str(path), "--store", "memory"])
    assert len(_warning_lines(result.output)) == 3, result.output


def test_the_final_line_counts_errors(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    good.write_text(json.dumps({"platforms": [_platform(1)]}))
    bad = tmp_path / "b.json"
    bad.write_text('{"platforms": [')
    rejected = tmp_path / "c.json"
    rejected.write_text(json.dumps({"platforms": [dict(_platform(2), type="urn:platforms/nope")]}))
    result = runner.invoke(cli, ["ingest", str(good), str(bad), str(rejected), "--store", "memory"])
    assert result.exit_code == 1
    assert result.output.rstrip().splitlines()[-1].endswith("2 error(s), 2 warning(s)"), result.output
    checked = runner.invoke(cli, ["validate", str(good), str(bad), str(rejected)])
    assert checked.output.rstrip().splitlines()[-1].endswith("2 error(s), 2 warning(s)"), checked.output


def test_no_stray_progress_line_on_a_non_terminal(runner: CliRunner, tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.json").write_text(json.dumps({"platforms": [dict(_platform(i), description="d")]}))
    result = runner.invoke(cli, ["ingest", str(tmp_path), "--store", "memory"])
    assert result.exit_code == 0, result.output
    assert "ingesting" not in [line.strip() for line in result.output.splitlines()], result.output
    assert "ingesting 3 file(s)" in result.output


# -- a store held by a running server ------------------------------------------------------


def test_a_locked_store_says_what_to_do(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('held', flush=True); time.sleep(120)", str(store)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = runner.invoke(cli, ["list", "--store", str(store)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    message = result.output
    assert "in use by another process" in message and "esap-registry serve" in message
    assert "--store http://127.0.0.1:8000/sparql" in message and "--update-url http://127.0.0.1:8000/update" in message
    assert "ESAP_REGISTRY_STORE_TOKEN" in message
    assert "Resource temporarily unavailable" in message  # the system's own reason stays


# -- update -----------------------------------------------------------------------------------

NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"


def _with_examples(runner: CliRunner, store: Path, examples_dir: Path) -> None:
    assert runner.invoke(cli, ["ingest", str(examples_dir), "--store", str(store), "-q"]).exit_code == 0


def test_update_changes_an_entry(runner: CliRunner, tmp_path: Path, examples_dir: Path) -> None:
    store = tmp_path / "s"
    _with_examples(runner, store, examples_dir)
    text = (
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
        f"DELETE {{ GRAPH ?g {{ <urn:uuid:{NOTEBOOK}> esap:title ?t }} }}\n"
        f"INSERT {{ GRAPH ?g {{ <urn:uuid:{NOTEBOOK}> esap:title 'Renamed' }} }}\n"
        f"WHERE {{ GRAPH ?g {{ <urn:uuid:{NOTEBOOK}> esap:title ?t }} }}"
    )
    result = runner.invoke(cli, ["update", text, "--store", str(store)])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(cli, ["show", NOTEBOOK, "--store", str(store)])
    assert json.loads(shown.output)["title"] == "Renamed"


def test_update_derives_canonical_numbers_afresh(runner: CliRunner, tmp_path: Path, examples_dir: Path) -> None:
    store = tmp_path / "s"
    _with_examples(runner, store, examples_dir)
    text = (
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
        "DELETE { GRAPH ?g { ?c esap:minMemory ?m } } INSERT { GRAPH ?g { ?c esap:minMemory '2TiB' } }\n"
        f"WHERE {{ GRAPH ?g {{ <urn:uuid:{NOTEBOOK}> esap:computeRequirement ?c . ?c esap:minMemory ?m }} }}"
    )
    assert runner.invoke(cli, ["update", text, "--store", str(store)]).exit_code == 0
    query = "PREFIX esap: <https://w3id.org/esap-registry/vocab#> SELECT ?gib WHERE { ?c esap:minMemoryGiB ?gib }"
    answer = runner.invoke(cli, ["query", query.replace("?c esap", f"<urn:uuid:{NOTEBOOK}> esap:computeRequirement ?c . ?c esap"), "--store", str(store), "--format", "csv"])
    assert answer.output.split() == ["gib", "2048"], answer.output


def test_update_from_a_file(runner: CliRunner, tmp_path: Path, examples_dir: Path) -> None:
    store = tmp_path / "s"
    _with_examples(runner, store, examples_dir)
    path = tmp_path / "drop.ru"
    path.write_text(f"DROP GRAPH <urn:uuid:{NOTEBOOK}>")
    assert runner.invoke(cli, ["update", str(path), "--store", str(store)]).exit_code == 0
    assert runner.invoke(cli, ["show", NOTEBOOK, "--store", str(store)]).exit_code == 1


def test_update_that_breaks_an_entry_is_refused_and_stores_nothing(runner: CliRunner, tmp_path: Path, examples_dir: Path) -> None:
    store = tmp_path / "s"
    _with_examples(runner, store, examples_dir)
    text = (
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
        f"DELETE WHERE {{ GRAPH ?g {{ <urn:uuid:{NOTEBOOK}> esap:executableType ?t }} }}"
    )
    result = runner.invoke(cli, ["update", text, "--store", str(store)])
    assert result.exit_code == 1, result.output
    assert "type is required" in result.output and "nothing was stored" in result.output
    shown = runner.invoke(cli, ["show", NOTEBOOK, "--store", str(store)])
    assert json.loads(shown.output)["type"] == "urn:types/jupyter-notebook"


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD is not allowed"),
        ("INSERT { GRAPH <urn:x> { ?s ?p ?o } } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ("SELECT * WHERE { ?s ?p ?o }", "not an update"),
        ("INSERT DATA { oops", "malformed"),
    ],
    ids=["load", "service", "query", "syntax"],
)
def test_update_refuses_what_the_web_refuses(runner: CliRunner, text: str, fault: str) -> None:
    result = runner.invoke(cli, ["update", text, "--store", "memory"])
    assert result.exit_code == 1
    assert fault in result.output, result.output


def test_query_points_updates_to_the_update_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "--store", "memory"])
    assert result.exit_code == 1 and "esap-registry update" in result.output, result.output


# -- help and version ---------------------------------------------------------------------------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p))
def test_every_help_shows_an_example(runner: CliRunner, path: tuple[str, ...]) -> None:
    result = runner.invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "esap-registry " + path[0] in result.output.split("Example", 1)[1], result.output


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    assert "Example" in runner.invoke(cli, ["--help"]).output
