"""The one small interface every store backend implements.

Entries live in named graphs (one per executable or platform, named by its
IRI); the vocabulary and the shapes have graphs of their own. The registry's
queries name the graphs they read with ``GRAPH`` patterns, so they run the same
on every backend. Values reach queries as bindings, never as query text.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from rdflib import Graph, URIRef
from rdflib.term import Identifier, Literal

from registry.errors import QueryError, QueryTimeout, RegistryError

__all__ = ["REGISTRY_GRAPH_SPACE", "Bindings", "Watcher", "Deadline", "QueryResult", "Solutions", "Store", "registry_graph", "untold"]

#: Variable name (without ``?``) -> the RDF term it is bound to.
Bindings = Mapping[str, Identifier]


@dataclass
class Solutions:
    """The solutions of a SELECT query, with rdflib terms (``None`` where unbound)."""

    variables: list[str]
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Identifier | None]]:
        for row in self.rows:
            yield dict(zip(self.variables, row, strict=True))

    def __len__(self) -> int:
        return len(self.rows)

    def values(self, variable: str) -> list[Identifier | None]:
        """Every value of one variable, in order."""
        index = self.variables.index(variable)
        return [row[index] for row in self.rows]

    def python(self) -> list[dict[str, Any]]:
        """The rows with literals as Python values and IRIs as strings."""
        return [{k: _python(v) for k, v in row.items()} for row in self]


def _python(term: Identifier | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


QueryResult = Solutions | bool | Graph

#: The names of the graphs the registry owns start with one of these: its entries
#: (``urn:uuid:<uuid>``) and its vocabulary, shapes and bookkeeping graphs. A store may
#: hold graphs of its own (Virtuoso's system graphs): the registry counts, dumps,
#: restores and drops only its own, on every backend.
REGISTRY_GRAPH_SPACE = ("urn:uuid:", "https://w3id.org/esap-registry/graph/")
#: The graphs where a remote store keeps its write stamps and its exact decimals, and the
#: planner's index (derived from the platforms on every write): the registry's, but
#: bookkeeping, never dumped or listed.
_BOOKKEEPING = frozenset(
    {
        "https://w3id.org/esap-registry/graph/revisions",
        "https://w3id.org/esap-registry/graph/decimals",
        "https://w3id.org/esap-registry/graph/planning",
        "https://w3id.org/esap-registry/graph/planning-classes",
        "https://w3id.org/esap-registry/graph/planning-needs",
    }
)


def registry_graph(name: object) -> bool:
    """Whether a graph's name is in the registry's IRI space (and not one of its bookkeeping graphs)."""
    text = str(name)
    return isinstance(name, (URIRef, str)) and text.startswith(REGISTRY_GRAPH_SPACE) and text not in _BOOKKEEPING


class Deadline:
    """A time limit for one query, checked while its results are read.

    :param seconds: how long the query may run, from now.
    """

    __slots__ = ("at", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def expired(self) -> bool:
        """True once the time is up."""
        return time.monotonic() >= self.at

    def check(self) -> None:
        """Stop the query when the time is up.

        :raises QueryTimeout: when the deadline has passed.
        """
        if time.monotonic() >= self.at:
            raise QueryTimeout(self.seconds)


#: Set while watchers are told of a write, so that their own writes are not told again.
_telling = threading.local()


@contextmanager
def untold() -> Iterator[None]:
    """Writes made inside the block (on this thread) are not told to any watcher: what a
    watcher derives, written outside a write (the planning index derived when a registry
    opens), must not set it deriving again."""
    if getattr(_telling, "active", False):
        yield
        return
    _telling.active = True
    try:
        yield
    finally:
        _telling.active = False

#: A watcher of writes (see :meth:`Store.watch`).
Watcher = Callable[["Store", "Mapping[URIRef, Graph] | None"], None]

_Kept = TypeVar("_Kept")


class Store(ABC):
    """A quad store holding the registry."""

    #: A short name of the backend, for messages and benchmarks.
    backend: str = "store"

    #: Whether reads gain by running at once from several threads: the engine answers
    #: queries side by side and lets go of Python's lock meanwhile (pyoxigraph; a
    #: server). The planner then runs its independent queries together
    #: (:func:`registry.runtime.gather`).
    parallel_reads: bool = False

    #: Whether every write to the data is made through this object, so that what is
    #: derived from the data holds until this object writes (:meth:`kept`): true of a
    #: store in this process; a server may be written to by others.
    sole_writer: bool = True

    #: What is told of each write (see :meth:`watch`).
    _watchers: tuple[Watcher, ...] = ()

    #: How many writes this object has made, and what was kept at which (see :meth:`kept`).
    _revision: int = 0
    _held: dict[str, tuple[int, Any]]

    def kept(self, key: str, make: Callable[[], _Kept]) -> _Kept:
        """``make()``'s value, made once and kept until this object's next write: a
        value derived from the data alone (what the planner shows of every platform),
        never stale. A store others may write to (``sole_writer`` false) makes it afresh
        on every call.

        :raises: whatever ``make`` raises; nothing is kept then.
        """
        if not self.sole_writer:
            return make()
        revision = self._revision  # read before making: a write meanwhile leaves it stale
        held = self.__dict__.setdefault("_held", {}).get(key)
        if held is not None and held[0] == revision:
            return held[1]  # type: ignore[no-any-return]
        value = make()
        self._held[key] = (revision, value)
        return value

    def watch(self, watcher: Watcher) -> None:
        """Have ``watcher(store, written)`` called after every write this object makes:
        ``written`` maps each named graph replaced to its new triples (an empty graph:
        dropped), or is ``None`` when any graph may have changed (a SPARQL Update, a load).
        A watcher keeps something derived from the graphs in step (the planner's index);
        its own writes to the store are not told to it again. Watching twice is watching once.
        """
        if watcher not in self._watchers:
            self._watchers = (*self._watchers, watcher)

    def _written(self, written: Mapping[URIRef, Graph] | None) -> None:
        """Tell the watchers of a write that has succeeded (backends call this last in
        ``replace_graphs``, ``drop_graphs``, ``update`` and ``load``), and let go of
        what was :meth:`kept` (this and the watchers' own writes each count as one)."""
        self._revision += 1
        if self._watchers and not getattr(_telling, "active", False):
            _telling.active = True
            try:
                for watcher in self._watchers:
                    watcher(self, written)
            finally:
                _telling.active = False

    @abstractmethod
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
        """Run a SPARQL query.

        :param query: the query text (from ``queries/``, or a user's).
        :param bindings: values for variables of the query.
        :param union_default_graph: let the default graph be the union of all graphs.
        :param default_graph: the graphs whose merge is the default graph (the SPARQL
            Protocol's ``default-graph-uri``); overrides ``union_default_graph`` and the
            query's own ``FROM``.
        :param named_graphs: the only named graphs ``GRAPH`` sees (``named-graph-uri``);
            ``None`` for all of them.
        :param deadline: stop the query when it passes, checked while results are read.
        :param base_iri: the IRI relative IRIs of the query resolve against (the SPARQL
            endpoint's own URL for users' queries); ``None``: relative IRIs are an error.
        :returns: :class:`Solutions` for SELECT, ``bool`` for ASK, a ``Graph`` for CONSTRUCT/DESCRIBE.
        :raises QueryError: when the query is malformed.
        :raises QueryTimeout: when the deadline passes before every result is read.
        :raises StoreError: when the store fails.
        """

    @abstractmethod
    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update, atomically.

        :param base_iri: the IRI relative IRIs of the update resolve against, as in ``query``.

        :raises QueryError: when the update is malformed.
        :raises StoreError: when the store fails.
        """

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace each named graph by the given triples, all in one atomic step:
        afterwards every graph holds exactly the new triples, or (on failure) none changed.

        :raises StoreError: when the store fails; nothing is changed then.
        """

    @abstractmethod
    def drop_graphs(self, names: Iterable[URIRef]) -> None:
        """Remove named graphs and all their triples, atomically."""

    @abstractmethod
    def graph(self, name: URIRef) -> Graph:
        """The triples of one named graph (empty when there is none)."""

    @abstractmethod
    def graph_names(self) -> set[URIRef]:
        """The names of every non-empty named graph of the registry (see :func:`registry_graph`)."""

    @abstractmethod
    def dump(self, format: str = "nquads") -> bytes:
        """Every quad of the registry's graphs (see :func:`registry_graph`), as N-Quads or TriG."""

    @abstractmethod
    def load(self, data: bytes, format: str = "nquads") -> None:
        """Add every quad of an N-Quads or TriG document, atomically."""

    def select(self, query: str, bindings: Bindings | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query and give its rows as plain Python values: IRIs and blank
        nodes as ``str``; literals as ``int``, ``Decimal``, ``float``, ``bool`` or ``str``;
        unbound variables as ``None``. Backends override it when they can skip building
        rdflib terms (the planner reads thousands of rows a plan).

        :raises QueryError: when the query is malformed or not a SELECT.
        :raises StoreError: when the store fails.
        """
        result = self.query(query, bindings)
        if not isinstance(result, Solutions):
            raise QueryError("select() takes a SELECT query")
        return result.python()

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
        """A SELECT query's solutions already written in a SPARQL 1.1 results format
        (``json``, ``xml``, ``csv`` or ``tsv``), for backends that write them natively
        (the SPARQL endpoint's fast path); ``None`` from the others, and for a query that
        turns out not to be a SELECT, which is then run with ``query``. The dataset
        arguments, the deadline and the base IRI are those of ``query``.

        :raises QueryError: when the query is malformed.
        :raises QueryTimeout: when the deadline passes.
        :raises StoreError: when the store fails.
        """
        return None

    def cached_view(self, names: Iterable[URIRef]) -> Store:
        """A store holding the named graphs given, for queries that read nothing else.

        Backends that can keep a faster in-process copy of those graphs, in step with
        their own writes, return it; the others return themselves.

        :raises StoreError: when the store fails.
        """
        return self

    def close(self) -> None:
        """Release the store (flush and unlock files)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.close()
            return
        try:
            self.close()
        except RegistryError:
            pass  # the error that ended the block is the one to report, not a failed flush after it
