"""Shape-based constraint components (SHACL 4.7): ``sh:property``."""

from __future__ import annotations

from rdflib.term import Node

from registry.shacl_fast.batch import SH
from registry.shacl_fast.shape import Component, Shape, ShapeReader

__all__ = ["Property"]


class Property(Component):
    """``sh:property``, SHACL 4.7.2: each value node conforms to each property shape.

    Property shapes with the same path are merged into one, so that the path is followed
    once: a merged shape has no result exactly when none of them has (a deactivated one
    has none). Each merged shape is one value check; the property shapes, as compiled,
    are kept in ``shape.properties`` (for :meth:`FastChecker.missing`), and
    ``shape.own_checks`` counts the value checks that are the shape's own. Compiled last,
    after the shape's other components.
    """

    parameters = (SH.property,)
    __slots__ = ("check", "merged")

    def __init__(self, merged: Shape) -> None:
        self.merged = merged
        #: the check of a value node: the merged shape's own method (one call, no wrapper)
        self.check = merged.conforms

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        by_path: dict[tuple[Node, ...], Shape] = {}
        shape.own_checks = len(shape.value_checks)
        for prop in reader.graph.objects(shape.node, SH.property):
            compiled = reader.shape(prop)
            reader.need(compiled.path is not None, "sh:property must name a property shape", prop)
            if compiled.deactivated:
                continue
            shape.properties.append(compiled)
            merged = by_path.get(compiled.path)  # type: ignore[arg-type]
            if merged is None:
                merged = by_path[compiled.path] = Shape(prop, compiled.path, False)  # type: ignore[index]
            merged.focus_checks.extend(compiled.focus_checks)
            merged.value_checks.extend(compiled.value_checks)
        shape.value_checks.extend(cls(merged).check for merged in by_path.values())
