"""Value type constraint components (SHACL 4.1): ``sh:class``, ``sh:datatype`` and
``sh:nodeKind``, as pySHACL's ``ClassConstraintComponent``,
``DatatypeConstraintComponent`` and ``NodeKindConstraintComponent`` check them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.term import Identifier, Node

from registry.errors import ShapesUnsupported
from registry.shacl_fast.batch import SH, XSD, Batch
from registry.shacl_fast.shape import Component, Shape, ShapeReader

__all__ = ["NODE_KINDS", "Class", "Datatype", "NodeKind"]

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
#: The node kinds of ``sh:nodeKind``: (blank node, literal, IRI) allowed.
NODE_KINDS: dict[Node, tuple[bool, bool, bool]] = {
    SH.IRI: (False, False, True),
    SH.BlankNode: (True, False, False),
    SH.Literal: (False, True, False),
    SH.BlankNodeOrIRI: (True, False, True),
    SH.BlankNodeOrLiteral: (True, True, False),
    SH.IRIOrLiteral: (False, True, True),
}


class Class(Component):
    """``sh:class``, SHACL 4.1.1: each value node is an instance of the class (a type of
    it is the class, or a subclass of it by ``rdfs:subClassOf*`` in the data graph)."""

    parameters = (SH["class"],)
    __slots__ = ("cls",)

    def __init__(self, cls: Node) -> None:
        self.cls = cls

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        for target in reader.graph.objects(shape.node, SH["class"]):
            reader.need(isinstance(target, URIRef), "sh:class must be an IRI", shape.node)
            shape.value_checks.append(cls(target).check)

    def check(self, v: Node, batch: Batch) -> bool:
        return not isinstance(v, Literal) and batch.is_instance(v, self.cls)


class Datatype(Component):
    """``sh:datatype``, SHACL 4.1.2: each value node is a literal of the datatype, well
    formed (pySHACL's rules: an ill-typed literal fails, and so does one whose Python
    value is not of the datatype's type; ``rdfs:Literal`` and ``rdfs:Datatype`` as
    pySHACL reads them).

    The rule's own tests (``rule == rdfs:Literal`` ...) are made once, at compile time;
    ``datatype == rule`` is rdflib's ``URIRef`` equality (same type, same text), spelt out
    for speed.
    """

    parameters = (SH.datatype,)
    __slots__ = ("actual", "any_datatype", "any_literal", "lang_string", "plain_string", "text")

    def __init__(self, rule: URIRef) -> None:
        self.actual = _ACTUAL_TYPES.get(rule)
        self.text = str(rule)
        self.any_literal = rule == RDFS.Literal
        self.any_datatype = rule == RDFS.Datatype
        self.plain_string = rule == XSD.string
        self.lang_string = rule == RDF.langString

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        datatype = reader.one(shape.node, SH.datatype)
        if datatype is None:
            return
        if type(datatype) is not URIRef:
            raise ShapesUnsupported("sh:datatype must be an IRI", shape.node)
        shape.value_checks.append(cls(datatype).check)

    def check(self, v: Node, batch: Batch) -> bool:
        if not isinstance(v, Literal):
            return False
        datatype = v.datatype
        if type(datatype) is URIRef and str.__eq__(datatype, self.text):
            if getattr(v, "ill_typed", None) is True:
                return False
            actual = self.actual
            return actual is None or isinstance(v.value, actual)
        if self.any_literal:
            return True
        if self.any_datatype and datatype:
            return True
        if self.plain_string and datatype is None and v.language is None:
            return isinstance(v.value, (str, bytes))
        if self.lang_string and v.language:
            return isinstance(v.value, (str, bytes))
        return False


class NodeKind(Component):
    """``sh:nodeKind``, SHACL 4.1.3: each value node is of the node kind (IRI, blank
    node, literal, or one of their three pairs)."""

    parameters = (SH.nodeKind,)
    __slots__ = ("blank", "iri", "literal")

    def __init__(self, kind: Node) -> None:
        self.blank, self.literal, self.iri = NODE_KINDS[kind]

    @classmethod
    def compile(cls, reader: ShapeReader, shape: Shape) -> None:
        kind = reader.one(shape.node, SH.nodeKind)
        if kind is None:
            return
        reader.need(kind in NODE_KINDS, "sh:nodeKind must be one of the six node kinds", shape.node)
        shape.value_checks.append(cls(kind).check)

    def check(self, v: Node, batch: Batch) -> bool:
        if isinstance(v, BNode):
            return self.blank
        if isinstance(v, Literal):
            return self.literal
        return self.iri and isinstance(v, Identifier)
