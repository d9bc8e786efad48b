"""The store interface, on every backend: atomic replace, delete, bindings,
dump and load."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from registry.errors import InputError, QueryError
from registry.resources import load_query
from registry.store import Solutions, Store
from registry.vocabulary import ESAP

A = URIRef("urn:uuid:00000000-0000-4000-8000-00000000000a")
B = URIRef("urn:uuid:00000000-0000-4000-8000-00000000000b")


def entry(iri: URIRef, title: str, extra: int = 0) -> Graph:
    graph = Graph()
    graph.add((iri, ESAP.title, Literal(title)))
    graph.add((iri, ESAP.uuid, Literal(str(iri).removeprefix("urn:uuid:"))))
    for i in range(extra):
        graph.add((URIRef(f"{iri}#x-{i}"), ESAP.nodes, Literal(i)))
    return graph


def test_replace_graphs_stores_each_graph_whole(store: Store) -> None:
    store.replace_graphs({A: entry(A, "a", extra=3), B: entry(B, "b")})
    assert store.graph_names() >= {A, B}
    assert len(store.graph(A)) == 5
    assert set(store.graph(B)) == set(entry(B, "b"))


def test_replace_removes_what_the_new_version_no_longer_says(store: Store) -> None:
    store.replace_graphs({A: entry(A, "old", extra=3)})
    store.replace_graphs({A: entry(A, "new")})
    assert set(store.graph(A)) == set(entry(A, "new"))


def test_a_bad_term_stores_nothing_and_changes_nothing(store: Store) -> None:
    store.replace_graphs({A: entry(A, "kept")})
    bad = entry(B, "b")
    bad.add((URIRef("urn:has space"), ESAP.title, Literal("x")))
    with pytest.raises(InputError, match="not a valid IRI"):
        store.replace_graphs({A: entry(A, "changed"), B: bad})
    assert set(store.graph(A)) == set(entry(A, "kept"))
    assert len(store.graph(B)) == 0


def test_drop_graphs_removes_everything_of_an_entry(store: Store) -> None:
    store.replace_graphs({A: entry(A, "a", extra=2), B: entry(B, "b")})
    store.drop_graphs([A])
    assert len(store.graph(A)) == 0
    assert A not in store.graph_names()
    assert len(store.graph(B)) == 2


def test_queries_take_bindings_not_text(store: Store) -> None:
    store.replace_graphs({A: entry(A, "a"), B: entry(B, "b")})
    injected = Literal('a" } ; DROP ALL ; { "')
    solutions = store.query(load_query("entry-kind"), {"entry": A})
    assert isinstance(solutions, Solutions) and solutions.rows == []  # untyped entries are no executables
    titles = store.query(
        "SELECT ?g ?title WHERE { GRAPH ?g { ?g <https://w3id.org/esap-registry/vocab#title> ?title } }", {"title": Literal("b")}
    )
    assert isinstance(titles, Solutions) and titles.values("g") == [B]
    nothing = store.query(
        "SELECT ?g ?title WHERE { GRAPH ?g { ?g <https://w3id.org/esap-registry/vocab#title> ?title } }", {"title": injected}
    )
    assert isinstance(nothing, Solutions) and nothing.rows == []
    assert len(store.graph(A)) == 2


def test_union_default_graph_and_result_kinds(store: Store) -> None:
    store.replace_graphs({A: entry(A, "a")})
    assert store.query("ASK { ?s ?p ?o }") is False
    assert store.query("ASK { ?s ?p ?o }", union_default_graph=True) is True
    # a remote store's write stamps (its graph of revisions) are bookkeeping, not data
    constructed = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/esap-registry/graph/revisions>) }"
    )
    assert isinstance(constructed, Graph) and set(constructed) == set(entry(A, "a"))


def test_malformed_queries_raise_query_error(store: Store) -> None:
    with pytest.raises(QueryError):
        store.query("SELECT WHERE {")
    with pytest.raises(QueryError):
        store.update("INSERT DATA {")


def test_dump_and_load_round_trip(store: Store, tmp_path: object) -> None:
    from registry.store import open_store

    store.replace_graphs({A: entry(A, "a", extra=2), B: entry(B, "b")})
    dumped = store.dump("nquads")
    copy = open_store("memory")
    copy.load(dumped, "nquads")
    assert copy.graph_names() == store.graph_names()
    for name in (A, B):
        assert set(copy.graph(name)) == set(store.graph(name))
