"""Logical constraint components (SHACL 4.6): ``sh:or``."""

from __future__ import annotations

from rdflib.term import Node

from registry.shacl_fast.batch import SH, Batch
from registry.shacl_fast.shape import Component, Shape, ShapeReader

__all__ = ["Or"]


class Or(Component):
    """``sh:or``, SHACL 4.6.3: each value node conforms to at least one of the listed
    shapes (each compiled as a shape of its own; a recursive one is refused)."""

    parameters = (SH["or"],)
    __slots__ = ("members",)

    def __init__(self, members: list[Shape]) -> None:
        self.members = members

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        g = reader.graph
        for lst in g.objects(shape.node, SH["or"]):
            members = list(g.items(lst))
            reader.need(len(members) > 0, "sh:or needs a list of shapes", shape.node)
            shape.value_checks.append(cls([reader.shape(m) for m in members]).check)

    def check(self, v: Node, batch: Batch) -> bool:
        for member in self.members:
            if member.conforms(v, batch):
                return True
        return False
