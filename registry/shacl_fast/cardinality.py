"""Cardinality constraint components (SHACL 4.2): ``sh:minCount`` and ``sh:maxCount``,
as pySHACL's ``MinCountConstraintComponent`` and ``MaxCountConstraintComponent`` check
them: the number of value nodes of a focus node."""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from registry.errors import ShapesUnsupported
from registry.shacl_fast.batch import SH, XSD, Batch
from registry.shacl_fast.shape import Component, Shape, ShapeReader

__all__ = ["MaxCount", "MinCount"]


def _count(reader: ShapeReader, shape: Shape, parameter: URIRef) -> int | None:
    """The shape's count parameter: a non-negative ``xsd:integer``, on a property shape.

    :raises ShapesUnsupported: for anything else.
    """
    node = shape.node
    value = reader.one(node, parameter)
    if value is None:
        return None
    reader.need(shape.path is not None, f"{parameter.n3()} on a node shape", node)
    if not (isinstance(value, Literal) and value.datatype == XSD.integer and isinstance(value.value, int)):
        raise ShapesUnsupported(f"{parameter.n3()} must be an xsd:integer", node)
    reader.need(value.value >= 0, f"{parameter.n3()} must not be negative", node)
    return int(value.value)


class MinCount(Component):
    """``sh:minCount``, SHACL 4.2.1: at least so many value nodes (a focus check)."""

    parameters = (SH.minCount,)
    __slots__ = ("least",)

    def __init__(self, least: int) -> None:
        self.least = least

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        least = _count(reader, shape, SH.minCount)
        shape.least = least
        if least is not None:
            shape.focus_checks.append(cls(least).check)

    def check(self, focus: Node, values: Any, batch: Batch) -> bool:
        return len(values) >= self.least


class MaxCount(Component):
    """``sh:maxCount``, SHACL 4.2.2: at most so many value nodes (a focus check)."""

    parameters = (SH.maxCount,)
    __slots__ = ("most",)

    def __init__(self, most: int) -> None:
        self.most = most

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        most = _count(reader, shape, SH.maxCount)
        if most is not None:
            shape.focus_checks.append(cls(most).check)

    def check(self, focus: Node, values: Any, batch: Batch) -> bool:
        return len(values) <= self.most
