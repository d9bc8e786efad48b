"""The bad-input corpus (``tests/data/bad-input``) through the command line:
``esap-registry validate``, ``ingest`` and ``plan FILE``.

Every file is refused with exit code 1 and a message that names the file and
where in it the fault is (line and column, or JSON path); nothing of it is
stored; nothing it points at is fetched. A file that cannot be read is exit 2;
a file over ``--max-size`` is refused unread.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bad_input_corpus import ALL, CASES, CORPUS, case_bytes
from click.testing import CliRunner, Result

from registry.cli.main import cli
from registry.service import Registry, find_files
from registry.store import open_store

if TYPE_CHECKING:
    from conftest import Sentinel



def where(case: dict[str, object], name: str) -> list[str]:
    """What the output must contain to tell where the fault is."""
    wanted = []
    if "line" in case:
        wanted.append(f"{name}:{case['line']}" + (f":{case['column']}" if "column" in case else ""))
    if "path" in case:
        wanted.append(str(case["path"]))
    if "contains" in case:
        wanted.append(str(case["contains"]))
    return wanted


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    """An on-disk store holding the examples, that the corpus is ingested into."""
    path = tmp_path_factory.mktemp("bad-input") / "store"
    store = open_store(path)
    batch = Registry(store).ingest_paths(find_files([examples_dir]))
    store.close()
    assert not batch.rejected
    return path


def quads(path: Path) -> list[bytes]:
    store = open_store(path)
    try:
        return sorted(store.dump("nquads").splitlines())
    finally:
        store.close()


@pytest.fixture
def corpus_file(request: pytest.FixtureRequest, tmp_path: Path, sentinel: Sentinel) -> Iterator[tuple[Path, dict[str, object]]]:
    """The case's file, its ``{port}`` pointed at the sentinel; afterwards nothing has connected."""
    name: str = request.param
    case = ALL[name][1]
    target = tmp_path / name
    target.write_bytes(sentinel.fill(case_bytes(name)))
    before = len(sentinel.connections)
    yield target, case
    assert sentinel.connections[before:] == [], f"{name} made the registry connect to {sentinel.port}"


@pytest.mark.parametrize("corpus_file", list(ALL), ids=list(ALL), indirect=True)
def test_validate_refuses_with_where(corpus_file: tuple[Path, dict[str, object]]) -> None:
    path, case = corpus_file
    result = run("validate", path)
    assert result.exit_code == 1, result.output
    output = result.output
    for text in where(case, str(path)):
        assert text in output, f"{text!r} not in {output[:2000]!r}"
    if case["kind"] == "malformed":
        assert f"error: {path}" in output
    else:
        assert "violation: " in output and "does not conform" in output


@pytest.mark.parametrize("corpus_file", list(ALL), ids=list(ALL), indirect=True)
def test_ingest_refuses_and_stores_nothing(corpus_file: tuple[Path, dict[str, object]], disk_store: Path) -> None:
    path, case = corpus_file
    before = quads(disk_store)
    result = run("ingest", "--store", disk_store, path)
    assert result.exit_code == 1, result.output
    assert f"rejected {path}" in result.output
    for text in where(case, str(path)):
        assert text in result.output
    assert "0 of 1 file(s) stored" in result.output
    assert quads(disk_store) == before


@pytest.mark.parametrize(
    "corpus_file",
    [n for n, (_, c) in ALL.items() if c.get("collection", "executables") == "executables"],
    ids=[n for n, (_, c) in ALL.items() if c.get("collection", "executables") == "executables"],
    indirect=True,
)
def test_plan_of_a_bad_file_is_refused(corpus_file: tuple[Path, dict[str, object]], disk_store: Path) -> None:
    path, case = corpus_file
    result = run("plan", "--store", disk_store, path)
    assert result.exit_code == 1, result.output
    assert "matches (" not in result.output  # nothing was planned
    if case["kind"] == "malformed":
        for text in where(case, str(path)):
            assert text in result.output


def test_the_corpus_is_complete() -> None:
    """Every file of the corpus is a case, and each says what it expects."""
    files = {p.name for p in CORPUS.iterdir() if p.name != "cases.json"}
    assert files == set(CASES)
    for name, case in CASES.items():
        assert case["kind"] in ("malformed", "invalid"), name
        assert {"line", "path", "contains"} & set(case), f"{name} says nothing of where its fault is"
        if case.get("remote"):
            assert b"{port}" in (CORPUS / name).read_bytes(), name


# -- files that cannot be read, or are too large -------------------------------------------


def test_an_unreadable_file_is_exit_2(tmp_path: Path, disk_store: Path) -> None:
    unreadable = tmp_path / "unreadable.json"
    unreadable.symlink_to("/proc/self/mem")  # exists, but reading it from the start fails (EIO)
    try:
        unreadable.read_bytes()
    except OSError:
        pass
    else:  # pragma: no cover - another kernel
        pytest.skip("/proc/self/mem can be read here")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"executables": []}))
    result = run("validate", unreadable)
    assert result.exit_code == 2 and f"cannot read {unreadable}" in result.output
    before = quads(disk_store)
    result = run("ingest", "--store", disk_store, unreadable, good)
    assert result.exit_code == 2 and f"rejected {unreadable}" in result.output
    assert quads(disk_store) == before


def test_a_missing_file_is_exit_2(tmp_path: Path, disk_store: Path) -> None:
    for command in (["validate"], ["ingest", "--store", disk_store]):
        result = run(*command, tmp_path / "no-such-file.json")
        assert result.exit_code == 2, result.output


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, disk_store: Path) -> None:
    big = tmp_path / "big.json"
    entry = {"uuid": "0b5c3a4e-1111-4222-8333-944455556666", "type": "urn:types/jupyter-notebook", "title": "x" * 5000}
    big.write_text(json.dumps({"executables": [entry]}))
    result = run("validate", "--max-size", 1000, big)
    assert result.exit_code == 1 and f"{big}: the file is larger than the limit of 1000 bytes" in result.output
    before = quads(disk_store)
    result = run("ingest", "--store", disk_store, "--max-size", 1000, big)
    assert result.exit_code == 1 and "larger than the limit" in result.output
    assert quads(disk_store) == before
    read = run("validate", "--max-size", os.path.getsize(big), big)
    assert "larger than the limit" not in read.output and "violation" in read.output  # read, and judged
