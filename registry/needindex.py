"""The need classes: executables alike in every need the matching rule reads (type,
compute requirements, storage, data, at their minima) run on the same platforms, so
the reverse plan (``queries/runnable-matches.rq``) works once per class and lists a
class's executables only as it orders them. ``queries/needs-facts.rq`` says what is
read; the classes, their counts of executables and each executable's link to its class
are kept in one named graph, :data:`~registry.vocabulary.NEEDS_GRAPH`, by
:func:`refresh`, which :mod:`registry.planindex` calls on every write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from registry.resources import load_query
from registry.store.base import Store
from registry.store.terms import fill
from registry.vocabulary import ESAP

__all__ = ["DERIVING", "NEEDS_CLASS_BASE", "refresh"]

#: The queries that derive the need classes (part of the planning index's version).
DERIVING = ("needs-class-of", "needs-unlink", "needs-facts", "needs-classes", "needs-members")

#: Where the IRIs of need classes start (the rest is a digest of the class's needs).
NEEDS_CLASS_BASE = "https://w3id.org/esap-registry/planning/needs/"

#: How many rows of values one update is given at most (Virtuoso 7 compiles an update
#: into SQL of bounded length).
_ROWS_PER_UPDATE = 2_000

Table = Mapping[str, tuple[Sequence[str], list[list[Identifier | None]]]]


def refresh(store: Store, names: Iterable[URIRef] | None = None) -> None:
    """Link the executables among ``names`` (every executable, when None) to their need
    classes afresh, write the classes' entries, count the classes touched and drop those
    left without executables. A name that is no executable (any longer) loses its link.

    :raises StoreError: when the store fails.
    """
    table: Table | None = None
    if names is not None:
        rows: list[list[Identifier | None]] = [[name] for name in dict.fromkeys(names)]
        if not rows:
            return
        table = {"executables": (["executable"], rows)}
    before = [URIRef(row["class"]) for row in store.select(fill(load_query("needs-class-of"), table))]
    store.update(fill(load_query("needs-unlink"), table))
    after = _classify(store, table)
    text = load_query("needs-members")
    if names is None:
        store.update(text)
        return
    touched = list(dict.fromkeys([*before, *after]))
    for start in range(0, len(touched), _ROWS_PER_UPDATE):
        store.update(fill(text, {"classes": (["class"], [[name] for name in touched[start:start + _ROWS_PER_UPDATE]])}))


def _number(value: Any) -> str:
    """A number as the same text whichever way it was written (10, 10.0, 1E1)."""
    return format(Decimal(str(value)).normalize(), "f")


def _literal(value: Any) -> Literal:
    return Literal(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else Literal(Decimal(str(value)))


#: A compute requirement as the rule reads it: cores, memory, nodes, max nodes, hours (None: no limit).
Compute = tuple[Any, Any, int, int, Any]


@dataclass
class _Needs:
    """What the matching rule reads of one executable (``needs-facts.rq``)."""

    type: str | None = None
    compute: dict[str, dict[str, Any]] = field(default_factory=dict)
    storage: dict[str, Any] = field(default_factory=dict)
    data: dict[str, tuple[Any, str, str]] = field(default_factory=dict)

    def key(self) -> tuple[str, list[Compute], Decimal, list[tuple[Any, str, str]]]:
        """The class's IRI, its compute requirements (the default need when none), its
        storage in all and its data resources, in a fixed order."""
        compute: list[Compute] = []
        for need in self.compute.values():
            nodes = int(need["nodes"]) if need["nodes"] is not None else 1
            most = int(need["maxNodes"]) if need["maxNodes"] is not None else nodes
            compute.append((need["cores"] if need["cores"] is not None else 0, need["memory"] if need["memory"] is not None else 0,
                            nodes, max(most, nodes), need["hours"]))
        if not compute:
            compute.append((0, 0, 1, 1, None))
        compute.sort(key=lambda c: tuple(_number(v) if v is not None else "" for v in c))
        storage = sum((Decimal(str(size)) for size in self.storage.values() if size is not None), Decimal(0))
        data = sorted(self.data.values(), key=lambda d: (_number(d[0]), d[1], d[2]))
        text = json.dumps([self.type, [[_number(v) if v is not None else None for v in c] for c in compute], _number(storage),
                           [[_number(d[0]), d[1], d[2]] for d in data]])
        return NEEDS_CLASS_BASE + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32], compute, storage, data


def _classify(store: Store, table: Table | None) -> list[URIRef]:
    """Read the needs of the executables of ``table`` (every executable, when None),
    link each to its class and write the classes' entries.

    :returns: the classes linked to.
    """
    needs: dict[str, _Needs] = {}
    for row in store.select(fill(load_query("needs-facts"), table)):
        entry = needs.setdefault(row["executable"], _Needs())
        kind = str(row["kind"])
        if kind == "type":
            entry.type = str(row["type"])
        elif kind == "compute":
            entry.compute[str(row["requirement"])] = {name: row[name] for name in ("cores", "memory", "nodes", "maxNodes", "hours")}
        elif kind == "storage":
            entry.storage[str(row["need"])] = row["size"]
        elif kind == "data":
            entry.data[str(row["need"])] = (row["size"] if row["size"] is not None else 0,
                                            str(row["content"]) if row["content"] is not None else str(ESAP.DataContent),
                                            str(row["format"]) if row["format"] is not None else str(ESAP.DataFormat))
    written: set[str] = set()
    batch = _Batch()
    for executable, entry in needs.items():
        if entry.type is None:
            continue  # no type: the rule has nothing to match
        iri, compute, storage, data = entry.key()
        batch.tables["links"].append([URIRef(executable), URIRef(iri)])
        if iri not in written:
            written.add(iri)
            batch.describe(iri, entry.type, compute, storage, data)
        if batch.size >= _ROWS_PER_UPDATE:
            store.update(batch.update())
            batch = _Batch()
    if batch.size:
        store.update(batch.update())
    return [URIRef(iri) for iri in written]


class _Batch:
    """The tables of one update of ``needs-classes.rq``."""

    VARIABLES = {"links": ["executable", "class"], "classes": ["class", "type", "storage", "computeCount"],
                 "compute": ["requirement", "class", "cores", "memory", "nodes", "maxNodes", "hours"],
                 "data": ["need", "class", "size", "content", "format"]}

    def __init__(self) -> None:
        self.tables: dict[str, list[list[Identifier | None]]] = {name: [] for name in self.VARIABLES}

    @property
    def size(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def describe(self, iri: str, type_: str, compute: list[Compute], storage: Decimal, data: list[tuple[Any, str, str]]) -> None:
        name = URIRef(iri)
        self.tables["classes"].append([name, URIRef(type_), Literal(storage), Literal(len(compute))])
        for index, (cores, memory, nodes, most, hours) in enumerate(compute):
            self.tables["compute"].append([URIRef(f"{iri}/compute/{index}"), name, _literal(cores), _literal(memory), Literal(nodes),
                                           Literal(most), None if hours is None else _literal(hours)])
        for index, (size, content, format_) in enumerate(data):
            self.tables["data"].append([URIRef(f"{iri}/data/{index}"), name, _literal(size), URIRef(content), URIRef(format_)])

    def update(self) -> str:
        return fill(load_query("needs-classes"), {name: (self.VARIABLES[name], rows) for name, rows in self.tables.items()})
