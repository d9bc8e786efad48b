"""The need classes of the reverse plan: executables alike in every need the matching
rule reads (type, compute requirements, storage, data, at their minima) run on the same
platforms, so ``queries/runnable-matches.rq`` applies the rule once per class and lists a
class's executables only as far as it shows them. ``queries/needs-facts.rq`` says what
is read. Each executable's link to its class (with its title) and each class's entries
are kept in one named graph, :data:`~registry.vocabulary.NEEDS_GRAPH`.

The graph follows every write made through the registry (:func:`watch`): a write marks
the graphs it holds or drops as waiting (``needs-mark.rq``, one small update), and
:func:`ensure`, called before every reverse plan, links the executables marked since
(``needs-facts.rq``, ``needs-link.rq``), in the store itself, so that another process's
reverse plan links them too. A write of graphs unknown (a SPARQL Update, a restore) takes
the graph's version stamp away; :func:`ensure` then derives the graph whole, as it does
when the stamp is not its own or, checked once per store a process opens, the
executables linked are not the executables held (data loaded behind the registry's
back). The graph is bookkeeping: never dumped, listed or backed up.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Identifier

from registry.errors import StoreError
from registry.resources import load_query
from registry.store.base import Store, registry_graph, untold
from registry.store.terms import ROWS_PER_TABLE, chunks, fill, number_literal, number_text
from registry.vocabulary import ESAP

__all__ = ["NEEDS_CLASS_BASE", "ensure", "listed", "on_write", "refresh", "unlisted", "version", "watch"]

#: The queries that derive the need classes; the graph's version is a digest of them.
_DERIVING = ("needs-facts", "needs-link", "needs-clear", "needs-mark", "runnable-listed")

#: Where the IRIs of need classes start (the rest is a digest of the class's needs).
NEEDS_CLASS_BASE = "https://w3id.org/esap-registry/planning/needs/"

#: How many executables one table of ``needs-facts.rq`` names at most (pyoxigraph joins a
#: larger table by reading every executable: 2,000 took 4 s at 100,000 executables, 500
#: took 54 ms).
_FACTS_PER_QUERY = 500

#: The stores whose graph of need classes was checked whole by this process
#: (:func:`ensure`), and those a write could not keep in step (:func:`on_write`).
#: (Weak sets of the stores themselves: an id could be reused by a store opened later.)
_CHECKED: weakref.WeakSet[Store] = weakref.WeakSet()
_STALE: weakref.WeakSet[Store] = weakref.WeakSet()
_LOCK = threading.Lock()


def version() -> str:
    """The version of the graph of need classes: a digest of the queries that derive it."""
    digest = hashlib.sha256()
    for name in _DERIVING:
        digest.update(load_query(name).encode("utf-8"))
    return digest.hexdigest()[:16]


def watch(store: Store) -> None:
    """Keep the need classes of ``store`` in step with every write made through it."""
    store.watch(on_write)


def on_write(store: Store, written: Mapping[URIRef, Graph] | None) -> None:
    """The store's watcher (see :meth:`Store.watch`): the graphs a write holds or drops
    (but platforms) are marked as waiting to be linked (``needs-mark.rq``, one small
    update), for the next reverse plan to link; a write of graphs unknown takes the
    version stamp away. When the store fails meanwhile (a full disk, say), the write
    stands, as the caller is told, and the graph is derived whole before the next
    reverse plan.
    """
    try:
        with untold():
            if written is None:
                store.update(load_query("needs-unstamp"))
                return
            names = [name for name in written if registry_graph(name) and (name, RDF.type, ESAP.Platform) not in written[name]]
            token = Literal(uuid.uuid4().hex)
            for chunk in chunks(names):
                marks: list[list[Identifier | None]] = [[name, token] for name in chunk]
                store.update(fill(load_query("needs-mark"), {"marks": (["executable", "token"], marks)}))
    except StoreError:
        _STALE.add(store)


def ensure(store: Store) -> bool:
    """Bring the graph of need classes in step before a reverse plan: link the graphs
    marked since (:func:`on_write`), or derive it whole when it is not stamped with this
    version or, checked once per store this process opens, the executables linked are
    not the executables held.

    :returns: True when it was derived whole.
    :raises StoreError: when the store fails.
    """
    with _LOCK:
        if store not in _STALE:
            rows = store.select(load_query("needs-version"))
            if rows and str(rows[0]["version"]) == version():
                _link_marked(store)
                if store in _CHECKED:
                    return False
                row = next(iter(store.select(load_query("needs-check"))), {})
                if int(row.get("typed") or 0) == int(row.get("linked") or 0):
                    _CHECKED.add(store)
                    return False
        refresh(store)
        _STALE.discard(store)
        _CHECKED.add(store)
        return True


def _link_marked(store: Store) -> None:
    """Link the graphs marked as waiting (``needs-marked.rq``), in tables of at most
    :data:`~registry.store.terms.ROWS_PER_TABLE`, and take exactly those marks away
    (``needs-unmark.rq``)."""
    marks = [[URIRef(row["executable"]), Literal(row["token"])] for row in store.select(load_query("needs-marked"))]
    with untold():
        for chunk in chunks(marks):
            names = list(dict.fromkeys(URIRef(name) for name, _ in chunk))
            facts = [row for part in chunks(names, _FACTS_PER_QUERY)
                     for row in store.select(fill(load_query("needs-facts"), {"executables": (["executable"], [[name] for name in part])}))]
            _link(store, facts, names)
            store.update(fill(load_query("needs-unmark"), {"marks": (["executable", "token"], chunk)}))


def refresh(store: Store) -> None:
    """Derive the graph of need classes whole: emptied, every executable linked to its
    class, then stamped with this version.

    :raises StoreError: when the store fails.
    """
    with untold():
        store.update(load_query("needs-clear"))
        _link(store, store.select(load_query("needs-facts")), [])
        store.update(fill(load_query("needs-stamp"), binds={"stamp": {"version": Literal(version())}}))


def listed(title: str | None, executable: str) -> str:
    """A class's ``esap:planListed`` entry for an executable: its title (empty when it
    has none), a space, its IRI (which holds no space)."""
    return f"{title or ''} {executable}"


def unlisted(entry: str) -> tuple[str | None, str]:
    """The title (None when empty) and the IRI of a ``esap:planListed`` entry."""
    title, _, executable = str(entry).rpartition(" ")
    return title or None, executable


#: A compute requirement as the rule reads it: cores, memory, nodes, max nodes, hours (None: no limit).
Compute = tuple[Any, Any, int, int, Any]


@dataclass
class _Needs:
    """What the matching rule reads of one executable (``needs-facts.rq``)."""

    type: str | None = None
    title: str | None = None
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
        compute.sort(key=lambda c: tuple(number_text(v) for v in c))
        storage = sum((Decimal(str(size)) for size in self.storage.values() if size is not None), Decimal(0))
        data = sorted(self.data.values(), key=lambda d: (number_text(d[0]), d[1], d[2]))
        text = json.dumps([self.type, [[number_text(v) if v is not None else None for v in c] for c in compute], number_text(storage),
                           [[number_text(d[0]), d[1], d[2]] for d in data]])
        return NEEDS_CLASS_BASE + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32], compute, storage, data


def _link(store: Store, facts: Iterable[Mapping[str, Any]], unlink: Sequence[URIRef]) -> None:
    """Take the links of ``unlink`` away, then link the executables of ``facts``
    (``needs-facts.rq`` rows) to their classes and write the classes' entries, in
    updates of at most :data:`~registry.store.terms.ROWS_PER_TABLE` rows."""
    needs: dict[str, _Needs] = {}
    for row in facts:
        entry = needs.setdefault(row["executable"], _Needs())
        kind, name, value = str(row["kind"]), _COMPUTE_FIELDS.get(str(row["property"]), str(row["property"])), row["value"]
        if kind == "executable":
            if name == _TYPE:
                entry.type = str(value)
            else:
                entry.title = str(value)
        elif kind == "compute":
            entry.compute.setdefault(str(row["part"]), dict.fromkeys(_COMPUTE_FIELDS.values()))[name] = value
        elif kind == "storage":
            entry.storage[str(row["part"])] = value
        elif kind == "data":
            size, content, format_ = entry.data.get(str(row["part"]), (0, str(ESAP.DataContent), str(ESAP.DataFormat)))
            entry.data[str(row["part"])] = (value if name == _SIZE else size, str(value) if name == _CONTENT else content,
                                            str(value) if name == _FORMAT else format_)
    names: list[list[Identifier | None]] = [[name] for name in dict.fromkeys(unlink)]
    for later in list(chunks(names))[1:]:
        store.update(_Batch(unlink=list(later)).update())
    written: set[str] = set()
    batch = _Batch(unlink=names[:ROWS_PER_TABLE])  # a write's: one request, unlink then link
    for executable, entry in needs.items():
        if entry.type is None:
            continue  # no type: the rule has nothing to match
        iri, compute, storage, data = entry.key()
        batch.link(URIRef(executable), URIRef(iri), entry.title)
        if iri not in written:
            written.add(iri)
            batch.describe(iri, entry.type, compute, storage, data)
        if batch.size >= ROWS_PER_TABLE:
            store.update(batch.update())
            batch = _Batch()
    if batch.size:
        store.update(batch.update())


#: The properties of a compute requirement ``needs-facts.rq`` reads, by the names :class:`_Needs` keeps.
_COMPUTE_FIELDS = {str(ESAP.minCores): "cores", str(ESAP.minMemoryGiB): "memory", str(ESAP.nodes): "nodes",
                   str(ESAP.maxNodes): "maxNodes", str(ESAP.walltimeHours): "hours"}
_TYPE, _SIZE, _CONTENT, _FORMAT = str(ESAP.executableType), str(ESAP.sizeGiB), str(ESAP.dataContent), str(ESAP.dataFormat)

#: The variables of each table of ``needs-link.rq``.
_VARIABLES = {"unlink": ["executable"], "links": ["executable", "class", "title", "entry"], "classes": ["class", "type", "storage", "computeCount"],
              "compute": ["requirement", "class", "cores", "memory", "nodes", "maxNodes", "hours"],
              "data": ["need", "class", "size", "content", "format"]}


class _Batch:
    """The tables of one update of ``needs-link.rq``."""

    def __init__(self, unlink: list[list[Identifier | None]] | None = None) -> None:
        self.tables: dict[str, list[list[Identifier | None]]] = {name: [] for name in _VARIABLES}
        self.tables["unlink"] = list(unlink or [])
        self.named = bool(unlink)  # the write names what to unlink; else the executables linked

    def link(self, executable: URIRef, iri: URIRef, title: str | None) -> None:
        """Link ``executable`` to its class, its old links taken away first (the unlink
        table is never empty: Virtuoso 7 fails an empty one sent with the rest)."""
        self.tables["links"].append([executable, iri, Literal(title or ""), Literal(listed(title, executable))])
        if not self.named:
            self.tables["unlink"].append([executable])

    @property
    def size(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def describe(self, iri: str, type_: str, compute: list[Compute], storage: Decimal, data: list[tuple[Any, str, str]]) -> None:
        name = URIRef(iri)
        self.tables["classes"].append([name, URIRef(type_), Literal(storage), Literal(len(compute))])
        for index, (cores, memory, nodes, most, hours) in enumerate(compute):
            self.tables["compute"].append([URIRef(f"{iri}/compute/{index}"), name, number_literal(cores), number_literal(memory), Literal(nodes),
                                           Literal(most), None if hours is None else number_literal(hours)])
        for index, (size, content, format_) in enumerate(data):
            self.tables["data"].append([URIRef(f"{iri}/data/{index}"), name, number_literal(size), URIRef(content), URIRef(format_)])

    def update(self) -> str:
        return fill(load_query("needs-link"), {name: (_VARIABLES[name], rows) for name, rows in self.tables.items()})
