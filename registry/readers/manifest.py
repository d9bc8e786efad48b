"""The manifest mapper: a plain manifest (``{"executables": [...]}``, ``{"platforms": [...]}``)
becomes RDF through the JSON-LD context in ``ontology/context.jsonld``.

A plain manifest is walked once by :class:`_Annotator`, which reports what is wrong with it
and either emits its triples itself (the direct path) or annotates it for rdflib's
JSON-LD processor (the JSON-LD path, kept for what the direct path does not map).
The direct path reads what each key, class term and IRI becomes from the JSON-LD
context as rdflib's own processor builds it (:mod:`registry.readers.mapping`),
once per vocabulary, and follows the processor's rules for values; whatever those
rules would treat otherwise than as a plain term, a plain literal or an IRI is
refused (``_Unmapped``) and the manifest is read again through the JSON-LD processor.

Annotated, not translated: every entry gets ``"@id": "urn:uuid:<uuid>"`` and its class
as ``"@type"``, and every nested object an ``@id`` below its entry
(``urn:uuid:<uuid>#compute-resources-0``) and the class its property ranges over in the
ontology. Those IRIs also tell which JSON path each node came from, so that validation
speaks of ``executables[1].uuid`` rather than of blank nodes.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from registry.errors import InputError, UnitError
from registry.readers.base import Reader
from registry.readers.mapping import _decimal, _literal, _Mapper, _mapper, _registry_context, _Rule, _Scope, _Unmapped
from registry.readers.model import (
    _DOCUMENT_IRI,
    _UUID,
    ENTRY_CLASSES,
    ENTRY_KEYS,
    MAX_DEPTH,
    Document,
    Problem,
    _entry_graph,
)
from registry.readers.normalise import _canonical_number, _finish
from registry.vocabulary import ESAP, Vocabulary

#: rdf:type, looked up once (rdflib's namespace attribute access is slow on a hot path).
_RDF_TYPE = RDF.type


class _Annotator:
    """Walks a manifest: records JSON paths and reports faults, and either emits the
    entries' triples (``direct``) or adds ``@id`` and ``@type`` to every object for the
    JSON-LD processor.

    In direct mode, :meth:`entry` raises :class:`_Unmapped` on anything it does not map.
    """

    def __init__(self, mapper: _Mapper, source: str, *, direct: bool) -> None:
        self.mapper = mapper
        self.source = source
        self.direct = direct
        self.problems: list[Problem] = []
        self.paths: dict[Node, str] = {}
        self.objects: dict[str, Any] = {}
        self.seen_uuids: dict[str, str] = {}
        #: direct mode: each entry walked, with its class and triples, in document order
        self.walked: list[tuple[URIRef, URIRef, list[tuple[Node, Node, Node]]]] = []
        self._triples: list[tuple[Node, Node, Node]] = []
        self._quantities: list[tuple[URIRef, _Rule, Literal]] = []
        #: the lists given empty (``"storage-resources": []``): (node, property), which an
        #: empty list says nothing of in RDF, so each gets an ``esap:emptyList`` triple
        self.empties: list[tuple[URIRef, URIRef]] = []

    def entry(self, top_key: str, index: int, obj: Any, document_number: int) -> Any:
        """Walk one entry of the list under ``top_key``.

        :returns: the annotated entry (JSON-LD mode), or ``None`` (direct mode, or when
            it is not an object).
        :raises _Unmapped: in direct mode, on anything the direct path does not map.
        """
        path = f"{top_key}[{index}]"
        self.objects[path] = obj
        class_term = ENTRY_KEYS[top_key]
        if not isinstance(obj, dict):
            self.problems.append(Problem(f"each of {top_key} must be a JSON object", path, obj))
            return None
        uuid = obj.get("uuid")
        iri: URIRef | None = None
        if isinstance(uuid, str) and _UUID.match(uuid.strip()):
            key = uuid.strip().lower()
            if key in self.seen_uuids:
                self.problems.append(
                    Problem(f"the uuid {uuid} is already used by {self.seen_uuids[key]} in this document", f"{path}.uuid", uuid)
                )
            else:
                self.seen_uuids[key] = path
                iri = URIRef("urn:uuid:" + key)
        if iri is None:
            # An entry without a usable uuid still needs an IRI to be validated; the
            # uuid shape reports it, and a document with a violation is never stored.
            iri = URIRef(f"urn:esap-registry:unidentified:{document_number}:{top_key}-{index}")
        definition = self.mapper.context.get(class_term)
        owner = self.mapper.expand(definition["@id"] if isinstance(definition, dict) else str(definition))
        if not self.direct:
            annotated = self._object(obj, iri, path, class_term, owner, None, 0)
            annotated["@type"] = class_term
            return annotated
        scope = self.mapper.entry_scope(class_term)
        kind = scope.type_iri(class_term)
        if kind not in ENTRY_CLASSES or not scope.keeps_node_iris:
            raise _Unmapped(f"the class term {class_term!r}")
        self._triples = [(iri, _RDF_TYPE, kind)]
        self._quantities = []
        self._object(obj, iri, path, class_term, owner, scope, 0)
        self._normalise()
        self.walked.append((iri, kind, self._triples))
        return None

    def _object(
        self,
        obj: dict[str, Any],
        iri: URIRef,
        path: str,
        class_term: str | None,
        owner: URIRef | None,
        scope: _Scope | None,
        depth: int,
    ) -> dict[str, Any]:
        self.paths[iri] = path
        self.objects[path] = obj
        mapper = self.mapper
        result: dict[str, Any] = {"@id": str(iri)} if scope is None else {}
        for key, value in obj.items():
            here = f"{path}.{key}"
            if key.startswith("@"):
                self.problems.append(Problem(f"the JSON-LD keyword {key} is not allowed in a plain manifest", here, value))
                continue
            found = mapper.key(class_term, key)
            if found is None:
                hint = _did_you_mean(key, mapper.known(class_term))
                self.problems.append(Problem(f"unknown key {key!r}{hint}", here, value))
                continue
            prop, definition, domain, cls = found
            if owner is not None and domain is not None and domain != owner:
                self.problems.append(Problem(f"{key!r} does not belong here: {mapper.home(domain)}", here, value))
                continue
            if value == [] and isinstance(value, list) and definition.get("@container") == "@set":
                self.empties.append((iri, prop))
                if scope is not None:
                    self._triples.append((iri, ESAP.emptyList, prop))
            if cls is not None:
                result[key] = self._nested(key, value, iri, here, cls, definition, scope, depth)
            else:
                self.objects[here] = value
                if self._check_scalar(key, value, here, definition):
                    if scope is None:
                        result[key] = value
                    else:
                        self._emit(iri, scope, key, value)
                # else: reported, and left out of the RDF (an object or list there would be a
                # blank node, which the shapes cannot compare)
        return result

    def _emit(self, subject: URIRef, scope: _Scope, key: str, value: Any) -> None:
        """The triples of one plain key, as the JSON-LD processor makes them.

        :raises _Unmapped: for a value of an IRI key that is not a string.
        """
        rule = scope.rule(key)
        for item in value if isinstance(value, list) else (value,):
            if item is None:
                continue
            if rule.iri:
                if not isinstance(item, str):
                    raise _Unmapped(f"a {type(item).__name__} value of the IRI key {key!r}")
                self._triples.append((subject, rule.predicate, scope.iri(item)))
                continue
            literal = _literal(item)
            self._triples.append((subject, rule.predicate, literal))
            if rule.kind is not None:
                self._quantities.append((subject, rule, literal))

    def _normalise(self) -> None:
        """The canonical number of each quantity of the entry walked, as :func:`_normalise`
        adds them.

        :raises _Unmapped: when a quantity is out of range (its problem is reported by
            :func:`_normalise`, in the order it reports problems).
        """
        for subject, rule, literal in self._quantities:
            try:
                number = _canonical_number(rule.kind, literal)  # type: ignore[arg-type]
            except UnitError as exc:
                raise _Unmapped("a quantity out of range") from exc
            if number is not None and rule.canonical is not None:
                self._triples.append((subject, rule.canonical, _decimal(number)))

    def _nested(
        self,
        key: str,
        value: Any,
        parent: URIRef,
        path: str,
        cls: URIRef,
        definition: dict[str, Any],
        scope: _Scope | None,
        depth: int,
    ) -> Any:
        class_term = self.mapper.class_term(cls)
        self.objects[path] = value
        child: _Scope | None = None
        if scope is not None:
            if depth + 1 > MAX_DEPTH:
                raise _Unmapped("nodes nested too deep")
            child = scope.child(class_term)
            if not child.keeps_node_iris:
                raise _Unmapped(f"the objects of {key!r}")
        if definition.get("@container") == "@set":
            if not isinstance(value, list):
                self.problems.append(Problem(f"{key} must be a list of objects", path, value))
                return []
            items = []
            for i, item in enumerate(value):
                here = f"{path}[{i}]"
                if not isinstance(item, dict):
                    self.problems.append(Problem(f"each of {key} must be a JSON object", here, item))
                    continue
                items.append(self._node(key, item, URIRef(f"{parent}#{key}-{i}"), parent, here, cls, class_term, scope, child, depth))
            return items
        if not isinstance(value, dict):
            self.problems.append(Problem(f"{key} must be a JSON object", path, value))
            return None
        return self._node(key, value, URIRef(f"{parent}#{key}"), parent, path, cls, class_term, scope, child, depth)

    def _node(
        self,
        key: str,
        obj: dict[str, Any],
        iri: URIRef,
        parent: URIRef,
        path: str,
        cls: URIRef,
        class_term: str | None,
        scope: _Scope | None,
        child: _Scope | None,
        depth: int,
    ) -> dict[str, Any]:
        """One nested object, typed with its class's term (annotated, or its triples emitted)."""
        if scope is not None and child is not None:
            self._triples.append((parent, scope.rule(key).predicate, iri))
            if class_term:
                self._triples.append((iri, _RDF_TYPE, child.type_iri(class_term)))
        node = self._object(obj, iri, path, class_term, cls, child, depth + 1)
        if class_term:
            node["@type"] = class_term
        return node

    def _check_scalar(self, key: str, value: Any, path: str, definition: dict[str, Any]) -> bool:
        """Report a value of the wrong JSON kind for a key that holds text or numbers.

        :returns: False when the value is an object or a list where one value is
            expected, or null: it is reported, and not made RDF.
        """
        if definition.get("@container") == "@set":
            items = value if isinstance(value, list) else [value]
            fine = True
            for i, item in enumerate(items):
                if not isinstance(item, str):
                    self.problems.append(Problem(f"each of {key} must be a string", f"{path}[{i}]", item))
                    fine = fine and not isinstance(item, (dict, list))
            return fine
        if isinstance(value, (dict, list)):
            self.problems.append(Problem(f"{key} must be a single value, not a JSON {type(value).__name__}", path, value))
            return False
        if value is None:
            self.problems.append(Problem(f"{key} must not be null", path, value))
            return False
        return True


def _did_you_mean(key: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


_document_counter = iter(range(1, 1 << 62))


def _load_manifest(tree: Any, source: str, vocabulary: Vocabulary, *, direct: bool = True) -> Document:
    """A plain manifest as a :class:`Document`: straight from the walk (``direct``), or,
    when ``direct`` is false or the walk meets what it does not map, through rdflib's
    JSON-LD processor; the two give the same document.

    :raises InputError: when the tree is no manifest, or the JSON-LD processor refuses it.
    """
    if not isinstance(tree, dict):
        raise InputError(
            "a manifest is a JSON object with an executables, a platforms or a datasets list", source=source, json_path="$"
        )
    number = next(_document_counter)
    mapper = _mapper(vocabulary)
    if direct:
        try:
            return _walk_manifest(tree, source, mapper, number, direct=True)
        except _Unmapped:
            pass
    return _walk_manifest(tree, source, mapper, number, direct=False)


def _walk_manifest(tree: dict[str, Any], source: str, mapper: _Mapper, number: int, *, direct: bool) -> Document:
    """One walk of a manifest (see :func:`_load_manifest`).

    :raises _Unmapped: in direct mode, on anything the direct path does not map.
    :raises InputError: when the tree is no manifest, or the JSON-LD processor refuses it.
    """
    annotator = _Annotator(mapper, source, direct=direct)
    annotated: dict[str, Any] = {"@context": _registry_context()}
    found = False
    for key, value in tree.items():
        if key not in ENTRY_KEYS:
            hint = _did_you_mean(key, list(ENTRY_KEYS))
            annotator.problems.append(Problem(f"unknown top-level key {key!r}{hint}: a manifest lists executables, platforms or datasets", key, value))
            continue
        found = True
        if not isinstance(value, list):
            annotator.problems.append(Problem(f"{key} must be a list", key, value))
            continue
        entries = [annotator.entry(key, i, item, number) for i, item in enumerate(value)]
        annotated[key] = [e for e in entries if e is not None]
    if not found and not annotator.problems:
        raise InputError("a manifest is a JSON object with an executables, a platforms or a datasets list", source=source, json_path="$")
    if direct:
        return _direct_document(annotator, source)
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=json.dumps(annotated), format="json-ld", publicID=_DOCUMENT_IRI)
    except Exception as exc:  # noqa: BLE001 - rdflib's JSON-LD processor raises assorted types on bad input
        raise InputError(f"the manifest could not be read as JSON-LD: {exc}", source=source) from exc
    for node, prop in annotator.empties:  # the processor drops empty lists; the direct path keeps them so
        graph.add((node, ESAP.emptyList, prop))
    document = Document(
        source=source,
        format="json",
        graph=graph,
        paths=annotator.paths,
        objects=annotator.objects,
        problems=annotator.problems,
    )
    _finish(document, mapper.vocabulary)
    return document


def _direct_document(annotator: _Annotator, source: str) -> Document:
    """The document of a direct walk: what :func:`_finish` would make of the same triples
    (entries in the order it finds them: executables first), without searching for them.
    Its graph, the union of its entries', is made when first read, and binds no prefixes
    (the JSON-LD processor's binds rdflib's defaults, which nothing reads: documents'
    graphs are never serialised)."""
    document = Document(
        source=source, format="json", paths=annotator.paths, objects=annotator.objects, problems=annotator.problems
    )
    for kind in ENTRY_CLASSES:
        for iri, entry_kind, triples in annotator.walked:
            if entry_kind != kind:
                continue
            entry_graph = _entry_graph()
            add = entry_graph.store.add
            for triple in triples:
                add(triple, entry_graph, False)
            document.kinds[iri] = kind
            document.entries[iri] = entry_graph
    return document


class ManifestReader(Reader):
    """A plain manifest: whatever no other reader claims (what is no manifest is refused
    with a message that says what a manifest is)."""

    name = "manifest"
    priority = 100

    def claims(self, tree: Any) -> bool:
        return True

    def read(self, tree: Any, *, source: str, vocabulary: Vocabulary, direct: bool, format_name: str) -> Document:
        if isinstance(tree, dict) and "@context" in tree:
            tree = {k: v for k, v in tree.items() if k != "@context"}
        if not isinstance(tree, dict) and format_name != "JSON":
            raise InputError(
                f"a manifest is a {format_name} mapping with an executables or a platforms list", source=source, json_path="$"
            )
        return _load_manifest(tree, source, vocabulary, direct=direct)
