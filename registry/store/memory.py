"""The rdflib store: an rdflib ``Dataset`` in memory, with rdflib's own SPARQL
engine. Slow at scale (it is the baseline the benchmarks compare against) but a
second, independent implementation of the interface."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef
from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.update import evalUpdate
from rdflib.query import Result

from registry.errors import QueryError
from registry.store.base import Bindings, Deadline, QueryResult, Solutions, Store, registry_graph
from registry.store.terms import to_oxigraph

__all__ = ["RdflibStore"]

# A query's FROM and FROM NAMED name graphs of the store; rdflib would otherwise fetch
# them from the web (or read them from local files). The registry never fetches.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class RdflibStore(Store):
    """An rdflib ``Dataset`` in memory."""

    backend = "rdflib"

    def __init__(self) -> None:
        self._dataset = Dataset()
        self._lock = threading.RLock()

    def query(
        self,
        query: str,
        bindings: Bindings | None = None,
        *,
        union_default_graph: bool = False,
        default_graph: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        deadline: Deadline | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        with self._lock:
            dataset = self._dataset
            if default_graph is not None or named_graphs is not None:
                dataset = self._view(default_graph, named_graphs)
            else:
                dataset.default_union = union_default_graph
            try:
                result: Result = dataset.query(query, initBindings=dict(bindings or {}), base=base_iri)
                if result.type == "ASK":
                    return bool(result.askAnswer)
                if result.type == "SELECT":
                    variables = [str(v) for v in result.vars or []]
                    rows = []
                    for row in result:
                        if deadline is not None:
                            deadline.check()
                        rows.append(tuple(row))
                    return Solutions(variables, rows)
                graph = Graph()
                for triple in result:
                    if deadline is not None:
                        deadline.check()
                    graph.add(triple)
                return graph
            except ParseException as exc:
                raise QueryError(f"malformed SPARQL: {exc}") from exc
            finally:
                self._dataset.default_union = False

    def _view(self, default_graph: Sequence[URIRef] | None, named_graphs: Sequence[URIRef] | None) -> Dataset:
        """A copy of the dataset a protocol request names: the merge of ``default_graph``
        as its default graph, and only ``named_graphs`` (all, when ``None``) as named graphs."""
        view = Dataset()
        for name in default_graph or []:
            for triple in self._dataset.graph(name):
                view.add(triple)  # a triple without a graph goes to the default graph
        names = self.graph_names() if named_graphs is None else named_graphs
        for name in names:
            target = view.graph(name)
            for triple in self._dataset.graph(name):
                target.add(triple)
        return view

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        with self._lock:
            try:
                evalUpdate(self._dataset, translateUpdate(parseUpdate(update), base=base_iri))
            except ParseException as exc:
                raise QueryError(f"malformed SPARQL Update: {exc}") from exc
        self._written(None)

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        # Check every term first (as the other backends do), then swap under the lock.
        for graph in graphs.values():
            for triple in graph:
                for term in triple:
                    to_oxigraph(term)
        with self._lock:
            for name, graph in graphs.items():
                self._dataset.remove_graph(name)
                target = self._dataset.graph(name)
                for triple in graph:
                    target.add(triple)
        self._written(graphs)

    def drop_graphs(self, names: Iterable[URIRef]) -> None:
        names = list(names)
        with self._lock:
            for name in names:
                self._dataset.remove_graph(name)
        self._written({name: Graph() for name in names})

    def graph(self, name: URIRef) -> Graph:
        with self._lock:
            result = Graph()
            for triple in self._dataset.graph(name):
                result.add(triple)
            return result

    def graph_names(self) -> set[URIRef]:
        with self._lock:
            return {
                URIRef(g.identifier)
                for g in self._dataset.graphs()
                if isinstance(g.identifier, URIRef) and len(g) and registry_graph(g.identifier)
            }

    def dump(self, format: str = "nquads") -> bytes:
        with self._lock:
            kept = Dataset()
            for s, p, o, g in self._dataset.quads():
                if registry_graph(g):
                    kept.add((s, p, o, g))
            return kept.serialize(format=format).encode("utf-8")

    def load(self, data: bytes, format: str = "nquads") -> None:
        staging = Dataset()
        staging.parse(data=data, format=format)
        with self._lock:
            for s, p, o, g in staging.quads():
                self._dataset.add((s, p, o, g))
        self._written(None)

