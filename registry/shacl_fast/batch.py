"""The data graph of one validation, indexed for the compiled checks, and the names the
fast checker's modules share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rdflib import RDF, RDFS, Namespace
from rdflib.term import Node

__all__ = ["EMPTY", "RDF_TYPE", "SH", "SUBCLASS_OF", "XSD", "Batch", "FocusCheck", "Index", "Triple", "ValueCheck"]

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

EMPTY: frozenset[Node] = frozenset()
RDF_TYPE = RDF.type
SUBCLASS_OF = RDFS.subClassOf

Index = dict[Node, dict[Node, set[Node]]]
Triple = tuple[Node, Node, Node]
#: A compiled constraint on a focus node and all its value nodes (counts, comparisons
#: with another property): (focus node, its value nodes, the batch) -> no result possible.
FocusCheck = Callable[[Node, Any, "Batch"], bool]
#: A compiled constraint on one value node: (value node, the batch) -> no result possible.
ValueCheck = Callable[[Node, "Batch"], bool]


class Batch:
    """The data graph of one validation, indexed for the checks: subject -> predicate ->
    objects, with the background triples (the taxonomy term typings) merged in.

    :param graphs: the graphs (or lists of triples) whose union is the data graph.
    :param background: the index of the triples added to every data graph.
    :param predicates: the predicates the shapes use, each mapped to itself: the index
        keeps these very objects, so that looking one up finds it by identity instead of
        by rdflib's (slower) equality.
    """

    __slots__ = ("out", "superclasses")

    def __init__(self, graphs: Iterable[Iterable[Triple]], background: Index, predicates: dict[Node, Node]) -> None:
        out: Index = {}
        canonical = predicates.get
        for graph in graphs:
            for s, p, o in graph:
                p = canonical(p, p)
                po = out.get(s)
                if po is None:
                    out[s] = {p: {o}}
                else:
                    objects = po.get(p)
                    if objects is None:
                        po[p] = {o}
                    else:
                        objects.add(o)
        for s, bpo in background.items():
            po = out.get(s)
            if po is None:
                out[s] = bpo  # shared, never written to after this point
            else:
                for p, objects in bpo.items():
                    mine = po.get(p)
                    po[p] = objects if mine is None else mine | objects
        self.out = out
        #: class -> its direct superclasses, when the data has any rdfs:subClassOf triple.
        self.superclasses: dict[Node, set[Node]] = {}

    def objects(self, subject: Node, predicate: Node) -> set[Node] | frozenset[Node]:
        po = self.out.get(subject)
        if po is None:
            return EMPTY
        return po.get(predicate, EMPTY)

    def is_instance(self, node: Node, cls: Node) -> bool:
        """pySHACL's ``sh:class`` test: a type of ``node`` is ``cls`` or has it among its
        superclasses (``rdfs:subClassOf*`` in the data graph)."""
        po = self.out.get(node)
        types = EMPTY if po is None else po.get(RDF_TYPE, EMPTY)
        if cls in types:
            return True
        if not types or not self.superclasses:
            return False
        seen = set(types)
        todo = list(types)
        while todo:
            for parent in self.superclasses.get(todo.pop(), EMPTY):
                if parent == cls:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return False

    def subclasses(self, cls: Node) -> set[Node]:
        """``cls`` and its subclasses in the data graph (``rdfs:subClassOf*``, inverted)."""
        found = {cls}
        if not self.superclasses:
            return found
        changed = True
        while changed:
            changed = False
            for sub, parents in self.superclasses.items():
                if sub not in found and not parents.isdisjoint(found):
                    found.add(sub)
                    changed = True
        return found
