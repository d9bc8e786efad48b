"""Value range constraint components (SHACL 4.3): ``sh:minExclusive``,
``sh:minInclusive``, ``sh:maxExclusive`` and ``sh:maxInclusive``, over numbers only: a
value that is not a finite number compared in value space (a string, a blank node, a
NaN) might be a result, or make pySHACL raise, so it is never passed."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, ClassVar

from rdflib import Literal, URIRef
from rdflib.term import _NUMERIC_LITERAL_TYPES, Node

from registry.shacl_fast.batch import SH, Batch
from registry.shacl_fast.shape import Component, Shape, ShapeReader

__all__ = ["MaxExclusive", "MaxInclusive", "MinExclusive", "MinInclusive", "numeric"]

_NUMERIC_TYPES = frozenset(_NUMERIC_LITERAL_TYPES)


def numeric(node: Node) -> bool:
    """A literal whose comparisons rdflib (and so pySHACL) makes in value space, as plain
    Python comparisons of finite numbers."""
    if not isinstance(node, Literal) or node.datatype not in _NUMERIC_TYPES or node.ill_typed:
        return False
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return True


class _Bound(Component):
    """A value range component: each value node a number on the right side of a bound
    (a finite number, each one a check)."""

    parameter: ClassVar[URIRef]
    __slots__ = ("limit",)

    def __init__(self, bound: Literal) -> None:
        self.limit: Any = bound.value

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        for bound in reader.graph.objects(shape.node, cls.parameter):
            reader.need(numeric(bound), f"{cls.parameter.n3()} must be a finite number", shape.node)
            shape.value_checks.append(cls(bound).check)  # type: ignore[arg-type]  # numeric: a Literal

    def check(self, v: Node, batch: Batch) -> bool:
        raise NotImplementedError


class MinExclusive(_Bound):
    """``sh:minExclusive``, SHACL 4.3.1: each value node a number greater than the bound."""

    parameter = SH.minExclusive
    parameters = (SH.minExclusive,)
    __slots__ = ()

    def check(self, v: Node, batch: Batch) -> bool:
        return numeric(v) and v.value > self.limit  # type: ignore[attr-defined]


class MinInclusive(_Bound):
    """``sh:minInclusive``, SHACL 4.3.2: each value node a number at least the bound."""

    parameter = SH.minInclusive
    parameters = (SH.minInclusive,)
    __slots__ = ()

    def check(self, v: Node, batch: Batch) -> bool:
        return numeric(v) and v.value >= self.limit  # type: ignore[attr-defined]


class MaxExclusive(_Bound):
    """``sh:maxExclusive``, SHACL 4.3.3: each value node a number less than the bound."""

    parameter = SH.maxExclusive
    parameters = (SH.maxExclusive,)
    __slots__ = ()

    def check(self, v: Node, batch: Batch) -> bool:
        return numeric(v) and v.value < self.limit  # type: ignore[attr-defined]


class MaxInclusive(_Bound):
    """``sh:maxInclusive``, SHACL 4.3.4: each value node a number at most the bound."""

    parameter = SH.maxInclusive
    parameters = (SH.maxInclusive,)
    __slots__ = ()

    def check(self, v: Node, batch: Batch) -> bool:
        return numeric(v) and v.value <= self.limit  # type: ignore[attr-defined]
