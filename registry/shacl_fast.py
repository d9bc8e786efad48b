"""A fast SHACL checker compiled from the shapes graph, for the documents that conform.

pySHACL spends some 2.4 ms an executable walking the shapes, most of it in rdflib's graph
API. Most documents have no validation result at all, and telling *that* needs much less:
:func:`compile_shapes` reads the shapes graph (the very graph the validator hands pySHACL)
once, turns each node and property shape into plain Python checks over an index of the
data, and :meth:`FastChecker.clean` runs them over a batch of documents.

The checker answers first one question: "does pySHACL find **no** validation result
(no violation, no warning, no info) and raise nothing on this data?" Its answer ``True``
must be exact; ``False`` means "maybe", and the validator then runs pySHACL over the batch
exactly as it always did, so that reports, messages and their order are pySHACL's own.
:meth:`FastChecker.missing` answers one more: "is every result pySHACL would find a
``sh:minCount`` not met by a focus node without any value of the shape's one predicate (a
key left out)?", and then names them; such a result has no value and the shape's own
message, so the validator tells it as pySHACL does, and any other result (or doubt) still
sends the batch to pySHACL. Each
check therefore mirrors what pySHACL 0.40 does (its literal comparisons, its
``sh:datatype`` rules for ill-typed literals, its regular expressions and flags), and
refuses (answers ``False``) anything unusual: a blank node where a number is compared, a
string compared with a number, a NaN.

It supports exactly the SHACL Core features the shipped shapes use (see
``_SUPPORTED``): targets by class (with ``rdfs:subClassOf`` in the data graph, as SHACL
defines it), by node, by the objects and the subjects of a property; ``sh:property`` with
predicate paths and ``sh:alternativePath`` of predicates; ``sh:minCount``, ``sh:maxCount``,
``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:pattern`` with ``sh:flags``, ``sh:or``
of shapes, ``sh:minExclusive``, ``sh:minInclusive``, ``sh:maxExclusive``,
``sh:maxInclusive``, ``sh:lessThanOrEquals`` and ``sh:deactivated``; severities and messages
do not change whether there is a result. A shapes graph with anything else in the SHACL
namespace (another constraint, another path, SHACL-AF rules or targets, custom constraint
components), a shape typed as a class (an implicit class target), a recursive shape or a
shape pySHACL would refuse to load is not compiled: :class:`ShapesUnsupported` says why,
and the validator uses pySHACL for everything, so that a shape can never be skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import _NUMERIC_LITERAL_TYPES, Identifier, Node

from registry.errors import ShapesUnsupported

__all__ = ["FastChecker", "compile_shapes"]

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

#: The predicates of the SHACL namespace the compiler understands; any other one in the
#: shapes graph makes it refuse the graph.
_SUPPORTED = frozenset(
    SH[name]
    for name in (
        "targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf",
        "property", "path", "alternativePath",
        "minCount", "maxCount", "datatype", "nodeKind", "class", "pattern", "flags", "or",
        "minExclusive", "minInclusive", "maxExclusive", "maxInclusive", "lessThanOrEquals",
        "deactivated", "severity", "message", "name", "description",
    )
)  # fmt: skip
#: The IRIs of the SHACL namespace allowed as objects (types, severities, node kinds).
_NODE_KINDS: dict[Node, tuple[bool, bool, bool]] = {
    SH.IRI: (False, False, True),
    SH.BlankNode: (True, False, False),
    SH.Literal: (False, True, False),
    SH.BlankNodeOrIRI: (True, False, True),
    SH.BlankNodeOrLiteral: (True, True, False),
    SH.IRIOrLiteral: (False, True, True),
}
_ALLOWED_OBJECTS = frozenset({SH.NodeShape, SH.PropertyShape, SH.Violation, SH.Warning, SH.Info, *_NODE_KINDS})
_SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape})
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
#: pySHACL's ``DatatypeConstraintComponent._assert_actual_datatype``: the Python type a
#: literal's value must have for the datatype to match (None: any).
_ACTUAL_TYPES: dict[Node, tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: (int,),
    XSD.float: (float,),
    XSD.decimal: (Decimal,),
    XSD.boolean: (bool,),
    XSD.date: (date,),
    XSD.time: (time,),
    XSD.dateTime: (datetime,),
}
_STRING_TYPES = frozenset({RDF.langString, XSD.string})
_NUMERIC_TYPES = frozenset(_NUMERIC_LITERAL_TYPES)
_EMPTY: frozenset[Node] = frozenset()
_RDF_TYPE = RDF.type
_SUBCLASS_OF = RDFS.subClassOf

Index = dict[Node, dict[Node, set[Node]]]
Triple = tuple[Node, Node, Node]
#: A compiled constraint on a focus node and all its value nodes (counts, comparisons
#: with another property): (focus node, its value nodes, the batch) -> no result possible.
FocusCheck = Callable[[Node, Any, "_Batch"], bool]
#: A compiled constraint on one value node: (value node, the batch) -> no result possible.
ValueCheck = Callable[[Node, "_Batch"], bool]


class _Batch:
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
            return _EMPTY
        return po.get(predicate, _EMPTY)

    def is_instance(self, node: Node, cls: Node) -> bool:
        """pySHACL's ``sh:class`` test: a type of ``node`` is ``cls`` or has it among its
        superclasses (``rdfs:subClassOf*`` in the data graph)."""
        po = self.out.get(node)
        types = _EMPTY if po is None else po.get(_RDF_TYPE, _EMPTY)
        if cls in types:
            return True
        if not types or not self.superclasses:
            return False
        seen = set(types)
        todo = list(types)
        while todo:
            for parent in self.superclasses.get(todo.pop(), _EMPTY):
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


class _Shape:
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
        self.properties: list[_Shape] = []

    @property
    def targeted(self) -> bool:
        return bool(self.classes or self.nodes or self.objects_of or self.subjects_of)

    def values(self, focus: Node, batch: _Batch) -> set[Node] | frozenset[Node] | tuple[Node, ...]:
        """The value nodes of ``focus``: itself for a node shape, else those of the path."""
        path = self.path
        if path is None:
            return (focus,)
        po = batch.out.get(focus)
        if po is None:
            return _EMPTY
        if len(path) == 1:
            return po.get(path[0], _EMPTY)
        found: set[Node] = set()
        for p in path:
            found.update(po.get(p, _EMPTY))
        return found

    def conforms(self, focus: Node, batch: _Batch) -> bool:
        """True when validating ``focus`` against this shape yields no result at all."""
        if self.deactivated:
            return True
        path = self.path
        if path is None:
            values: Any = (focus,)
        elif len(path) == 1:
            po = batch.out.get(focus)
            values = _EMPTY if po is None else po.get(path[0], _EMPTY)
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

    def focus_nodes(self, batch: _Batch, targets: dict[Node, dict[Node, set[Node]]]) -> set[Node]:
        """The focus nodes of the shape's targets in the batch."""
        found: set[Node] = set(self.nodes)
        by_type = targets[_RDF_TYPE]
        for cls in self.classes:
            for sub in batch.subclasses(cls):
                found.update(by_type.get(sub, _EMPTY))
        for p in self.objects_of:
            found.update(targets[SH.targetObjectsOf].get(p, _EMPTY))
        for p in self.subjects_of:
            found.update(targets[SH.targetSubjectsOf].get(p, _EMPTY))
        return found


class FastChecker:
    """The shapes of one shapes graph, compiled; made by :func:`compile_shapes`.

    :param shapes: the compiled shapes that have targets (the ones validation starts from).
    :param background: triples pySHACL sees in every data graph besides the documents'
        (the taxonomy term typings).
    :param predicates: the predicates the shapes use, each mapped to the very object the
        compiled checks look up (see :class:`_Batch`).
    """

    def __init__(
        self,
        shapes: Sequence[_Shape],
        background: Iterable[Triple] = (),
        predicates: dict[Node, Node] | None = None,
    ) -> None:
        self.shapes = list(shapes)
        self.predicates = {_RDF_TYPE: _RDF_TYPE, _SUBCLASS_OF: _SUBCLASS_OF, **(predicates or {})}
        self.background: Index = {}
        for s, p, o in background:
            p = self.predicates.get(p, p)
            self.background.setdefault(s, {}).setdefault(p, set()).add(o)
        #: predicate -> what indexing does with it: 1 types, 2 subclasses, 4 objects-of
        #: targets, 8 subjects-of targets (a sum when several).
        self._watch: dict[Node, int] = {_RDF_TYPE: 1, _SUBCLASS_OF: 2}
        for shape in self.shapes:
            for p in shape.objects_of:
                self._watch[p] = self._watch.get(p, 0) | 4
            for p in shape.subjects_of:
                self._watch[p] = self._watch.get(p, 0) | 8

    def clean(self, graphs: Iterable[Iterable[Triple]]) -> bool:
        """True only when pySHACL, run over the union of ``graphs`` (rdflib graphs, or
        lists of triples) and the background triples with these shapes, would find no
        validation result at all (of any severity) and raise nothing; False when it finds
        or might find one."""
        batch, targets = self._index(graphs)
        for shape in self.shapes:
            if shape.deactivated:
                continue
            for focus in shape.focus_nodes(batch, targets):
                if not shape.conforms(focus, batch):
                    return False
        return True

    def missing(self, graphs: Iterable[Iterable[Triple]]) -> list[tuple[Node, Node, Node]] | None:
        """Every validation result pySHACL would find over ``graphs``, when each one is a
        property shape's ``sh:minCount`` not met by a focus node that has no value at all
        for the shape's one predicate (a recommended key left out: the result of
        pySHACL's ``MinCountConstraintComponent``, with no ``sh:value``); ``None`` when
        any result might be of another kind (then pySHACL must run).

        :returns: ``(property shape, focus node, predicate)`` of each result.
        """
        batch, targets = self._index(graphs)
        found: list[tuple[Node, Node, Node]] = []
        for shape in self.shapes:
            if shape.deactivated:
                continue
            for focus in shape.focus_nodes(batch, targets):
                if shape.conforms(focus, batch):
                    continue
                if shape.path is None:
                    own = shape.value_checks[: shape.own_checks]
                    if not all(check(focus, batch) for check in own):
                        return None
                    for prop in shape.properties:
                        if not _missing(prop, focus, batch, found):
                            return None
                elif not _missing(shape, focus, batch, found):
                    return None
        return found

    def _index(self, graphs: Iterable[Iterable[Triple]]) -> tuple[_Batch, dict[Node, dict[Node, set[Node]]]]:
        """The batch of ``graphs`` and its targets: the focus nodes by type, and the
        objects and subjects of the predicates shapes target."""
        batch = _Batch(graphs, self.background, self.predicates)
        by_type: dict[Node, set[Node]] = {}
        objects_of: dict[Node, set[Node]] = {}
        subjects_of: dict[Node, set[Node]] = {}
        watch = self._watch
        for s, po in batch.out.items():
            for p, objects in po.items():
                what = watch.get(p)
                if what is None:
                    continue
                if what & 1:
                    for o in objects:
                        members = by_type.get(o)
                        if members is None:
                            by_type[o] = {s}
                        else:
                            members.add(s)
                if what & 2:
                    batch.superclasses[s] = set(objects)
                if what & 4:
                    objects_of.setdefault(p, set()).update(objects)
                if what & 8:
                    subjects_of.setdefault(p, set()).add(s)
        targets: dict[Node, dict[Node, set[Node]]] = {_RDF_TYPE: by_type, SH.targetObjectsOf: objects_of, SH.targetSubjectsOf: subjects_of}
        return batch, targets


def _missing(prop: _Shape, focus: Node, batch: _Batch, found: list[tuple[Node, Node, Node]]) -> bool:
    """Add to ``found`` the result of property shape ``prop`` on ``focus`` when it is a
    ``sh:minCount`` not met for want of any value (see :meth:`FastChecker.missing`).

    :returns: False when ``prop`` might give ``focus`` a result of another kind.
    """
    if prop.deactivated:
        return True
    values = prop.values(focus, batch)
    if all(check(focus, values, batch) for check in prop.focus_checks):
        return all(check(v, batch) for v in values for check in prop.value_checks)
    # A focus check fails. With no value at all, only the count can (sh:lessThanOrEquals
    # has nothing to compare, value checks nothing to check): one MinCount result.
    if values or not prop.least or prop.path is None or len(prop.path) != 1:
        return False
    found.append((prop.node, focus, prop.path[0]))
    return True


# -- the checks --------------------------------------------------------------------------


def _numeric(node: Node) -> bool:
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


def _count_check(least: int | None, most: int | None) -> FocusCheck:
    def check(focus: Node, values: Any, batch: _Batch) -> bool:
        n = len(values)
        return (least is None or n >= least) and (most is None or n <= most)

    return check


def _datatype_check(rule: URIRef) -> ValueCheck:
    """pySHACL's ``DatatypeConstraintComponent`` on one value. The rule's own tests
    (``rule == rdfs:Literal`` ...) are made once, here; ``datatype == rule`` is rdflib's
    ``URIRef`` equality (same type, same text), spelt out for speed."""
    actual = _ACTUAL_TYPES.get(rule)
    text = str(rule)
    any_literal = rule == RDFS.Literal
    any_datatype = rule == RDFS.Datatype
    plain_string = rule == XSD.string
    lang_string = rule == RDF.langString
    same = str.__eq__

    def check(v: Node, batch: _Batch) -> bool:
        if not isinstance(v, Literal):
            return False
        datatype = v.datatype
        if type(datatype) is URIRef and same(datatype, text):
            if getattr(v, "ill_typed", None) is True:
                return False
            return actual is None or isinstance(v.value, actual)
        if any_literal:
            return True
        if any_datatype and datatype:
            return True
        if plain_string and datatype is None and v.language is None:
            return isinstance(v.value, (str, bytes))
        if lang_string and v.language:
            return isinstance(v.value, (str, bytes))
        return False

    return check


def _node_kind_check(kind: Node) -> ValueCheck:
    blank, literal, iri = _NODE_KINDS[kind]

    def check(v: Node, batch: _Batch) -> bool:
        if isinstance(v, BNode):
            return blank
        if isinstance(v, Literal):
            return literal
        return iri and isinstance(v, Identifier)

    return check


def _class_check(cls: Node) -> ValueCheck:
    def check(v: Node, batch: _Batch) -> bool:
        return not isinstance(v, Literal) and batch.is_instance(v, cls)

    return check


def _pattern_check(patterns: list[re.Pattern[str]]) -> ValueCheck:
    """pySHACL's ``PatternConstraintComponent``: each pattern searched in the value's text."""

    def check(v: Node, batch: _Batch) -> bool:
        if isinstance(v, BNode):
            return False
        if isinstance(v, Literal) and v.value is not None and (v.datatype is None or v.datatype in _STRING_TYPES):
            text = str(v.value)
        else:
            text = str(v)
        for pattern in patterns:
            if pattern.search(text) is None:
                return False
        return True

    return check


def _or_check(members: list[_Shape]) -> ValueCheck:
    def check(v: Node, batch: _Batch) -> bool:
        for member in members:
            if member.conforms(v, batch):
                return True
        return False

    return check


def _range_check(kind: Node, bound: Literal) -> ValueCheck:
    """``sh:minExclusive`` and its kin over numbers; anything else might be a result."""
    limit = bound.value
    comparisons: dict[Node, Callable[[Any], bool]] = {
        SH.minExclusive: lambda x: x > limit,
        SH.minInclusive: lambda x: x >= limit,
        SH.maxExclusive: lambda x: x < limit,
        SH.maxInclusive: lambda x: x <= limit,
    }
    compare = comparisons[kind]

    def check(v: Node, batch: _Batch) -> bool:
        return _numeric(v) and compare(v.value)  # type: ignore[attr-defined]

    return check


def _less_than_or_equals_check(other: Node) -> FocusCheck:
    """``sh:lessThanOrEquals`` over numbers. pySHACL raises on a blank node among the
    values (with or without values to compare them to): not numeric, so not clean."""

    def check(focus: Node, values: Any, batch: _Batch) -> bool:
        others = batch.objects(focus, other)
        for v in values:
            if not _numeric(v):
                return False
            for o in others:
                if not _numeric(o) or not v.value <= o.value:  # type: ignore[attr-defined]
                    return False
        return True

    return check


# -- the compiler --------------------------------------------------------------------------


class _Compiler:
    """Reads a shapes graph the way pySHACL finds its shapes, and compiles each one."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.compiled: dict[Node, _Shape] = {}
        self.compiling: set[Node] = set()
        #: every predicate the compiled checks look up, mapped to the one object they use
        self.predicates: dict[Node, Node] = {_RDF_TYPE: _RDF_TYPE, _SUBCLASS_OF: _SUBCLASS_OF}

    def predicate(self, p: Node) -> Node:
        """The one object the checks use for predicate ``p``."""
        return self.predicates.setdefault(p, p)

    def one(self, node: Node, predicate: Node) -> Node | None:
        """The value of a parameter that takes at most one (as pySHACL loads it)."""
        values = list(self.graph.objects(node, predicate))
        if len(values) > 1:
            raise ShapesUnsupported(f"more than one {predicate.n3()}", node)
        return values[0] if values else None

    def check_vocabulary(self) -> None:
        """Every SHACL term in the graph is one the compiler knows.

        :raises ShapesUnsupported: at the first one it does not.
        """
        for s, p, o in self.graph:
            if isinstance(s, URIRef) and s.startswith(SH):
                raise ShapesUnsupported("the shapes graph says things of the SHACL vocabulary itself", s)
            if isinstance(p, URIRef) and p.startswith(SH) and p not in _SUPPORTED:
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

    def shape(self, node: Node) -> _Shape:
        """The compiled shape of ``node``.

        :raises ShapesUnsupported: when the shape uses anything the checker does not support.
        """
        done = self.compiled.get(node)
        if done is not None:
            return done
        if node in self.compiling:
            raise ShapesUnsupported("recursive shapes are not supported", node)
        self.compiling.add(node)
        shape = _Shape(node, self.path(node), self.deactivated(node))
        self._targets(shape)
        self._constraints(shape)
        self.compiling.discard(node)
        self.compiled[node] = shape
        return shape

    def _targets(self, shape: _Shape) -> None:
        g, node = self.graph, shape.node
        for cls in g.objects(node, SH.targetClass):
            self._need(isinstance(cls, URIRef), "sh:targetClass must be an IRI", node)
            shape.classes.append(cls)
        for target in g.objects(node, SH.targetNode):
            self._need(isinstance(target, (URIRef, Literal)), "sh:targetNode must be an IRI or a literal", node)
            shape.nodes.append(target)
        for p in g.objects(node, SH.targetObjectsOf):
            self._need(type(p) is URIRef, "sh:targetObjectsOf must be an IRI", node)
            shape.objects_of.append(self.predicate(p))
        for p in g.objects(node, SH.targetSubjectsOf):
            self._need(type(p) is URIRef, "sh:targetSubjectsOf must be an IRI", node)
            shape.subjects_of.append(self.predicate(p))

    @staticmethod
    def _need(condition: bool, message: str, node: Node) -> None:
        if not condition:
            raise ShapesUnsupported(message, node)

    def _count(self, node: Node, predicate: Node, is_property: bool) -> int | None:
        value = self.one(node, predicate)
        if value is None:
            return None
        self._need(is_property, f"{predicate.n3()} on a node shape", node)
        if not (isinstance(value, Literal) and value.datatype == XSD.integer and isinstance(value.value, int)):
            raise ShapesUnsupported(f"{predicate.n3()} must be an xsd:integer", node)
        self._need(value.value >= 0, f"{predicate.n3()} must not be negative", node)
        return int(value.value)

    def _constraints(self, shape: _Shape) -> None:
        g, node = self.graph, shape.node
        is_property = shape.path is not None
        checks = shape.value_checks
        least = self._count(node, SH.minCount, is_property)
        most = self._count(node, SH.maxCount, is_property)
        shape.least = least
        if least is not None or most is not None:
            shape.focus_checks.append(_count_check(least, most))
        datatype = self.one(node, SH.datatype)
        if datatype is not None:
            if type(datatype) is not URIRef:
                raise ShapesUnsupported("sh:datatype must be an IRI", node)
            checks.append(_datatype_check(datatype))
        kind = self.one(node, SH.nodeKind)
        if kind is not None:
            self._need(kind in _NODE_KINDS, "sh:nodeKind must be one of the six node kinds", node)
            checks.append(_node_kind_check(kind))
        for cls in g.objects(node, SH["class"]):
            self._need(isinstance(cls, URIRef), "sh:class must be an IRI", node)
            checks.append(_class_check(cls))
        patterns = list(g.objects(node, SH.pattern))
        if patterns:
            checks.append(_pattern_check(self._patterns(node, patterns)))
        elif self.one(node, SH.flags) is not None:
            raise ShapesUnsupported("sh:flags without sh:pattern", node)
        for kind in (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive):
            for bound in g.objects(node, kind):
                self._need(_numeric(bound), f"{kind.n3()} must be a finite number", node)
                checks.append(_range_check(kind, bound))  # type: ignore[arg-type]
        for other in g.objects(node, SH.lessThanOrEquals):
            self._need(is_property, "sh:lessThanOrEquals on a node shape", node)
            self._need(type(other) is URIRef, "sh:lessThanOrEquals must be an IRI", node)
            shape.focus_checks.append(_less_than_or_equals_check(self.predicate(other)))
        for lst in g.objects(node, SH["or"]):
            members = list(g.items(lst))
            self._need(len(members) > 0, "sh:or needs a list of shapes", node)
            checks.append(_or_check([self.shape(m) for m in members]))
        # Each value node is a focus node of each property shape. Property shapes with the
        # same path are merged into one, so that the path is followed once: a merged shape
        # has no result exactly when none of them has (a deactivated one has none).
        by_path: dict[tuple[Node, ...], _Shape] = {}
        shape.own_checks = len(checks)
        for prop in g.objects(node, SH.property):
            compiled = self.shape(prop)
            self._need(compiled.path is not None, "sh:property must name a property shape", prop)
            if compiled.deactivated:
                continue
            shape.properties.append(compiled)
            merged = by_path.get(compiled.path)  # type: ignore[arg-type]
            if merged is None:
                merged = by_path[compiled.path] = _Shape(prop, compiled.path, False)  # type: ignore[index]
            merged.focus_checks.extend(compiled.focus_checks)
            merged.value_checks.extend(compiled.value_checks)
        checks.extend(merged.conforms for merged in by_path.values())

    def _patterns(self, node: Node, patterns: list[Node]) -> list[re.Pattern[str]]:
        flags_node = self.one(node, SH.flags)
        flags = 0
        if flags_node is not None:
            if not isinstance(flags_node, Literal):
                raise ShapesUnsupported("sh:flags must be a literal", node)
            text = str(flags_node.value).lower() if flags_node else ""
            self._need(set(text) <= {"i", "m"}, "only the sh:flags i and m are supported", node)
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


def compile_shapes(shapes: Graph, background: Iterable[Triple] = ()) -> FastChecker:
    """Compile every shape of a shapes graph into a :class:`FastChecker`.

    :param shapes: the shapes graph, as pySHACL is given it.
    :param background: triples added to every data graph (the taxonomy term typings).
    :raises ShapesUnsupported: when the graph uses a SHACL feature the checker does not
        support, or holds a shape pySHACL would refuse; nothing of it is then checked fast.
    """
    compiler = _Compiler(shapes)
    compiler.check_vocabulary()
    top = []
    for node in sorted(compiler.shape_nodes(), key=str):
        shape = compiler.shape(node)
        if shape.targeted:
            top.append(shape)
    return FastChecker(top, background, compiler.predicates)
