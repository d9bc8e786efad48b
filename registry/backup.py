"""Backups: the whole store as N-Quads or TriG, and back.

A dump holds every quad of every named graph (the entries, the vocabulary graph
and the shapes graph), in a canonical form: blank nodes are given labels derived
from the data (RDFC-style canonicalisation by pyoxigraph) and the quads are
sorted, so dumping a restored store gives the same bytes as the original dump.

Restore reads the whole file before anything is written (a malformed file is
refused with its line and column, and nothing is stored), then stores it in one
atomic step. Into a store that already holds graphs it is refused unless
``replace`` is asked for; then the store's graphs are dropped and the dump's
stored in the same single step, so the store holds either the old content or
the dump, never a mixture.

Core code: it raises the registry's own errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from registry.errors import InputError, StoreNotEmpty
from registry.store import Store
from registry.store.base import REGISTRY_GRAPH_SPACE, registry_graph
from registry.store.terms import from_oxigraph
from registry.vocabulary import REVISIONS_GRAPH

__all__ = ["FORMATS", "dump", "format_for", "read_dump", "restore"]

#: Backup format name -> pyoxigraph format.
FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
#: File endings -> backup format.
SUFFIXES = {".nq": "nquads", ".nquads": "nquads", ".trig": "trig"}


def format_for(path: Path | None, given: str | None) -> str:
    """The backup format: ``given`` when set, else from the file's ending, else N-Quads
    for standard output.

    :raises InputError: when the format is unknown or cannot be told from the ending.
    """
    if given:
        if given not in FORMATS:
            raise InputError(f"unknown backup format {given!r}: use nquads or trig")
        return given
    if path is None or str(path) == "-":
        return "nquads"
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InputError(
            "cannot tell the format from the file's ending: use .nq or .trig, or give --format",
            source=str(path),
        )
    return found


def _canonical(quads: Iterable[ox.Quad], format: str) -> bytes:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    ordered = sorted(dataset, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return ox.serialize(ordered, format=FORMATS[format]) or b""


def dump(store: Store, format: str = "nquads") -> bytes:
    """Every quad of the store, canonical (see the module), as N-Quads or TriG.

    :raises InputError: when the format is unknown.
    :raises StoreError: when the store fails.
    """
    format = format_for(None, format)
    # Always read N-Quads from the store: rdflib's TriG writer abbreviates numbers
    # ("344"^^xsd:decimal as 344.0), which changes their lexical form.
    return _canonical(ox.parse(store.dump("nquads"), format=ox.RdfFormat.N_QUADS), format)


def read_dump(data: bytes, format: str = "nquads", *, source: str = "<dump>") -> list[ox.Quad]:
    """Every quad of a dump, read whole before anything is stored.

    :param source: the file name, for messages.
    :raises InputError: when the dump is not well-formed (with its line and column), or holds
        a triple in the default graph (the registry keeps every triple in a named graph), or
        a graph that is not the registry's (see :func:`registry.store.base.registry_graph`).
    """
    format = format_for(None, format)
    try:
        quads = list(ox.parse(data, format=FORMATS[format]))
    except SyntaxError as exc:
        line, column = _position(exc)
        message = str(exc.args[0]) if exc.args else str(exc)
        raise InputError(f"not well-formed {format}: {message}", source=source, line=line, column=column) from exc
    for quad in quads:
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise InputError(
                f"{quad.subject} {quad.predicate} {quad.object} is in the default graph: "
                "a registry dump keeps every triple in a named graph",
                source=source,
            )
        if not registry_graph(quad.graph_name.value) and quad.graph_name.value != str(REVISIONS_GRAPH):
            raise InputError(
                f"the graph {quad.graph_name} is not the registry's: a registry dump holds only graphs named"
                f" {' or '.join(p + '...' for p in REGISTRY_GRAPH_SPACE)}",
                source=source,
            )
    return quads


def _position(exc: SyntaxError) -> tuple[int | None, int | None]:
    """The line and column where pyoxigraph's parser found the fault, when it says."""
    line = exc.lineno if isinstance(exc.lineno, int) else None
    column = exc.offset if isinstance(exc.offset, int) else None
    return line, column


def restore(store: Store, data: bytes, format: str = "nquads", *, source: str = "<dump>", replace: bool = False) -> int:
    """Store every quad of a dump, in one atomic step.

    :param replace: drop whatever the store holds first (in the same step); without it a
        store that holds any named graph is refused.
    :returns: the number of quads stored.
    :raises InputError: when the dump is malformed; nothing is stored.
    :raises StoreNotEmpty: when the store holds graphs and ``replace`` is not asked for.
    :raises StoreError: when the store fails; nothing is stored.
    """
    quads = read_dump(data, format, source=source)
    existing = store.graph_names()
    if existing and not replace:
        raise StoreNotEmpty(
            f"the store already holds {len(existing)} graph(s): restore into an empty store, "
            "or replace its content with --replace"
        )
    if not existing:
        if quads:
            store.load(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", "nquads")
        return len(quads)
    graphs: dict[URIRef, Graph] = {}
    for quad in quads:
        name = URIRef(quad.graph_name.value)  # type: ignore[union-attr]
        graphs.setdefault(name, Graph()).add(
            (from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object))  # type: ignore[arg-type]
        )
    # One atomic replace: the store's graphs that the dump lacks become empty (dropped).
    store.replace_graphs({**{name: Graph() for name in sorted(existing)}, **graphs})
    return len(quads)
