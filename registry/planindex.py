"""The planning index: what the planner's queries read of each platform, derived from
the platforms' graphs and the vocabulary (``queries/planning-refresh.rq`` says what it
holds) into one named graph, :data:`~registry.vocabulary.PLANNING_GRAPH`, and its
planning classes into another, :data:`~registry.vocabulary.PLANNING_CLASSES_GRAPH`.

The index is never edited by hand and never stale: :func:`watch` has the store tell
:func:`on_write` of every write it makes (an ingest, a replacement, a deletion, a SPARQL
Update, a restore), which derives afresh the entries of the graphs written, or the whole
index when any graph may have changed. :func:`ensure` checks, once per registry, that the
index covers every platform and was derived by this version of the query, and derives it
afresh otherwise (after data loaded behind the registry's back, say). The index is
bookkeeping: never dumped, listed or backed up; a restore derives it again.

Platforms whose planning facts are all alike (storage, accepted types, node pools, data
held) form a planning class (``planning-facts.rq`` says why): the index holds each
class once, with the number of its platforms, and links each platform to its class, so
that the planner's queries work once per class and list platforms only where they
show them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Identifier

from registry.errors import StoreError, StoreValueError
from registry.resources import load_query
from registry.store.base import Store, registry_graph, untold
from registry.store.terms import ROWS_PER_TABLE, chunks, fill, number_literal, number_text
from registry.vocabulary import ESAP, VOCABULARY_GRAPH

__all__ = ["CLASS_BASE", "ensure", "on_write", "refresh", "stale", "version", "watch"]

#: The queries that derive the index; its version is a digest of them.
_DERIVING = ("planning-refresh", "planning-unlink", "planning-facts", "planning-classes", "planning-members", "planning-verify")

#: Where the IRIs of planning classes start (the rest is a digest of the class's facts).
CLASS_BASE = "https://w3id.org/esap-registry/planning/class/"


def version() -> str:
    """The version of the index: a digest of the queries that derive it."""
    digest = hashlib.sha256()
    for name in _DERIVING:
        digest.update(load_query(name).encode("utf-8"))
    return digest.hexdigest()[:16]


def refresh(store: Store, names: Iterable[URIRef] | None = None) -> None:
    """Derive afresh the index entries of the graphs named (every platform's, when
    ``names`` is None): their entries in one update, then their planning classes, which
    are checked (:func:`_unequal`); a class found unequal has the whole index derived
    afresh, once.

    :raises StoreError: when the store fails.
    :raises StoreValueError: when the classes are still unequal after that.
    """
    with untold():  # the index's own writes are not writes to follow
        _checked(store, names)


def _checked(store: Store, names: Iterable[URIRef] | None) -> None:
    touched = _refresh(store, names)
    if not _unequal(store, touched):
        return
    _refresh(store, None)
    unequal = _unequal(store, None)
    if unequal:
        raise StoreValueError(
            f"{getattr(store, 'engine', None) or type(store).__name__} kept the planning classes unequal to their platforms "
            f"after the whole index was derived afresh (queries/planning-verify.rq): {', '.join(sorted(unequal)[:3])}"
        )


def _unequal(store: Store, classes: list[URIRef] | None) -> set[str]:
    """The classes (of ``classes``; every class, when None) whose platforms, count of
    them, pools and count of pools differ (``planning-verify.rq``)."""
    found: dict[str, dict[str, Any]] = {}
    parts: Iterable[Sequence[URIRef] | None] = [None] if classes is None else chunks(classes)
    for chunk in parts:
        table = None if chunk is None else {"classes": (["class"], [[name] for name in chunk])}
        for row in store.select(fill(load_query("planning-verify"), table)):
            if row["class"] is not None:
                entry = found.setdefault(str(row["class"]), {})
                entry.update({k: row[k] for k in ("links", "members", "pools", "entries") if row.get(k) is not None})
    return {name for name, entry in found.items()
            if int(entry.get("links", 0)) != int(entry.get("members", 0)) or int(entry.get("pools", -1)) != int(entry.get("entries", 0))}


def _refresh(store: Store, names: Iterable[URIRef] | None) -> list[URIRef] | None:
    """:func:`refresh` without the check: the classes touched (None: every class)."""
    table: dict[str, tuple[Sequence[str], list[list[Identifier | None]]]] | None = None
    if names is not None:
        rows: list[list[Identifier | None]] = [[name] for name in dict.fromkeys(names)]
        if not rows:
            return []
        table = {"platforms": (["platform"], rows)}
    before = [URIRef(row["class"]) for row in store.select(fill(load_query("planning-class-of"), table))]
    store.update(fill(load_query("planning-refresh"), table))
    store.update(fill(load_query("planning-unlink"), table))
    after = _classify(store, table)
    touched = None if names is None else list(dict.fromkeys([*before, *after]))
    _count_members(store, touched)
    if names is None:
        store.update(fill(load_query("planning-stamp"), binds={"stamp": {"version": Literal(version())}}))
    return touched


@dataclass
class _Facts:
    """What the matching rule reads of one platform (``planning-facts.rq``)."""

    storage: Any = 0
    accepts: set[str] = field(default_factory=set)
    pools: set[tuple[Any, Any, Any, Any]] = field(default_factory=set)
    contents: dict[str, set[str]] = field(default_factory=dict)
    formats: dict[str, set[str]] = field(default_factory=dict)

    def key(self) -> tuple[str, list[tuple[Any, Any, Any, Any]], list[tuple[tuple[str, ...], tuple[str, ...]]]]:
        """The class's IRI, its distinct pools and its distinct collections (content
        terms, format terms), in a fixed order."""
        pools = sorted(self.pools, key=lambda pool: tuple(number_text(v) for v in pool))
        data = sorted({(tuple(sorted(self.contents.get(c, ()))), tuple(sorted(self.formats.get(c, ()))))
                       for c in {*self.contents, *self.formats}})
        text = json.dumps([number_text(self.storage), sorted(self.accepts), [[number_text(v) for v in pool] for pool in pools], data])
        return CLASS_BASE + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32], pools, data


def _classify(store: Store, table: Mapping[str, tuple[Sequence[str], list[list[Identifier | None]]]] | None) -> list[URIRef]:
    """Sort the platforms of ``table`` (every platform, when None) into planning
    classes: read their facts, link each to its class and write the classes' entries.

    :returns: the classes linked to.
    """
    facts: dict[str, _Facts] = {}
    for row in store.select(fill(load_query("planning-facts"), table)):
        entry = facts.setdefault(row["platform"], _Facts())
        kind = str(row["kind"])
        if kind == "storage":
            entry.storage = row["storage"]
        elif kind == "accepts":
            entry.accepts.add(str(row["type"]))
        elif kind == "pool":
            entry.pools.add((row["nodes"], row["cores"], row["memory"], row["walltime"]))
        elif kind in ("content", "format"):
            (entry.contents if kind == "content" else entry.formats).setdefault(str(row["collection"]), set()).add(str(row["term"]))
    written: set[str] = set()
    batch = _Batch()
    for platform, entry in facts.items():
        iri, pools, data = entry.key()
        batch.link(platform, iri)
        if iri not in written:
            written.add(iri)
            batch.describe(iri, entry, pools, data)
        if batch.size >= ROWS_PER_TABLE:
            store.update(batch.update())
            batch = _Batch()
    if batch.size:
        store.update(batch.update())
    return [URIRef(iri) for iri in written]


class _Batch:
    """The tables of one update of ``planning-classes.rq``."""

    def __init__(self) -> None:
        self.tables: dict[str, list[list[Identifier | None]]] = {name: [] for name in ("links", "classes", "accepts", "pools", "terms")}

    @property
    def size(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def link(self, platform: str, iri: str) -> None:
        self.tables["links"].append([URIRef(platform), URIRef(iri)])

    def describe(self, iri: str, facts: _Facts, pools: list[tuple[Any, Any, Any, Any]],
                 data: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        name = URIRef(iri)
        storage = number_literal(facts.storage)
        self.tables["classes"].append([name, storage, Literal(len(pools))])
        accepted = sorted(facts.accepts)
        self.tables["accepts"] += [[name, URIRef(t)] for t in accepted]
        self.tables["pools"] += [[name, Literal(_pool_figures(pool, facts.storage))] for pool in pools]
        for index, (contents, formats) in enumerate(data):
            collection = URIRef(f"{iri}/data/{index}")
            self.tables["terms"] += [[collection, name, URIRef(t), None] for t in contents]
            self.tables["terms"] += [[collection, name, None, URIRef(t)] for t in formats]

    def update(self) -> str:
        variables = {"links": ["platform", "class"], "classes": ["class", "storage", "pools"], "accepts": ["entry", "type"],
                     "pools": ["class", "figures"],
                     "terms": ["data", "class", "content", "format"]}
        return fill(load_query("planning-classes"), {name: (variables[name], rows) for name, rows in self.tables.items()})


def _pool_figures(pool: tuple[Any, Any, Any, Any], storage: Any) -> str:
    """A class's node pool (nodes, cores and memory per node, wall-clock limit or None) and
    the class's storage as the one text of ``esap:planPoolFigures``: each a plain decimal
    (``number_text``), separated by single spaces, the limit empty when there is none
    (``"4 16 64 100 "``), so that a query takes each figure with ``STRBEFORE`` and
    ``STRAFTER`` and casts it to a number (``xsd:integer`` for the nodes, else
    ``xsd:decimal``)."""
    nodes, cores, memory, walltime = pool
    return " ".join(number_text(value) for value in (nodes, cores, memory, storage, walltime))


def _count_members(store: Store, classes: list[URIRef] | None) -> None:
    """Count the platforms of ``classes`` (of every class, when None) and drop the
    classes left with none."""
    text = load_query("planning-members")
    if classes is None:
        store.update(text)
        return
    for chunk in chunks(classes):
        store.update(fill(text, {"classes": (["class"], [[name] for name in chunk])}))


#: The stores (by id) whose index a write could not keep in step: derived afresh by the
#: next :func:`ensure` (see :func:`on_write`).
_STALE: set[int] = set()


def on_write(store: Store, written: Mapping[URIRef, Graph] | None) -> None:
    """Keep the index in step with a write that has succeeded (:func:`_follow`). When the
    store fails meanwhile (a full disk, say), the write stands, as the caller is told,
    and the index is marked stale: the next plan derives it afresh, or fails then."""
    try:
        _follow(store, written)
    except StoreError:
        _STALE.add(id(store))


def _follow(store: Store, written: Mapping[URIRef, Graph] | None) -> None:
    """The store's watcher (see :meth:`Store.watch`): a write of the vocabulary, or of
    graphs unknown, derives the whole index afresh; else the entries of the platforms
    written, and of the graphs written that were platforms (one read asks which); a write
    of executables or data sets alone leaves the index as it is."""
    if written is None or VOCABULARY_GRAPH in written:
        refresh(store)
        return
    platforms = [name for name, graph in written.items() if (name, RDF.type, ESAP.Platform) in graph]
    others = [[name] for name in written if registry_graph(name) and (name, RDF.type, ESAP.Platform) not in written[name]]
    if others:
        rows = store.select(fill(load_query("planning-indexed"), {"platforms": (["platform"], others)}))
        platforms += [URIRef(row["platform"]) for row in rows]
    if platforms:
        refresh(store, platforms)


def stale(store: Store) -> bool:
    """Whether a write could not keep the index of ``store`` in step (:func:`on_write`)."""
    return id(store) in _STALE


def watch(store: Store) -> None:
    """Keep the index of ``store`` in step with every write made through it."""
    store.watch(on_write)


def ensure(store: Store) -> bool:
    """Derive the whole index afresh unless it covers every platform and was derived by
    this version of its queries.

    :returns: True when it was derived afresh.
    :raises StoreError: when the store fails.
    """
    if id(store) in _STALE:
        refresh(store)
        _STALE.discard(id(store))
        return True
    rows = store.select(load_query("planning-check"))
    row = rows[0] if rows else {}
    current = str(row.get("version")) if row.get("version") is not None else None
    if current == version() and int(row.get("platforms") or 0) == int(row.get("indexed") or 0):
        return False
    refresh(store)
    return True
