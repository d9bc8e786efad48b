"""String-based constraint components (SHACL 4.4): ``sh:pattern`` with ``sh:flags``, as
pySHACL's ``PatternConstraintComponent`` checks it (Python's regular expressions; the
flags ``i`` and ``m`` only)."""

from __future__ import annotations

import re

from rdflib import RDF, BNode, Literal
from rdflib.term import Node

from registry.errors import ShapesUnsupported
from registry.shacl_fast.batch import SH, XSD, Batch
from registry.shacl_fast.shape import Component, Shape, ShapeReader

__all__ = ["Pattern"]

_STRING_TYPES = frozenset({RDF.langString, XSD.string})


class Pattern(Component):
    """``sh:pattern``, SHACL 4.4.3: each pattern is found (``re.search``) in each value
    node's text: a string literal's value, any other literal's or IRI's lexical form; a
    blank node fails. Several patterns on a shape must all be found."""

    parameters = (SH.pattern, SH.flags)
    __slots__ = ("patterns",)

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.patterns = patterns

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        node = shape.node
        patterns = list(reader.graph.objects(node, SH.pattern))
        if patterns:
            shape.value_checks.append(cls(_compiled(reader, node, patterns)).check)
        elif reader.one(node, SH.flags) is not None:
            raise ShapesUnsupported("sh:flags without sh:pattern", node)

    def check(self, v: Node, batch: Batch) -> bool:
        if isinstance(v, BNode):
            return False
        if isinstance(v, Literal) and v.value is not None and (v.datatype is None or v.datatype in _STRING_TYPES):
            text = str(v.value)
        else:
            text = str(v)
        for pattern in self.patterns:
            if pattern.search(text) is None:
                return False
        return True


def _compiled(reader: ShapeReader, node: Node, patterns: list[Node]) -> list[re.Pattern[str]]:
    """The shape's patterns, compiled with its ``sh:flags``.

    :raises ShapesUnsupported: for a flag other than ``i`` and ``m``, a pattern that is no
        string or does not compile.
    """
    flags_node = reader.one(node, SH.flags)
    flags = 0
    if flags_node is not None:
        if not isinstance(flags_node, Literal):
            raise ShapesUnsupported("sh:flags must be a literal", node)
        text = str(flags_node.value).lower() if flags_node else ""
        reader.need(set(text) <= {"i", "m"}, "only the sh:flags i and m are supported", node)
        flags = (re.IGNORECASE if "i" in text else 0) | (re.MULTILINE if "m" in text else 0)
    compiled = []
    for p in patterns:
        if not (isinstance(p, Literal) and isinstance(p.value, str)):
            raise ShapesUnsupported("sh:pattern must be a string", node)
        try:
            compiled.append(re.compile(str(p.value), flags))
        except re.error as exc:
            raise ShapesUnsupported(f"sh:pattern does not compile: {exc}", node) from exc
    return compiled
