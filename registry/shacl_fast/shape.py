"""A compiled shape, and what every constraint component of the fast checker has in
common: the parameters it reads and how it adds its checks to a shape."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from rdflib import Graph, URIRef
from rdflib.term import Node

from registry.shacl_fast.batch import EMPTY, RDF_TYPE, SH, Batch, FocusCheck, ValueCheck

__all__ = ["Component", "Shape", "ShapeReader"]


class Shape:
    """One compiled shape: where its value nodes come from and the checks they must pass.

    :param node: the shape's node in the shapes graph.
    :param path: the predicates of its path (their union: one predicate, or the
        alternatives of ``sh:alternativePath``); None for a node shape.
    :param deactivated: the shape's ``sh:deactivated`` as pySHACL reads it.
    """

    __slots__ = (
        "classes", "deactivated", "focus_checks", "least", "node", "nodes", "objects_of", "own_checks", "path",
        "properties", "subjects_of", "value_checks",
    )  # fmt: skip

    def __init__(self, node: Node, path: tuple[Node, ...] | None, deactivated: bool) -> None:
        self.node = node
        self.path = path
        self.deactivated = deactivated
        self.focus_checks: list[FocusCheck] = []
        self.value_checks: list[ValueCheck] = []
        self.classes: list[Node] = []
        self.nodes: list[Node] = []
        self.objects_of: list[Node] = []
        self.subjects_of: list[Node] = []
        #: its sh:minCount (None when it has none)
        self.least: int | None = None
        #: how many of the value checks are the shape's own (the rest: its property shapes, merged)
        self.own_checks = 0
        #: its property shapes (sh:property), each as compiled, not merged
        self.properties: list[Shape] = []

    @property
    def targeted(self) -> bool:
        return bool(self.classes or self.nodes or self.objects_of or self.subjects_of)

    def values(self, focus: Node, batch: Batch) -> set[Node] | frozenset[Node] | tuple[Node, ...]:
        """The value nodes of ``focus``: itself for a node shape, else those of the path."""
        path = self.path
        if path is None:
            return (focus,)
        po = batch.out.get(focus)
        if po is None:
            return EMPTY
        if len(path) == 1:
            return po.get(path[0], EMPTY)
        found: set[Node] = set()
        for p in path:
            found.update(po.get(p, EMPTY))
        return found

    def conforms(self, focus: Node, batch: Batch) -> bool:
        """True when validating ``focus`` against this shape yields no result at all."""
        if self.deactivated:
            return True
        path = self.path
        if path is None:
            values: Any = (focus,)
        elif len(path) == 1:
            po = batch.out.get(focus)
            values = EMPTY if po is None else po.get(path[0], EMPTY)
        else:
            values = self.values(focus, batch)
        for focus_check in self.focus_checks:
            if not focus_check(focus, values, batch):
                return False
        if values:
            checks = self.value_checks
            for v in values:
                for check in checks:
                    if not check(v, batch):
                        return False
        return True

    def focus_nodes(self, batch: Batch, targets: dict[Node, dict[Node, set[Node]]]) -> set[Node]:
        """The focus nodes of the shape's targets in the batch."""
        found: set[Node] = set(self.nodes)
        by_type = targets[RDF_TYPE]
        for cls in self.classes:
            for sub in batch.subclasses(cls):
                found.update(by_type.get(sub, EMPTY))
        for p in self.objects_of:
            found.update(targets[SH.targetObjectsOf].get(p, EMPTY))
        for p in self.subjects_of:
            found.update(targets[SH.targetSubjectsOf].get(p, EMPTY))
        return found


class ShapeReader(Protocol):
    """What a component is given to read a shape's parameters (the compiler,
    :class:`registry.shacl_fast.compiler.Compiler`)."""

    graph: Graph

    def one(self, node: Node, predicate: Node) -> Node | None:
        """The value of a parameter that takes at most one.

        :raises ShapesUnsupported: when the shape gives it more than one.
        """

    def need(self, condition: bool, message: str, node: Node) -> None:
        """:raises ShapesUnsupported: with ``message`` when ``condition`` is false."""

    def predicate(self, p: Node) -> Node:
        """The one object the checks use for predicate ``p``."""

    def shape(self, node: Node) -> Shape:
        """The compiled shape of ``node``.

        :raises ShapesUnsupported: when it uses anything the checker does not support.
        """


class Component:
    """One SHACL constraint component, as the fast checker compiles it.

    A subclass names the component and its section of the SHACL specification
    (https://www.w3.org/TR/shacl/) in its docstring, lists the parameters it reads, and
    in :meth:`compile` reads them off a shape and adds its checks to the compiled shape:
    a *value check* ``(value node, batch) -> bool`` on each value node, or a *focus
    check* ``(focus node, value nodes, batch) -> bool`` on the focus node and all its
    value nodes at once. A check returns True only when pySHACL (0.40) would find no
    result of the component there, and raise nothing; False means "maybe".
    """

    #: The SHACL parameters the component reads: the compiler refuses any other predicate
    #: of the SHACL namespace.
    parameters: ClassVar[tuple[URIRef, ...]] = ()
    __slots__ = ()

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        """Read the component's parameters of ``shape.node`` and add its checks to ``shape``.

        :raises ShapesUnsupported: when a parameter is one the checker cannot mirror.
        """
        raise NotImplementedError
