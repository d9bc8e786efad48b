"""The registry on the SPARQL engines it is tested with, side by side: the embedded
store, `oxigraph serve` and Virtuoso 7. Every example executable plans alike on all
three (the JSON compared), and what only Virtuoso does is covered: its own graphs,
its rounded decimals, its blank-node labels."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from engines_support import empty_remote, open_virtuoso
from rdflib import XSD, BNode, Graph, Literal, URIRef
from support.virtuoso_server import VirtuosoServer

from registry import backup
from registry.errors import StoreValueError
from registry.planner import Planner
from registry.readers import load_path
from registry.service import Registry
from registry.store import Store, open_store
from registry.store.remote import RemoteStore
from registry.vocabulary import ESAP

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ENTRY = URIRef("urn:uuid:00000000-0000-4000-8000-0000000000e1")
VIRTUOSO_SYSTEM_GRAPH = URIRef("http://www.openlinksw.com/schemas/virtrdf#")


def _ingested(store: Store) -> Registry:
    registry = Registry(store)
    for path in sorted(EXAMPLES.glob("*.json")):
        registry.ingest(load_path(path))
    return registry


def _executables() -> list[str]:
    uuids = []
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        uuids += [entry["uuid"] for entry in document.get("executables", [])]
    return uuids


@pytest.fixture(scope="module")
def planners(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[dict[str, Planner]]:
    """The examples on the embedded store (on disk), `oxigraph serve` and Virtuoso."""
    embedded = open_store(tmp_path_factory.mktemp("embedded") / "store")
    server = request.getfixturevalue("oxigraph_server")
    served = open_store(server.query_url, update_url=server.update_url)
    served.update("DROP ALL")
    virtuoso = empty_remote(open_virtuoso(request.getfixturevalue("virtuoso_server")))
    stores = {"embedded": embedded, "oxigraph-serve": served, "virtuoso": virtuoso}
    yield {name: Planner(_ingested(store), fallback=False) for name, store in stores.items()}
    for store in stores.values():
        store.close()


@pytest.mark.parametrize("at", ["min", "max"])
@pytest.mark.parametrize("uuid", _executables())
def test_every_example_plans_alike_on_every_engine(planners: dict[str, Planner], uuid: str, at: str) -> None:
    plans = {name: planner.plan(uuid, at=at).to_dict() for name, planner in planners.items()}  # type: ignore[arg-type]
    assert plans["embedded"]["executable"] == uuid
    assert plans["oxigraph-serve"] == plans["embedded"]
    assert plans["virtuoso"] == plans["embedded"]


def test_every_example_platform_runs_alike_on_every_engine(planners: dict[str, Planner]) -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        for platform in json.loads(path.read_text(encoding="utf-8")).get("platforms", []):
            lists = {name: planner.runnable(platform["uuid"]).executables for name, planner in planners.items()}
            assert lists["virtuoso"] == lists["embedded"] == lists["oxigraph-serve"]


@pytest.fixture
def virtuoso(virtuoso_server: VirtuosoServer) -> Iterator[RemoteStore]:
    store = empty_remote(open_virtuoso(virtuoso_server))
    yield store
    store.close()


def test_virtuoso_keeps_15_fraction_digits_and_the_registry_reads_back_the_exact_decimal(virtuoso: RemoteStore) -> None:
    assert virtuoso.decimal_digits() == 15
    exact = Literal("465.6612873077392578125", datatype=XSD.decimal)  # 500 GB in GiB
    graph = Graph()
    graph.add((ENTRY, ESAP.minSizeGiB, exact))
    virtuoso.replace_graphs({ENTRY: graph})
    assert set(virtuoso.graph(ENTRY)) == {(ENTRY, ESAP.minSizeGiB, exact)}
    rows = virtuoso.select("SELECT ?size WHERE { GRAPH ?g { ?g <https://w3id.org/esap-registry/vocab#minSizeGiB> ?size } }")
    assert rows == [{"size": Decimal("465.6612873077392578125")}]
    # the engine compares the number it holds: still above 465.66, below 465.67
    held = virtuoso.query(
        "ASK { GRAPH ?g { ?g <https://w3id.org/esap-registry/vocab#minSizeGiB> ?size } FILTER(?size > 465.66 && ?size < 465.67) }"
    )
    assert held is True
    assert b'"465.6612873077392578125"' in virtuoso.dump()


def test_two_decimals_virtuoso_would_hold_as_one_are_refused(virtuoso: RemoteStore) -> None:
    graph = Graph()
    graph.add((ENTRY, ESAP.minSizeGiB, Literal("0.1000000000000001", datatype=XSD.decimal)))
    graph.add((ENTRY, ESAP.maxSizeGiB, Literal("0.1000000000000002", datatype=XSD.decimal)))
    with pytest.raises(StoreValueError, match=r"15 fraction digits: .* would be held as one number"):
        virtuoso.replace_graphs({ENTRY: graph})
    assert virtuoso.graph_names() == set()


def test_blank_nodes_are_written_and_read_back_whole(virtuoso: RemoteStore) -> None:
    graph = Graph()
    node = BNode()
    graph.add((ENTRY, ESAP.computeRequirement, node))
    graph.add((node, ESAP.nodes, Literal(2)))
    virtuoso.replace_graphs({ENTRY: graph})
    stored = virtuoso.graph(ENTRY)
    assert len(stored) == 2 and graph.isomorphic(stored)
    (blank,) = stored.objects(ENTRY, ESAP.computeRequirement)
    assert isinstance(blank, BNode)
    solutions = virtuoso.select("SELECT ?o WHERE { GRAPH ?g { ?g <https://w3id.org/esap-registry/vocab#computeRequirement> ?o } }")
    assert len(solutions) == 1 and isinstance(solutions[0]["o"], str)


def test_virtuosos_own_graphs_are_never_counted_dumped_or_dropped(virtuoso: RemoteStore, example_dump: bytes) -> None:
    everything = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert VIRTUOSO_SYSTEM_GRAPH in {URIRef(row["g"]) for row in virtuoso.select(everything)}
    assert virtuoso.graph_names() == set()  # a fresh Virtuoso holds graphs of its own, none of the registry's
    backup.restore(virtuoso, example_dump)  # not refused as "already holds graphs"
    assert backup.dump(virtuoso) == example_dump
    backup.restore(virtuoso, example_dump, replace=True)
    assert backup.dump(virtuoso) == example_dump
    held = {URIRef(row["g"]) for row in virtuoso.select(everything)}
    assert VIRTUOSO_SYSTEM_GRAPH in held  # --replace dropped only the registry's graphs
    assert not any(g.startswith("http://www.openlinksw.com/") for g in virtuoso.graph_names())
