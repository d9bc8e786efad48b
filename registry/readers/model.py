"""The document model: what every reader makes of its input.

A :class:`Document` is one input document turned into RDF: its entries (each in a graph
of its own), their kinds, and, for plain manifests, the JSON path each node came from
and the :class:`Problem` s found while reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from registry.errors import InputError
from registry.vocabulary import ESAP

#: The top-level keys of a manifest, with the class of their entries' term in the context.
ENTRY_KEYS = {"executables": "Executable", "platforms": "Platform", "datasets": "Dataset"}
#: The classes of the entries, in the order a document lists them.
ENTRY_CLASSES = (ESAP.Executable, ESAP.Platform, ESAP.Dataset)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


#: Entries nest no deeper than this in any format the registry reads.
MAX_DEPTH = 32
#: The base IRI of every parsed document (its ``publicID``).
_DOCUMENT_IRI = "urn:esap-registry:document"


@dataclass(frozen=True)
class Problem:
    """A fault found while reading a document, before SHACL runs (an unknown key,
    a repeated uuid, a value of the wrong JSON kind)."""

    message: str
    path: str | None
    value: Any = None
    severity: str = "Violation"


class _EntriesUnion:
    """The descriptor of :attr:`Document.graph`: the graph given, or, when none was, the
    union of the entries' graphs, made when first read (bulk ingest never reads it)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, document: Document | None, owner: type | None = None) -> Graph | None:
        if document is None:
            return None  # the dataclass field's default: none given
        graph = document.__dict__.get(self.slot)
        if graph is None:
            graph = Graph(bind_namespaces="none")
            add = graph.store.add
            for entry_graph in document.entries.values():
                for triple in entry_graph:
                    add(triple, graph, False)
            document.__dict__[self.slot] = graph
        return graph

    def __set__(self, document: Document, graph: Graph | None) -> None:
        document.__dict__[self.slot] = graph


@dataclass
class Document:
    """One input document turned into RDF.

    :param source: where it came from (a file name, ``<stdin>``, ``<request>``).
    :param graph: every triple of its entries, quantities normalised; when not given,
        the union of the entries' graphs, made when first read.
    :param entries: each entry's IRI -> the triples of that entry (its named graph).
    :param kinds: each entry's IRI -> ``esap:Executable``, ``esap:Platform`` or ``esap:Dataset``.
    :param paths: node -> JSON path in the user's file (plain JSON only).
    :param objects: JSON path -> the JSON object or value at that path.
    :param problems: faults found while reading.
    """

    source: str
    format: str
    graph: Graph = _EntriesUnion()  # type: ignore[assignment]
    entries: dict[URIRef, Graph] = field(default_factory=dict)
    kinds: dict[URIRef, URIRef] = field(default_factory=dict)
    paths: dict[Node, str] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def executables(self) -> list[URIRef]:
        """The IRIs of the executables in the document, in document order where known."""
        return [e for e, k in self.kinds.items() if k == ESAP.Executable]

    def platforms(self) -> list[URIRef]:
        """The IRIs of the platforms in the document."""
        return [e for e, k in self.kinds.items() if k == ESAP.Platform]

    def datasets(self) -> list[URIRef]:
        """The IRIs of the data sets in the document."""
        return [e for e, k in self.kinds.items() if k == ESAP.Dataset]


def entry_iri(uuid: str) -> URIRef:
    """The IRI of the entry with this uuid: ``urn:uuid:`` and the uuid in lower case.

    :raises InputError: when ``uuid`` is not a UUID.
    """
    if not _UUID.match(uuid.strip()):
        raise InputError(f"{uuid!r} is not a UUID")
    return URIRef("urn:uuid:" + uuid.strip().lower())


def _entry_graph() -> Graph:
    """An empty graph for one entry's triples, on rdflib's ``SimpleMemory`` store: its
    three indexes without the ``Memory`` store's bookkeeping of contexts and events (an
    entry graph is one graph, never a context of a dataset), about half the cost of an
    ``add``, and fewer objects for the garbage collector to walk."""
    return Graph(store=SimpleMemory(), bind_namespaces="none")
