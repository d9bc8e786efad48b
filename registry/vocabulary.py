"""The registry's vocabulary: the OWL ontology, the URN taxonomies, their
alignments, and the closure computed over them (never over instance data).

Everything the code knows about terms (which property holds a quantity of
which kind, which class a nested object has, which URNs are executable types)
is read from the Turtle in ``ontology/``; nothing is listed in Python.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from registry.resources import data_dir
from registry.units import Kind

__all__ = [
    "CONTEXT_IRI",
    "ESAP",
    "DECIMALS_GRAPH",
    "NEEDS_GRAPH",
    "PLANNING_CLASSES_GRAPH",
    "PLANNING_GRAPH",
    "REVISIONS_GRAPH",
    "SHAPES_GRAPH",
    "VOCABULARY_GRAPH",
    "VOCABULARY_IRI",
    "Vocabulary",
    "get_vocabulary",
]

ESAP = Namespace("https://w3id.org/esap-registry/vocab#")
VOCABULARY_IRI = URIRef("https://w3id.org/esap-registry/vocab")
#: The IRI under which the JSON-LD context is published; documents that name it get the local copy.
CONTEXT_IRI = "https://w3id.org/esap-registry/context.jsonld"
#: The named graph holding the vocabulary and its closure in every store.
VOCABULARY_GRAPH = URIRef("https://w3id.org/esap-registry/graph/vocabulary")
#: The named graph in which a remote store keeps the revision token of each graph written
#: (see ``RemoteStore.replace_graphs``): bookkeeping, never dumped or listed.
REVISIONS_GRAPH = URIRef("https://w3id.org/esap-registry/graph/revisions")
#: The named graph in which a remote store that rounds decimals (Virtuoso 7 keeps 15
#: fraction digits) keeps the exact form of each decimal it rounds, so that what is read
#: back is what was written: bookkeeping, never dumped or listed.
DECIMALS_GRAPH = URIRef("https://w3id.org/esap-registry/graph/decimals")
#: The named graph holding the SHACL shapes in every store.
SHAPES_GRAPH = URIRef("https://w3id.org/esap-registry/graph/shapes")
#: The planner's index: what its queries read of each platform, derived from the platforms'
#: graphs and the vocabulary on every write (registry/planindex.py); never dumped.
PLANNING_GRAPH = URIRef("https://w3id.org/esap-registry/graph/planning")
#: The planner's classes: platforms alike in every fact its rule reads, each class held
#: once with its number of platforms, and each platform's link to its class and title
#: (registry/planindex.py); apart from PLANNING_GRAPH, so that a pattern over classes
#: scans classes only. Never dumped.
PLANNING_CLASSES_GRAPH = URIRef("https://w3id.org/esap-registry/graph/planning-classes")
#: The reverse plan's need classes: executables alike in every need the rule reads, each
#: class held once with its number of executables, and each executable's link to its
#: class and title (registry/needindex.py). Never dumped.
NEEDS_GRAPH = URIRef("https://w3id.org/esap-registry/graph/planning-needs")

#: Inferred triples kept from the OWL-RL closure: the ones queries use.
_KEPT_INFERENCES = {
    SKOS.broaderTransitive,
    SKOS.narrowerTransitive,
    SKOS.narrower,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDF.type,
}
_TRIVIAL_CLASSES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class, RDF.Property}


def _vocabulary_files() -> list[Path]:
    root = data_dir("ontology")
    files = [root / "esap.ttl", *sorted((root / "taxonomies").glob("*.ttl"))]
    files += [p for p in (root / "external.ttl", root / "alignments.ttl") if p.is_file()]
    return files


@dataclass
class Vocabulary:
    """The parsed vocabulary and what the code derives from it.

    :param graph: the asserted vocabulary (ontology, taxonomies, external terms, alignments).
    :param version: a version string that changes whenever any vocabulary file changes.
    """

    graph: Graph
    version: str
    context: dict[str, Any]
    load_seconds: float = 0.0
    _closure: Graph | None = field(default=None, repr=False)

    @classmethod
    def load(cls) -> Vocabulary:
        """Parse the shipped vocabulary files.

        :raises FileNotFoundError: when the package data is missing.
        """
        graph = Graph()
        digest = hashlib.sha256()
        for path in _vocabulary_files():
            data = path.read_bytes()
            digest.update(path.name.encode() + b"\0" + data)
            graph.parse(data=data, format="turtle", publicID=path.as_uri())
        context_path = data_dir("ontology") / "context.jsonld"
        context_bytes = context_path.read_bytes()
        digest.update(context_bytes)
        info = graph.value(VOCABULARY_IRI, OWL.versionInfo)
        version = f"{info}+{digest.hexdigest()[:12]}"
        return cls(graph=graph, version=version, context=json.loads(context_bytes)["@context"])

    # -- the closure ---------------------------------------------------------

    def closure(self) -> Graph:
        """The vocabulary with its OWL-RL closure, trimmed to the inferences queries use
        (transitive ``skos:broader``, sub-classes and sub-properties, types).

        Computed once per process, on the vocabulary alone.
        """
        if self._closure is None:
            import owlrl

            closed = Graph()
            for triple in self.graph:
                closed.add(triple)
            owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False).expand(closed)
            kept = Graph()
            for s, p, o in closed:
                if (s, p, o) in self.graph:
                    kept.add((s, p, o))
                elif p in _KEPT_INFERENCES and not isinstance(s, Literal) and s != o:
                    if p == RDF.type and o in _TRIVIAL_CLASSES:
                        continue
                    if isinstance(s, URIRef):
                        kept.add((s, p, o))
            kept.add((VOCABULARY_GRAPH, OWL.versionInfo, Literal(self.version)))
            self._closure = kept
        return self._closure

    # -- quantities ----------------------------------------------------------

    @cached_property
    def canonical_properties(self) -> dict[URIRef, tuple[URIRef, Kind]]:
        """Property as given -> (property holding the canonical number, quantity kind)."""
        result: dict[URIRef, tuple[URIRef, Kind]] = {}
        for given, canonical in self.graph.subject_objects(ESAP.canonicalProperty):
            kind = self.graph.value(given, ESAP.quantityKind)
            result[URIRef(given)] = (URIRef(canonical), Kind(str(kind).removeprefix(str(ESAP))))
        return result

    @cached_property
    def given_property(self) -> dict[URIRef, URIRef]:
        """Canonical property -> the property whose value the user gave."""
        return {canonical: given for given, (canonical, _) in self.canonical_properties.items()}

    def quantity_kind(self, prop: URIRef) -> Kind | None:
        """The kind of quantity a property holds, if it holds one."""
        kind = self.graph.value(prop, ESAP.quantityKind)
        return Kind(str(kind).removeprefix(str(ESAP))) if kind is not None else None

    # -- the JSON-LD context -------------------------------------------------

    def expand(self, curie: str) -> URIRef:
        """Expand a compact IRI of the context (``esap:minCores``) to a full IRI."""
        prefix, _, local = curie.partition(":")
        base = self.context.get(prefix)
        return URIRef(base + local) if isinstance(base, str) and local else URIRef(curie)

    @cached_property
    def json_keys(self) -> dict[URIRef, str]:
        """Property -> the JSON key users write for it (for messages and export)."""
        keys: dict[URIRef, str] = {}

        def add(terms: dict[str, Any]) -> None:
            for key, definition in terms.items():
                if key.startswith("@"):
                    continue
                if key[:1].isupper():
                    if isinstance(definition, dict):
                        add(definition.get("@context", {}))
                    continue
                iri = definition if isinstance(definition, str) else definition.get("@id", "")
                if ":" in iri and not iri.startswith("http"):
                    keys.setdefault(self.expand(iri), key)

        add(self.context)
        return keys

    # -- classes and terms ---------------------------------------------------

    def domain_of(self, prop: URIRef) -> URIRef | None:
        """The declared ``rdfs:domain`` of a property."""
        value = self.graph.value(prop, RDFS.domain)
        return URIRef(value) if isinstance(value, URIRef) else None

    def range_of(self, prop: URIRef) -> URIRef | None:
        """The declared ``rdfs:range`` of a property."""
        value = self.graph.value(prop, RDFS.range)
        return URIRef(value) if isinstance(value, URIRef) else None

    @cached_property
    def taxonomy_classes(self) -> frozenset[URIRef]:
        """The classes of taxonomy terms (executable type, platform kind, data content, data format)."""
        return frozenset(URIRef(c) for c in self.graph.subjects(RDFS.subClassOf, ESAP.TaxonomyTerm))

    @cached_property
    def term_class(self) -> dict[URIRef, URIRef]:
        """Every taxonomy term -> its taxonomy class."""
        result: dict[URIRef, URIRef] = {}
        for cls in self.taxonomy_classes:
            for term in self.graph.subjects(RDF.type, cls):
                if isinstance(term, URIRef):
                    result[term] = cls
        return result

    def terms_of(self, cls: URIRef) -> list[URIRef]:
        """The terms of one taxonomy class, sorted."""
        return sorted(t for t, c in self.term_class.items() if c == cls)

    def term_types(self) -> Graph:
        """Just the ``rdf:type`` triples of the taxonomy terms: what validation mixes into a
        document so that ``sh:class esap:ExecutableType`` can tell a known URN."""
        graph = Graph()
        for term, cls in self.term_class.items():
            graph.add((term, RDF.type, cls))
        return graph

    def closest_terms(self, value: str, cls: URIRef, n: int = 3) -> list[str]:
        """The known terms of ``cls`` that look most like ``value`` (for "did you mean")."""
        names = [str(t) for t in self.terms_of(cls)]
        close = difflib.get_close_matches(value, names, n=n, cutoff=0.6)
        if not close:
            tail = value.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            by_tail = {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1]: n for n in names}
            close = [by_tail[m] for m in difflib.get_close_matches(tail, list(by_tail), n=n, cutoff=0.5)]
        return close

    def label(self, term: Node) -> str:
        """The English label of a term, or its IRI."""
        for prop in (SKOS.prefLabel, RDFS.label):
            for value in self.graph.objects(term, prop):
                if isinstance(value, Literal) and value.language in (None, "en"):
                    return str(value)
        return str(term)

    def broader_or_same(self, term: URIRef) -> set[URIRef]:
        """The term and every term broader than it."""
        closure = self.closure()
        return {term} | {URIRef(t) for t in closure.objects(term, SKOS.broaderTransitive)}


@cache
def get_vocabulary() -> Vocabulary:
    """The shipped vocabulary, parsed once per process."""
    started = time.perf_counter()
    vocabulary = Vocabulary.load()
    vocabulary.load_seconds = time.perf_counter() - started
    return vocabulary
