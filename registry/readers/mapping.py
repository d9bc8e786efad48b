"""What the registry's JSON-LD context makes of a manifest's keys, compiled once per
vocabulary: each key's term and property, domains and ranges (:class:`_Mapper`), and the
contexts rdflib's JSON-LD processor builds for an entry and the objects nested in it
(:class:`_Scope`), with the rule each key's values follow (:class:`_Rule`).

:mod:`registry.readers.manifest` walks a manifest with it: whatever these rules would
treat otherwise than as a plain term, a plain literal or an IRI is refused
(:class:`_Unmapped`) and the manifest is read through the JSON-LD processor instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from rdflib import RDF, XSD, Literal, URIRef
from rdflib.plugins.shared.jsonld.context import UNDEF, Context

from registry.readers.model import _DOCUMENT_IRI, ENTRY_KEYS
from registry.units import Kind
from registry.vocabulary import ESAP, Vocabulary, get_vocabulary

#: IRIs the annotator gives entries and their nested nodes, to check that the JSON-LD
#: processor would keep them as they are.
_SAMPLE_NODE_IRIS = (
    "urn:uuid:00000000-0000-4000-8000-000000000000",
    "urn:uuid:00000000-0000-4000-8000-000000000000#key-0#key",
    "urn:esap-registry:unidentified:1:executables-0#key-0",
)


class _Unmapped(Exception):
    """The direct path met something it does not map itself: the manifest is read
    through the JSON-LD processor instead."""


class _Rule(NamedTuple):
    """What the JSON-LD processor makes of one key's values in one context."""

    predicate: URIRef
    #: values are IRIs (``"@type": "@id"``), else plain literals
    iri: bool
    #: the kind of quantity the property holds, if any
    kind: Kind | None
    #: the property of its canonical number, if any
    canonical: URIRef | None


#: The caches of IRI values and literals are emptied when they grow past this many.
_IRI_CACHE = 1 << 14


_LITERALS: dict[tuple[type, Any], Literal] = {}


#: Longer texts are not kept in the literal cache.
_CACHED_TEXT = 200


def _literal(value: str | int | float | bool) -> Literal:
    """The literal the JSON-LD processor makes of a JSON value (a double for a float, a
    plain literal for text, an integer or a boolean), kept for the values seen again
    (texts only when short)."""
    if isinstance(value, str):
        if len(value) > _CACHED_TEXT:
            return Literal(value)
        key: tuple[type, Any] = (str, value)
    else:
        key = (type(value), repr(value))
    found = _LITERALS.get(key)
    if found is None:
        if len(_LITERALS) >= _IRI_CACHE:
            _LITERALS.clear()
        found = _LITERALS[key] = Literal(value, datatype=XSD.double) if isinstance(value, float) else Literal(value)
    return found


def _decimal(number: Decimal) -> Literal:
    """The ``xsd:decimal`` literal of a canonical number, kept for the numbers seen again."""
    key = (Decimal, str(number))
    found = _LITERALS.get(key)
    if found is None:
        if len(_LITERALS) >= _IRI_CACHE:
            _LITERALS.clear()
        found = _LITERALS[key] = Literal(number, datatype=XSD.decimal)
    return found


class _Scope:
    """One JSON-LD context of a manifest's nodes (an entry's type-scoped context, or
    the one of the objects nested in it) as rdflib's JSON-LD processor builds it, with
    what each key, class term and IRI value becomes there, worked out on first use."""

    def __init__(self, context: Context, mapper: _Mapper) -> None:
        self.context = context
        self.mapper = mapper
        #: the context a node reference ``{"@id": ...}`` is resolved in
        self.reference_context = context.get_context_for_type({})
        self.keeps_node_iris = all(context.resolve(iri) == iri for iri in _SAMPLE_NODE_IRIS)
        self._rules: dict[str, _Rule | None] = {}
        self._types: dict[str, URIRef | None] = {}
        self._children: dict[str | None, _Scope] = {}
        self._iris: dict[str, URIRef | None] = {}

    def rule(self, key: str) -> _Rule:
        """How the values of ``key`` become RDF.

        :raises _Unmapped: when the processor would do more with them than make the
            key's property point to a plain literal, an IRI or a node.
        """
        if key in self._rules:
            rule = self._rules[key]
        else:
            rule = self._rules[key] = self._compile(key)
        if rule is None:
            raise _Unmapped(f"the key {key!r}")
        return rule

    def _compile(self, key: str) -> _Rule | None:
        term = self.context.terms.get(key)
        if term is None or term.reverse or term.context is not UNDEF or term.index not in (None, UNDEF):
            return None
        if term.type not in (UNDEF, "@id") or not set(term.container) <= {"@set"}:
            return None
        language = term.language if term.language is not UNDEF else self.context.language
        iri = term.id
        if language is not None or not isinstance(iri, str) or iri.startswith(("@", "_:")) or ":" not in iri or " " in key:
            return None
        predicate = URIRef(iri)
        vocabulary = self.mapper.vocabulary
        if predicate == RDF.type or predicate in vocabulary.given_property:
            return None  # types are the annotator's; canonical values are derived, never read
        kind = vocabulary.quantity_kind(predicate)
        canonical = vocabulary.canonical_properties.get(predicate, (None, kind))[0] if kind is not None else None
        return _Rule(predicate, term.type == "@id", kind, canonical)

    def type_iri(self, class_term: str) -> URIRef:
        """The IRI ``"@type": class_term`` gives a node of this context.

        :raises _Unmapped: when it is no plain IRI.
        """
        if class_term not in self._types:
            expanded = self.context.expand(class_term) or self.context.resolve_iri(class_term)
            self._types[class_term] = self._reference(expanded)
        found = self._types[class_term]
        if found is None:
            raise _Unmapped(f"the class term {class_term!r}")
        return found

    def iri(self, value: str) -> URIRef:
        """The IRI an ``"@type": "@id"`` key's value becomes.

        :raises _Unmapped: when it becomes a blank node, or nothing.
        """
        try:
            found = self._iris[value]
        except KeyError:
            if len(self._iris) >= _IRI_CACHE:
                self._iris.clear()
            found = self._iris[value] = None if value.startswith("_:") else self._reference(self.context.resolve(value))
        if found is None:
            raise _Unmapped("an IRI value")
        return found

    def _reference(self, value: str | None) -> URIRef | None:
        """What the processor makes of the node reference ``{"@id": value}``: an IRI, or
        ``None`` for a blank node or nothing."""
        if not value or value.startswith("_:"):
            return None
        resolved = self.reference_context.resolve(value)
        return URIRef(resolved) if resolved and ":" in resolved else None

    def child(self, class_term: str | None) -> _Scope:
        """The context of an object nested in a node of this one (typed ``class_term``)."""
        if class_term not in self._children:
            node = {"@type": class_term} if class_term else {}
            self._children[class_term] = _Scope(self.context.get_context_for_type(node), self.mapper)
        return self._children[class_term]


class _Key(NamedTuple):
    """A known key of a manifest's objects."""

    prop: URIRef
    #: its term definition in the context (``{}`` for a plain term)
    definition: dict[str, Any]
    #: the property's declared domain
    domain: URIRef | None
    #: the class of the nested objects it holds; ``None`` for plain values and taxonomy terms
    node_class: URIRef | None


class _Mapper:
    """What walking a manifest needs of the vocabulary and its JSON-LD context, worked
    out once per vocabulary: each key's term and property, domains and ranges, and
    (for the direct path) the contexts of the JSON-LD processor.

    :param vocabulary: the vocabulary whose context maps the manifest.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.context = vocabulary.context
        self.common = {k: v for k, v in self.context.items() if not k.startswith("@")}
        self._terms: dict[str | None, dict[str, Any]] = {}
        self._term: dict[tuple[str | None, str], tuple[URIRef, dict[str, Any]] | None] = {}
        self._keys: dict[tuple[str | None, str], _Key | None] = {}
        self._known: dict[str | None, list[str]] = {}
        self._domain: dict[URIRef, URIRef | None] = {}
        self._node_class: dict[URIRef, URIRef | None] = {}
        self._class_term: dict[URIRef, str | None] = {}
        self._entry_scopes: dict[str, _Scope] = {}
        self.top: Context | None
        try:
            top = Context(base=_DOCUMENT_IRI)
            top.load(self.context, top.base)
        except Exception:  # noqa: BLE001 - a context rdflib cannot read: the JSON-LD path reports it
            top = None
        self.top = top

    def expand(self, curie: str) -> URIRef:
        """A compact IRI of the context (``esap:minCores``) as a full IRI."""
        prefix, _, local = curie.partition(":")
        base = self.context.get(prefix)
        return URIRef(base + local) if isinstance(base, str) and local else URIRef(curie)

    def terms(self, class_term: str | None) -> dict[str, Any]:
        """The terms of the context in force in an object of ``class_term`` (the
        common ones, and the type-scoped ones of an entry's class)."""
        if class_term not in self._terms:
            terms = dict(self.common)
            if class_term and isinstance(self.context.get(class_term), dict):
                terms.update(self.context[class_term].get("@context", {}))
            self._terms[class_term] = terms
        return self._terms[class_term]

    def term(self, class_term: str | None, key: str) -> tuple[URIRef, dict[str, Any]] | None:
        """The property of ``key`` in an object of ``class_term``, and its definition."""
        found = (class_term, key)
        if found not in self._term:
            definition = self.terms(class_term).get(key)
            if definition is None:
                self._term[found] = None
            elif isinstance(definition, str):
                self._term[found] = (self.expand(definition), {})
            else:
                self._term[found] = (self.expand(definition["@id"]), definition)
        return self._term[found]

    def key(self, class_term: str | None, key: str) -> _Key | None:
        """What ``key`` is in an object of ``class_term``; ``None`` for an unknown key (no
        term, an entry list's key, or a class's term)."""
        found = (class_term, key)
        if found not in self._keys:
            term = self.term(class_term, key)
            if term is None or key in ENTRY_KEYS or key[:1].isupper():
                self._keys[found] = None
            else:
                prop, definition = term
                self._keys[found] = _Key(prop, definition, self.domain_of(prop), self.node_class(prop))
        return self._keys[found]

    def known(self, class_term: str | None) -> list[str]:
        """The keys an object of ``class_term`` may have, for "did you mean"."""
        if class_term not in self._known:
            terms = self.terms(class_term)
            known = sorted(k for k in terms if not k[:1].isupper() and k not in ENTRY_KEYS and not k.startswith("@"))
            self._known[class_term] = [k for k in known if ":" not in k and k not in ("esap", "xsd")]
        return self._known[class_term]

    def domain_of(self, prop: URIRef) -> URIRef | None:
        """The property's declared domain."""
        if prop not in self._domain:
            self._domain[prop] = self.vocabulary.domain_of(prop)
        return self._domain[prop]

    def node_class(self, prop: URIRef) -> URIRef | None:
        """The class of the nested objects the property holds; ``None`` when its values are
        plain values or terms of a taxonomy."""
        if prop not in self._node_class:
            cls = self.vocabulary.range_of(prop)
            is_node = cls is not None and cls not in self.vocabulary.taxonomy_classes and str(cls).startswith(str(ESAP))
            self._node_class[prop] = cls if is_node else None
        return self._node_class[prop]

    def class_term(self, cls: URIRef) -> str | None:
        """The context's term for a class."""
        if cls not in self._class_term:
            self._class_term[cls] = None
            for name, definition in self.common.items():
                iri = definition if isinstance(definition, str) else definition.get("@id")
                if isinstance(iri, str) and self.expand(iri) == cls:
                    self._class_term[cls] = name
                    break
        return self._class_term[cls]

    def home(self, cls: URIRef) -> str:
        """Where keys of ``cls`` belong, for messages."""
        keys = sorted({k for p, k in self.vocabulary.json_keys.items() if self.vocabulary.range_of(p) == cls})
        if keys:
            return f"it is a key of the objects in {' or '.join(keys)}"
        return f"it is a key of {self.vocabulary.label(cls)} entries"

    def entry_scope(self, class_term: str) -> _Scope:
        """The context of an entry of ``class_term``, for the direct path.

        :raises _Unmapped: when rdflib could not read the context.
        """
        if self.top is None:
            raise _Unmapped("the context")
        if class_term not in self._entry_scopes:
            self._entry_scopes[class_term] = _Scope(self.top.get_context_for_type({"@type": class_term}), self)
        return self._entry_scopes[class_term]


_MAPPERS: dict[int, tuple[Vocabulary, _Mapper]] = {}


def _mapper(vocabulary: Vocabulary) -> _Mapper:
    """The mapper of a vocabulary, made on first use."""
    found = _MAPPERS.get(id(vocabulary))
    if found is None or found[0] is not vocabulary:
        found = _MAPPERS[id(vocabulary)] = (vocabulary, _Mapper(vocabulary))
    return found[1]


def _registry_context() -> dict[str, Any]:
    """The registry's own JSON-LD context (the shipped vocabulary's), shared, not copied:
    it is only ever written out with ``json.dumps``, never changed."""
    return get_vocabulary().context
