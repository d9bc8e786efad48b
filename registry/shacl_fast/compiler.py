"""The compiler: reads a shapes graph the way pySHACL finds its shapes (their targets,
paths and ``sh:deactivated``), and compiles each constraint of each shape with its
component (:data:`COMPONENTS`)."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from registry.errors import ShapesUnsupported
from registry.shacl_fast.batch import RDF_TYPE, SH, SUBCLASS_OF, Triple
from registry.shacl_fast.cardinality import MaxCount, MinCount
from registry.shacl_fast.checker import FastChecker
from registry.shacl_fast.logical import Or
from registry.shacl_fast.property_pair import LessThanOrEquals
from registry.shacl_fast.shape import Component, Shape
from registry.shacl_fast.shape_based import Property
from registry.shacl_fast.string_based import Pattern
from registry.shacl_fast.value_range import MaxExclusive, MaxInclusive, MinExclusive, MinInclusive
from registry.shacl_fast.value_type import NODE_KINDS, Class, Datatype, NodeKind

__all__ = ["COMPONENTS", "Compiler", "compile_shapes"]

#: The constraint components the fast checker compiles, in the order a shape's checks
#: run (sh:property last: it counts the shape's own checks before it).
COMPONENTS: tuple[type[Component], ...] = (
    MinCount, MaxCount, Datatype, NodeKind, Class, Pattern,
    MinExclusive, MinInclusive, MaxExclusive, MaxInclusive, LessThanOrEquals, Or, Property,
)  # fmt: skip
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
#: The predicates of the SHACL namespace the compiler understands (targets, paths, the
#: components' parameters, and what does not change whether there is a result); any other
#: one in the shapes graph makes it refuse the graph.
SUPPORTED = frozenset(
    {
        *_TARGETS, SH.path, SH.alternativePath, SH.deactivated, SH.severity, SH.message, SH.name, SH.description,
        *(p for component in COMPONENTS for p in component.parameters),
    }
)  # fmt: skip
#: The IRIs of the SHACL namespace allowed as objects (types, severities, node kinds).
_ALLOWED_OBJECTS = frozenset({SH.NodeShape, SH.PropertyShape, SH.Violation, SH.Warning, SH.Info, *NODE_KINDS})
_SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape})


class Compiler:
    """Reads a shapes graph the way pySHACL finds its shapes, and compiles each one (a
    :class:`registry.shacl_fast.shape.ShapeReader` for the components)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.compiled: dict[Node, Shape] = {}
        self.compiling: set[Node] = set()
        #: every predicate the compiled checks look up, mapped to the one object they use
        self.predicates: dict[Node, Node] = {RDF_TYPE: RDF_TYPE, SUBCLASS_OF: SUBCLASS_OF}

    def predicate(self, p: Node) -> Node:
        """The one object the checks use for predicate ``p``."""
        return self.predicates.setdefault(p, p)

    def one(self, node: Node, predicate: Node) -> Node | None:
        """The value of a parameter that takes at most one (as pySHACL loads it).

        :raises ShapesUnsupported: when the shape gives it more than one.
        """
        values = list(self.graph.objects(node, predicate))
        if len(values) > 1:
            raise ShapesUnsupported(f"more than one {predicate.n3()}", node)
        return values[0] if values else None

    @staticmethod
    def need(condition: bool, message: str, node: Node) -> None:
        """:raises ShapesUnsupported: with ``message`` when ``condition`` is false."""
        if not condition:
            raise ShapesUnsupported(message, node)

    def check_vocabulary(self) -> None:
        """Every SHACL term in the graph is one the compiler knows.

        :raises ShapesUnsupported: at the first one it does not.
        """
        for s, p, o in self.graph:
            if isinstance(s, URIRef) and s.startswith(SH):
                raise ShapesUnsupported("the shapes graph says things of the SHACL vocabulary itself", s)
            if isinstance(p, URIRef) and p.startswith(SH) and p not in SUPPORTED:
                raise ShapesUnsupported(f"{p.n3()} is not supported by the fast checker", s)
            if isinstance(o, URIRef) and o.startswith(SH) and o not in _ALLOWED_OBJECTS:
                raise ShapesUnsupported(f"{o.n3()} is not supported by the fast checker", s)

    def shape_nodes(self) -> set[Node]:
        """The nodes pySHACL takes for shapes (``ShapesGraph._build_node_shape_cache``)."""
        g = self.graph
        found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        for p in (*_TARGETS, SH.property):
            found.update(g.subjects(p, None))
        found.update(g.objects(None, SH.property))
        for lst in g.objects(None, SH["or"]):
            found.update(g.items(lst))
        return found

    def path(self, node: Node) -> tuple[Node, ...] | None:
        """The predicates of the shape's ``sh:path`` (None for a node shape).

        :raises ShapesUnsupported: for a path other than a predicate or an
            ``sh:alternativePath`` of predicates, or a shape typed otherwise.
        """
        g = self.graph
        types = set(g.objects(node, RDF.type))
        if not types <= _SHAPE_TYPES or len(types) > 1:
            raise ShapesUnsupported("a shape must be typed sh:NodeShape or sh:PropertyShape and nothing else", node)
        paths = list(g.objects(node, SH.path))
        if SH.NodeShape in types and paths:
            raise ShapesUnsupported("a node shape with sh:path", node)
        if SH.PropertyShape in types and len(paths) != 1:
            raise ShapesUnsupported("a property shape needs exactly one sh:path", node)
        if not paths:
            return None
        if len(paths) > 1:
            raise ShapesUnsupported("more than one sh:path", node)
        path = paths[0]
        if type(path) is URIRef:
            return (self.predicate(path),)
        if isinstance(path, BNode) and set(g.predicates(path, None)) == {SH.alternativePath}:
            alternatives = self.one(path, SH.alternativePath)
            items = list(g.items(alternatives)) if alternatives is not None else []
            if len(items) >= 2 and all(type(i) is URIRef for i in items):
                return tuple(self.predicate(i) for i in items)
        raise ShapesUnsupported("only predicate paths and sh:alternativePath of predicates are supported", node)

    def deactivated(self, node: Node) -> bool:
        value = self.one(node, SH.deactivated)
        if value is None:
            return False
        if not isinstance(value, Literal):
            raise ShapesUnsupported("sh:deactivated must be a literal", node)
        return bool(value.value)

    def shape(self, node: Node) -> Shape:
        """The compiled shape of ``node``.

        :raises ShapesUnsupported: when the shape uses anything the checker does not support.
        """
        done = self.compiled.get(node)
        if done is not None:
            return done
        if node in self.compiling:
            raise ShapesUnsupported("recursive shapes are not supported", node)
        self.compiling.add(node)
        shape = Shape(node, self.path(node), self.deactivated(node))
        self._targets(shape)
        for component in COMPONENTS:
            component.compile(self, shape)
        self.compiling.discard(node)
        self.compiled[node] = shape
        return shape

    def _targets(self, shape: Shape) -> None:
        g, node = self.graph, shape.node
        for cls in g.objects(node, SH.targetClass):
            self.need(isinstance(cls, URIRef), "sh:targetClass must be an IRI", node)
            shape.classes.append(cls)
        for target in g.objects(node, SH.targetNode):
            self.need(isinstance(target, (URIRef, Literal)), "sh:targetNode must be an IRI or a literal", node)
            shape.nodes.append(target)
        for p in g.objects(node, SH.targetObjectsOf):
            self.need(type(p) is URIRef, "sh:targetObjectsOf must be an IRI", node)
            shape.objects_of.append(self.predicate(p))
        for p in g.objects(node, SH.targetSubjectsOf):
            self.need(type(p) is URIRef, "sh:targetSubjectsOf must be an IRI", node)
            shape.subjects_of.append(self.predicate(p))


def compile_shapes(shapes: Graph, background: Iterable[Triple] = ()) -> FastChecker:
    """Compile every shape of a shapes graph into a :class:`FastChecker`.

    :param shapes: the shapes graph, as pySHACL is given it.
    :param background: triples added to every data graph (the taxonomy term typings).
    :raises ShapesUnsupported: when the graph uses a SHACL feature the checker does not
        support, or holds a shape pySHACL would refuse; nothing of it is then checked fast.
    """
    compiler = Compiler(shapes)
    compiler.check_vocabulary()
    top = []
    for node in sorted(compiler.shape_nodes(), key=str):
        shape = compiler.shape(node)
        if shape.targeted:
            top.append(shape)
    return FastChecker(top, background, compiler.predicates)
