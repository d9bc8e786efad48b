"""The planning index: what the planner's queries read of each platform, derived from
the platforms' graphs and the vocabulary (``queries/planning-refresh.rq`` says what it
holds) into one named graph, :data:`~registry.vocabulary.PLANNING_GRAPH`.

The index is never edited by hand and never stale: :func:`watch` has the store tell
:func:`on_write` of every write it makes (an ingest, a replacement, a deletion, a SPARQL
Update, a restore), which derives afresh the entries of the graphs written, or the whole
index when any graph may have changed. :func:`ensure` checks, once per registry, that the
index covers every platform and was derived by this version of the query, and derives it
afresh otherwise (after data loaded behind the registry's back, say). The index is
bookkeeping: never dumped, listed or backed up; a restore derives it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from rdflib import RDF, Graph, Literal, URIRef

from registry.resources import load_query
from registry.store.base import Store, registry_graph
from registry.store.terms import fill
from registry.vocabulary import ESAP, VOCABULARY_GRAPH

__all__ = ["ensure", "on_write", "refresh", "version", "watch"]


def version() -> str:
    """The version of the index: a digest of the query that derives it."""
    return hashlib.sha256(load_query("planning-refresh").encode("utf-8")).hexdigest()[:16]


def refresh(store: Store, names: Iterable[URIRef] | None = None) -> None:
    """Derive afresh the index entries of the graphs named (every platform's, when
    ``names`` is None), in one update.

    :raises StoreError: when the store fails.
    """
    text = load_query("planning-refresh")
    if names is None:
        store.update(text)
        store.update(fill(load_query("planning-stamp"), binds={"stamp": {"version": Literal(version())}}))
        return
    rows = [[name] for name in dict.fromkeys(names)]
    if rows:
        store.update(fill(text, {"platforms": (["platform"], rows)}))


def on_write(store: Store, written: Mapping[URIRef, Graph] | None) -> None:
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


def watch(store: Store) -> None:
    """Keep the index of ``store`` in step with every write made through it."""
    store.watch(on_write)


def ensure(store: Store) -> bool:
    """Derive the whole index afresh unless it covers every platform and was derived by
    this version of ``planning-refresh.rq``.

    :returns: True when it was derived afresh.
    :raises StoreError: when the store fails.
    """
    rows = store.select(load_query("planning-check"))
    row = rows[0] if rows else {}
    current = str(row.get("version")) if row.get("version") is not None else None
    if current == version() and int(row.get("platforms") or 0) == int(row.get("indexed") or 0):
        return False
    refresh(store)
    return True
