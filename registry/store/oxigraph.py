"""The embedded store: pyoxigraph, on disk (the default) or in memory."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from registry.errors import QueryError, StoreError, StoreLocked
from registry.store.base import Bindings, Deadline, QueryResult, Solutions, Store, registry_graph
from registry.store.terms import from_oxigraph, insert_data, quads, to_oxigraph

__all__ = ["OxigraphStore"]

_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


_RESULTS_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def _dataset(
    union_default_graph: bool, default_graph: Sequence[URIRef] | None, named_graphs: Sequence[URIRef] | None
) -> dict[str, Any]:
    """pyoxigraph's keyword arguments for the dataset a query runs on."""
    dataset: dict[str, Any] = {}
    if default_graph is not None:
        dataset["default_graph"] = [to_oxigraph(g) for g in default_graph]
    elif union_default_graph:
        dataset["use_default_graph_as_union"] = True
    if named_graphs is not None:
        dataset["named_graphs"] = [to_oxigraph(g) for g in named_graphs]
    return dataset


class _DeadlineWriter(io.BytesIO):
    """A buffer that raises ``QueryTimeout`` when written to after its deadline."""

    def __init__(self, deadline: Deadline | None) -> None:
        super().__init__()
        self.deadline = deadline

    def write(self, data: Any) -> int:
        if self.deadline is not None:
            self.deadline.check()
        return super().write(data)


class OxigraphStore(Store):
    """A pyoxigraph store.

    A store whose directory cannot be written (a read-only file system, a directory
    without write permission) is opened read-only: it answers queries, and every
    write raises :class:`StoreError` naming the directory.

    :param path: the store's directory, created when missing; ``None`` keeps it in memory.
    :raises StoreError: when the directory cannot be opened (locked by another process,
        not a store, or read-only and not a store yet).
    """

    #: pyoxigraph answers queries side by side, without Python's lock.
    parallel_reads = True

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.backend = "oxigraph" if path else "oxigraph-memory"
        self.read_only = False
        self._write_lock = threading.Lock()
        # Cached views (on disk only): in-memory copies of named graphs, by the names they
        # hold, kept in step with every write made through this object.
        self._views: dict[frozenset[URIRef], OxigraphStore] = {}
        try:
            if path is not None:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path)) if _writable(path) else self._open_read_only(path)
            else:
                self._store = ox.Store()
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked(path, str(exc)) from exc
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    def _open_read_only(self, path: Path) -> ox.Store:
        if not (path / "CURRENT").is_file():
            raise StoreError(f"cannot open the store at {path}: the directory is read-only and holds no store")
        self.read_only = True
        return ox.Store.read_only(str(path))

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is read-only (its directory cannot be written): nothing was written")

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
        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()}
        dataset = _dataset(union_default_graph, default_graph, named_graphs)
        try:
            # pyoxigraph evaluates lazily: the deadline is checked as each result is read.
            result = self._store.query(query, substitutions=substitutions or None, base_iri=base_iri, **dataset)
            if deadline is not None:
                deadline.check()
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                rows = []
                for solution in result:
                    if deadline is not None:
                        deadline.check()
                    rows.append(tuple(from_oxigraph(solution[i]) for i in range(len(variables))))
                return Solutions(variables, rows)
            graph = Graph()
            for triple in result:
                if deadline is not None:
                    deadline.check()
                graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate), from_oxigraph(triple.object)))
            return graph
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"the store failed to answer a query: {exc}") from exc
        finally:
            # pyoxigraph's lazy results may only be dropped on the thread that made them:
            # drop them here, not wherever an error's traceback (which holds this frame) ends up.
            result = solution = triple = None  # noqa: F841

    def select_results(
        self,
        query: str,
        format: str,
        *,
        union_default_graph: bool = False,
        default_graph: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        deadline: Deadline | None = None,
        base_iri: str | None = None,
    ) -> bytes | None:
        results_format = _RESULTS_FORMATS.get(format)
        if results_format is None:
            return None
        dataset = _dataset(union_default_graph, default_graph, named_graphs)
        try:
            result = self._store.query(query, base_iri=base_iri, **dataset)
            if not isinstance(result, ox.QuerySolutions):
                return None
            # pyoxigraph writes the results itself, lazily, through a buffer: the deadline
            # is checked at each write to it, which stops a runaway query there.
            output = _DeadlineWriter(deadline)
            result.serialize(output, format=results_format)
            return output.getvalue()
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"the store failed to answer a query: {exc}") from exc
        finally:
            result = None  # noqa: F841  (dropped on this thread, as in query)

    def select(self, query: str, bindings: Bindings | None = None) -> list[dict[str, Any]]:
        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()}
        try:
            result = self._store.query(query, substitutions=substitutions or None)
            if not isinstance(result, ox.QuerySolutions):
                raise QueryError("select() takes a SELECT query")
            names = [v.value for v in result.variables]
            python = _python
            return [dict(zip(names, [python(term) for term in solution], strict=True)) for solution in result]
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"the store failed to answer a query: {exc}") from exc

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        # Any graph may change: the planning view is rebuilt when next asked for.
        self._update(update, forget_view=True, base_iri=base_iri)
        self._written(None)

    def _update(
        self,
        update: str,
        *,
        forget_view: bool,
        view_graphs: Mapping[URIRef, Graph] | None = None,
        base_iri: str | None = None,
    ) -> None:
        self._check_writable()
        with self._write_lock:
            try:
                self._store.update(update, base_iri=base_iri)
            except SyntaxError as exc:
                raise QueryError(str(exc)) from exc
            except OSError as exc:
                raise StoreError(f"the store failed to write: {exc}") from exc
            finally:
                if forget_view:
                    self._views = {}
            if view_graphs is not None:
                self._update_view(view_graphs)

    def _update_view(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Keep the cached views in step with graphs just replaced (an empty graph:
        dropped): each view's copies of the graphs it holds. Called under the write lock."""
        for names, view in self._views.items():
            held = {name: graph for name, graph in graphs.items() if name in names}
            if held:
                view._replace(held, list(held))

    def _replace(self, graphs: Mapping[URIRef, Graph], held: Sequence[URIRef]) -> None:
        """Replace graphs, of which only ``held`` may exist already, in one atomic step: one
        ``Store.extend`` when none does, else one SPARQL update dropping those first.
        Called under the write lock (or on a planning view, under its store's).

        :raises InputError: when a term is not valid RDF; nothing is written then.
        :raises StoreError: when the store fails; nothing is written then.
        """
        try:
            if held:
                self._store.update(insert_data(graphs, drop=held))
            else:
                self._store.extend(quads(graphs))
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"the store failed to write: {exc}") from exc

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace named graphs in one atomic step: when none of them exists yet (checked
        under the write lock; the embedded store is this process's alone), their quads
        are added with one transactional ``Store.extend``; else one SPARQL update drops the
        existing ones and inserts every graph.

        :raises InputError: when a term is not valid RDF; nothing is written then.
        :raises StoreError: when the store is read-only or fails; nothing is written then.
        """
        if not graphs:
            return
        self._check_writable()
        with self._write_lock:
            try:
                held = [name for name in graphs if self._store.contains_named_graph(to_oxigraph(name))]
            except OSError as exc:
                raise StoreError(f"the store failed to answer a query: {exc}") from exc
            self._replace(graphs, held)
            self._update_view(graphs)
        self._written(graphs)

    def drop_graphs(self, names: Iterable[URIRef]) -> None:
        names = list(names)
        if names:
            dropped = {name: Graph() for name in names}
            self._update(insert_data({}, drop=names), forget_view=False, view_graphs=dropped)
            self._written(dropped)

    def cached_view(self, names: Iterable[URIRef]) -> Store:
        """In memory, the store itself; on disk, an in-memory copy of the named graphs
        given, made on first use and kept in step with :meth:`replace_graphs` and
        :meth:`drop_graphs` (a SPARQL Update or a load discards it, to be copied afresh).
        Queries that read only those graphs read memory, not the disk: 3–8× faster.

        :raises StoreError: when the store fails while the copy is made.
        """
        if self.path is None:
            return self
        key = frozenset(names)
        view = self._views.get(key)
        if view is not None:
            return view
        with self._write_lock:
            if key not in self._views:
                copy = OxigraphStore(None)
                try:
                    for name in key:
                        copy._store.bulk_extend(self._store.quads_for_pattern(None, None, None, to_oxigraph(name)))
                except OSError as exc:
                    raise StoreError(f"the store failed to answer a query: {exc}") from exc
                self._views[key] = copy
            return self._views[key]

    def graph(self, name: URIRef) -> Graph:
        graph = Graph()
        for quad in self._store.quads_for_pattern(None, None, None, to_oxigraph(name)):
            graph.add((from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)))
        return graph

    def graph_names(self) -> set[URIRef]:
        return {
            URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode) and registry_graph(g.value)
        }

    def dump(self, format: str = "nquads") -> bytes:
        names = list(self._store.named_graphs())
        if all(isinstance(g, ox.NamedNode) and registry_graph(g.value) for g in names) and not self._has_default_graph():
            return self._store.dump(format=_FORMATS[format])
        # Graphs that are not the registry's (written by a user's SPARQL Update) are left out.
        kept = (q for q in self._store if isinstance(q.graph_name, ox.NamedNode) and registry_graph(q.graph_name.value))
        return ox.serialize(kept, format=_FORMATS[format]) or b""

    def _has_default_graph(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None

    def load(self, data: bytes, format: str = "nquads") -> None:
        self._check_writable()
        with self._write_lock:
            self._views = {}
            try:
                self._store.load(data, format=_FORMATS[format])
            except SyntaxError as exc:
                raise QueryError(f"not well-formed {format}: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"the store failed to write: {exc}") from exc
        self._written(None)

    def close(self) -> None:
        self._views = {}
        if self.path is not None and not self.read_only:
            try:
                self._store.flush()
            except OSError as exc:
                raise StoreError(f"the store failed to flush: {exc}") from exc
        del self._store


def _writable(path: Path) -> bool:
    """Whether the store's directory can be written: not on a read-only file system,
    and writable by this process."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return False
    except OSError:
        return True  # let pyoxigraph report what is wrong
    return os.access(path, os.W_OK)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_READERS: dict[str, Callable[[str], Any]] = {
    _XSD + "integer": int,
    _XSD + "int": int,
    _XSD + "long": int,
    _XSD + "decimal": Decimal,
    _XSD + "double": float,
    _XSD + "float": float,
    _XSD + "boolean": lambda value: value in ("true", "1"),
}


def _python(term: object, _literal: type = ox.Literal, _named: type = ox.NamedNode) -> Any:
    """A pyoxigraph term as a plain Python value, without building rdflib terms."""
    kind = type(term)
    if kind is _named:
        return term.value  # type: ignore[attr-defined]
    if kind is _literal:
        reader = _READERS.get(term.datatype.value)  # type: ignore[attr-defined]
        return reader(term.value) if reader else term.value  # type: ignore[attr-defined]
    if term is None:
        return None
    return term.value  # type: ignore[attr-defined]
