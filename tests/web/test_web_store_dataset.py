"""The Store interface's dataset and deadline arguments, which the SPARQL endpoint uses,
on every backend."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from registry.errors import QueryError, QueryTimeout
from registry.sparql import run_query
from registry.store import Solutions, Store
from registry.store.base import Deadline

# graphs named as the registry names its entries' (a store's own graphs are not listed)
A, B = URIRef("urn:uuid:00000000-0000-4000-8000-0000000000aa"), URIRef("urn:uuid:00000000-0000-4000-8000-0000000000bb")
P = URIRef("urn:test:p")
VALUES = "SELECT ?o WHERE { ?s <urn:test:p> ?o } ORDER BY ?o"
#: The data graphs (a remote store also holds its write stamps, in a graph of revisions).
GRAPHS = (
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:uuid:')) }"
    " ORDER BY ?g"
)


@pytest.fixture
def filled(store: Store) -> Store:
    graphs = {}
    for name, value in ((A, "a"), (B, "b")):
        graph = Graph()
        graph.add((URIRef("urn:test:s"), P, Literal(value)))
        graphs[name] = graph
    store.replace_graphs(graphs)
    return store


def values(result: object, variable: str) -> list[str]:
    assert isinstance(result, Solutions)
    return [str(v) for v in result.values(variable)]


def test_union_default_graph(filled: Store) -> None:
    assert values(filled.query(VALUES, union_default_graph=True), "o") == ["a", "b"]
    # the default graph alone is empty, but on engines whose default graph is the union of
    # every graph (Virtuoso: the registry's own queries name their graphs with GRAPH)
    if getattr(filled, "union_graph", None) not in ("default", "registry"):
        assert values(filled.query(VALUES), "o") == []


def test_default_graph_argument(filled: Store) -> None:
    assert values(filled.query(VALUES, default_graph=[A]), "o") == ["a"]
    assert values(filled.query(VALUES, default_graph=[A, B]), "o") == ["a", "b"]
    assert values(filled.query(VALUES, default_graph=[]), "o") == []


def test_named_graphs_argument(filled: Store) -> None:
    assert values(filled.query(GRAPHS, named_graphs=[B]), "g") == [str(B)]
    assert values(filled.query(GRAPHS, named_graphs=[]), "g") == []
    assert values(filled.query(GRAPHS), "g") == [str(A), str(B)]


def test_from_in_the_query_wins_over_the_union(filled: Store) -> None:
    query = "SELECT ?o FROM <urn:uuid:00000000-0000-4000-8000-0000000000bb> WHERE { ?s <urn:test:p> ?o }"
    assert values(run_query(filled, query), "o") == ["b"]
    assert values(run_query(filled, VALUES), "o") == ["a", "b"]
    assert values(run_query(filled, VALUES, default_graph=[A], named_graphs=[]), "o") == ["a"]


def test_an_expired_deadline_stops_the_query(filled: Store) -> None:
    deadline = Deadline(0.0)
    with pytest.raises(QueryTimeout):
        filled.query(VALUES, union_default_graph=True, deadline=deadline)
    assert values(filled.query(VALUES, union_default_graph=True, deadline=Deadline(60)), "o") == ["a", "b"]


def test_run_query_refuses_updates_and_service(filled: Store) -> None:
    with pytest.raises(QueryError, match="Update"):
        run_query(filled, "DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="SERVICE"):
        run_query(filled, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    assert len(values(run_query(filled, VALUES), "o")) == 2
