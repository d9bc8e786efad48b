"""Property pair constraint components (SHACL 4.5): ``sh:lessThanOrEquals``, over
numbers only."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from registry.shacl_fast.batch import SH, Batch
from registry.shacl_fast.shape import Component, Shape, ShapeReader
from registry.shacl_fast.value_range import numeric

__all__ = ["LessThanOrEquals"]


class LessThanOrEquals(Component):
    """``sh:lessThanOrEquals``, SHACL 4.5.4: each value node is at most each value of the
    other property on the focus node (a focus check), compared as numbers. pySHACL raises
    on a blank node among the values (with or without values to compare them to): not
    numeric, so never passed."""

    parameters = (SH.lessThanOrEquals,)
    __slots__ = ("other",)

    def __init__(self, other: Node) -> None:
        self.other = other

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        node = shape.node
        for other in reader.graph.objects(node, SH.lessThanOrEquals):
            reader.need(shape.path is not None, "sh:lessThanOrEquals on a node shape", node)
            reader.need(type(other) is URIRef, "sh:lessThanOrEquals must be an IRI", node)
            shape.focus_checks.append(cls(reader.predicate(other)).check)

    def check(self, focus: Node, values: Any, batch: Batch) -> bool:
        others = batch.objects(focus, self.other)
        for v in values:
            if not numeric(v):
                return False
            for o in others:
                if not numeric(o) or not v.value <= o.value:  # type: ignore[attr-defined]
                    return False
        return True
