"""After parsing: quantities normalised and the document split into its entries.

Every value of a property that has an ``esap:canonicalProperty`` is read with its unit
and added, as a number in the canonical unit, on that property (``esap:minMemoryGiB``).
The value as given stays, so that export gives back what the user wrote. Then each
entry's triples (and those of the nodes it owns) go to a graph of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from registry.errors import UnitError
from registry.readers.model import ENTRY_CLASSES, MAX_DEPTH, Document, Problem, _entry_graph
from registry.units import Kind, parse_quantity
from registry.units import canonical as canonical_value
from registry.vocabulary import ESAP, Vocabulary


def _finish(document: Document, vocabulary: Vocabulary) -> None:
    graph = document.graph
    # The manifest's own node only carries its entries; the entries are what is kept.
    for manifest in set(graph.subjects(ESAP.executable)) | set(graph.subjects(ESAP.platform)) | set(graph.subjects(ESAP.dataset)):
        graph.remove((manifest, None, None))
    _normalise(document, vocabulary)
    _split(document)


def _normalise(document: Document, vocabulary: Vocabulary) -> None:
    """Add the canonical number of every quantity whose value parses.

    Values that do not parse get no canonical number; the shapes report them. Numbers
    the registry cannot hold (not finite, or beyond :data:`registry.units.LARGEST`),
    counts too, look fine to the shapes and are reported here.
    Canonical values written by the author are replaced: they are derived data.
    """
    graph = document.graph
    for canonical in vocabulary.given_property:
        graph.remove((None, canonical, None))
    canonical_of = vocabulary.canonical_properties
    for prop in sorted({p for p in graph.predicates() if isinstance(p, URIRef)}, key=str):
        kind = vocabulary.quantity_kind(prop)
        if kind is None:
            continue
        canonical = canonical_of.get(prop, (None, kind))[0]
        for subject, value in list(graph.subject_objects(prop)):
            if not isinstance(value, Literal):
                continue
            try:
                number = _canonical_number(kind, value)
            except UnitError as exc:
                key = vocabulary.json_keys.get(prop, str(prop))
                base = document.paths.get(subject)
                python_value = value.toPython()
                shown = python_value if isinstance(python_value, str) and len(python_value) <= 60 else str(value)[:60]
                document.problems.append(Problem(f"{key}: {exc.message}", f"{base}.{key}" if base else None, shown))
                continue
            if number is not None and canonical is not None:
                graph.add((subject, canonical, Literal(number, datatype=XSD.decimal)))


def _canonical_number(kind: Kind, value: Literal) -> Decimal | None:
    """The canonical number of a quantity given as ``value`` (a number, or a string with a
    unit), or None when it is not one the registry reads (the shapes report it then).

    :raises UnitError: when it reads as a number the registry cannot hold (not finite,
        or beyond :data:`registry.units.LARGEST`).
    """
    python_value = value.toPython()
    if isinstance(python_value, bool) or not isinstance(python_value, (int, float, Decimal, str)):
        return None
    try:
        return canonical_value(parse_quantity(kind, python_value))
    except UnitError as exc:
        if exc.out_of_range:
            raise
        return None


def _split(document: Document) -> None:
    graph = document.graph
    claimed: set[Node] = set()
    for kind in ENTRY_CLASSES:
        for entry in graph.subjects(RDF.type, kind):
            if not isinstance(entry, URIRef):
                document.problems.append(
                    Problem("an executable, platform or data set must have an IRI (urn:uuid:<uuid>), not a blank node", None)
                )
                continue
            if entry in document.kinds:
                document.problems.append(
                    Problem(f"{entry} is typed as more than one of executable, platform and data set", document.paths.get(entry))
                )
                continue
            document.kinds[entry] = URIRef(kind)
            entry_graph = _entry_graph()
            too_deep: list[Node] = []
            for triple in _reachable(graph, entry, too_deep):
                entry_graph.add(triple)
                claimed.add(triple[0])
            if too_deep:
                document.problems.append(
                    Problem(f"{entry.n3()} nests its nodes deeper than {MAX_DEPTH} levels", document.paths.get(entry))
                )
            document.entries[entry] = entry_graph
    orphans = {s for s in graph.subjects() if s not in claimed}
    for orphan in sorted(orphans, key=str):
        label = orphan.n3() if isinstance(orphan, URIRef) else "a blank node"
        document.problems.append(
            Problem(
                f"statements about {label} belong to no executable, platform or data set "
                "(each entry must be typed esap:Executable, esap:Platform or esap:Dataset)",
                document.paths.get(orphan),
            )
        )


def _reachable(graph: Graph, entry: URIRef, too_deep: list[Node]) -> Iterator[tuple[Node, Node, Node]]:
    """The entry's triples and those of the nodes it owns: blank nodes and IRIs
    under the entry's own IRI (``urn:uuid:...#compute-resources-0``), to
    :data:`MAX_DEPTH` levels; a node owned deeper is put in ``too_deep``."""
    prefix = str(entry) + "#"
    todo: list[tuple[Node, int]] = [(entry, 0)]
    seen: set[Node] = {entry}
    while todo:
        node, depth = todo.pop()
        for _, p, o in graph.triples((node, None, None)):
            yield node, p, o
            owned = isinstance(o, BNode) or (isinstance(o, URIRef) and str(o).startswith(prefix))
            if owned and o not in seen and p != RDF.type:
                seen.add(o)
                if depth + 1 > MAX_DEPTH:
                    too_deep.append(o)
                else:
                    todo.append((o, depth + 1))
