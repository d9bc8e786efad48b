"""Backups: ``dump`` and ``restore`` round-trip the store exactly on every backend, and a
malformed or misplaced dump is refused with its line and stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from registry import backup
from registry.cli.main import cli
from registry.errors import InputError, StoreNotEmpty
from registry.store import Store, open_store
from registry.vocabulary import SHAPES_GRAPH, VOCABULARY_GRAPH

BACKUP_DATA = Path(__file__).resolve().parent / "data" / "backup"


def _empty(store: Store) -> None:
    store.drop_graphs(store.graph_names())
    assert store.graph_names() == set()


@pytest.mark.parametrize("fmt", ["nquads", "trig"], ids=["nquads", "trig"])
def test_dump_restore_dump_is_identical(store: Store, example_dump: bytes, fmt: str) -> None:
    backup.restore(store, example_dump, "nquads")
    first = backup.dump(store, fmt)
    names = store.graph_names()
    assert {VOCABULARY_GRAPH, SHAPES_GRAPH} <= names and len(names) > 10
    _empty(store)
    count = backup.restore(store, first, fmt)
    assert backup.dump(store, fmt) == first
    assert store.graph_names() == names
    assert count == len(example_dump.splitlines())  # every quad, none lost, none added
    # The same bytes through another backend: the dump does not depend on where it was made.
    other = open_store("memory")
    backup.restore(other, first, fmt)
    assert backup.dump(other, fmt) == first
    other.close()


def test_blank_nodes_survive_the_round_trip(store: Store, example_dump: bytes) -> None:
    backup.restore(store, example_dump, "nquads")
    shapes = store.graph(SHAPES_GRAPH)
    blank = sum(1 for triple in shapes if any(type(t).__name__ == "BNode" for t in triple))
    assert blank > 50  # the shapes' property lists and paths are blank nodes
    again = open_store("memory")
    backup.restore(again, backup.dump(store, "trig"), "trig")
    assert again.graph(SHAPES_GRAPH).isomorphic(shapes)
    again.close()


_ANY_REGISTRY_QUAD = """ASK { GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "urn:uuid:") || STRSTARTS(STR(?g), "https://w3id.org/esap-registry/graph/")) }"""


@pytest.mark.parametrize(
    ("name", "fmt", "line"),
    [("malformed.nq", "nquads", 3), ("malformed.trig", "trig", 7)],
    ids=["nquads-line-3", "trig-line-7"],
)
def test_a_malformed_dump_is_refused_with_its_line_and_stores_nothing(store: Store, name: str, fmt: str, line: int) -> None:
    data = (BACKUP_DATA / name).read_bytes()
    with pytest.raises(InputError) as caught:
        backup.restore(store, data, fmt, source=name)
    assert caught.value.line == line and caught.value.source == name
    assert f"{name}:{line}:" in str(caught.value)
    assert store.graph_names() == set()
    # nothing in any graph of the registry (a store's own graphs, Virtuoso's, are not its)
    assert store.query(_ANY_REGISTRY_QUAD) is False


def test_a_triple_in_the_default_graph_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="default graph"):
        backup.restore(store, (BACKUP_DATA / "default-graph.nq").read_bytes(), "nquads")
    assert store.graph_names() == set()


def test_a_non_empty_store_is_refused_unless_replaced(store: Store, example_dump: bytes) -> None:
    small = (BACKUP_DATA / "malformed.nq").read_bytes().splitlines()[:2]
    backup.restore(store, b"\n".join(small) + b"\n", "nquads")
    before = backup.dump(store)
    with pytest.raises(StoreNotEmpty, match="--replace"):
        backup.restore(store, example_dump, "nquads")
    assert backup.dump(store) == before
    backup.restore(store, example_dump, "nquads", replace=True)
    assert backup.dump(store) == example_dump  # the old graph is gone, the dump is all there is


# -- the command line ------------------------------------------------------------------------


def test_cli_dump_and_restore_round_trip(runner: CliRunner, tmp_path: Path, examples_dir: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    assert runner.invoke(cli, ["ingest", "-q", "--store", str(source), str(examples_dir)]).exit_code == 0
    for ending in ("nq", "trig"):
        dumped = tmp_path / f"backup.{ending}"
        result = runner.invoke(cli, ["dump", "--store", str(source), "--output", str(dumped)])
        assert result.exit_code == 0, result.output
        fresh = tmp_path / f"target-{ending}"
        result = runner.invoke(cli, ["restore", "--store", str(fresh), str(dumped)])
        assert result.exit_code == 0, result.output
        again = runner.invoke(cli, ["dump", "--store", str(fresh), "--format", "nquads"])
        original = runner.invoke(cli, ["dump", "--store", str(source)])
        assert again.exit_code == 0 and again.stdout_bytes == original.stdout_bytes
        assert b"<https://w3id.org/esap-registry/graph/vocabulary> ." in again.stdout_bytes
    # Into a store that holds graphs: refused (exit 1), then replaced with --replace.
    dumped = tmp_path / "backup.nq"
    assert runner.invoke(cli, ["ingest", "-q", "--store", str(target), str(examples_dir / "platforms.json")]).exit_code == 0
    refused = runner.invoke(cli, ["restore", "--store", str(target), str(dumped)])
    assert refused.exit_code == 1 and "--replace" in refused.stderr
    replaced = runner.invoke(cli, ["restore", "--replace", "--store", str(target), str(dumped)])
    assert replaced.exit_code == 0, replaced.output
    assert runner.invoke(cli, ["dump", "--store", str(target)]).stdout_bytes == dumped.read_bytes()


def test_cli_refuses_a_malformed_dump_with_its_line(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "target"
    result = runner.invoke(cli, ["restore", "--store", str(target), str(BACKUP_DATA / "malformed.nq")])
    assert result.exit_code == 1
    assert "malformed.nq:3:168: not well-formed nquads" in result.stderr
    listing = runner.invoke(cli, ["dump", "--store", str(target)])
    assert listing.exit_code == 0 and listing.stdout_bytes == b""


def test_cli_needs_a_known_ending_or_format(runner: CliRunner, tmp_path: Path) -> None:
    odd = tmp_path / "backup.txt"
    odd.write_bytes((BACKUP_DATA / "default-graph.nq").read_bytes())
    result = runner.invoke(cli, ["restore", "--store", "memory", str(odd)])
    assert result.exit_code == 1 and "--format" in result.stderr
