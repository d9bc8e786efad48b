"""What the pages show of the vocabulary, computed once: its classes, properties and
individuals, each taxonomy as a tree, and what it says about one term."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from registry.errors import NotFound
from registry.resources import load_query
from registry.store import Solutions, Store
from registry.vocabulary import ESAP, VOCABULARY_IRI, Vocabulary

__all__ = ["ALIGNMENTS", "OntologyIndex", "TermInfo", "TreeNode"]

#: The SKOS mapping properties, in the order a term page lists them.
ALIGNMENTS = [SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch]
_PROPERTY_TYPES = [OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty]


@dataclass
class TreeNode:
    """A taxonomy term with its narrower terms, for the overview's trees."""

    iri: str
    label: str
    notation: str | None
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class TermInfo:
    """What a term page shows."""

    iri: str
    label: str
    types: list[str]
    definition: str | None
    notation: str | None
    alt_labels: list[str]
    schemes: list[str]
    broader: list[str]
    narrower: list[str]
    superclasses: list[str]
    subclasses: list[str]
    domain: list[str]
    range: list[str]
    properties: list[str]
    alignments: list[tuple[str, str]]
    statements: list[tuple[str, Node]]


class OntologyIndex:
    """What the pages need from the vocabulary, computed once.

    :param vocabulary: the registry's vocabulary.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.graph = vocabulary.graph

    @cached_property
    def terms(self) -> frozenset[str]:
        """Every IRI the vocabulary says something about."""
        return frozenset(str(s) for s in self.graph.subjects() if isinstance(s, URIRef))

    def label(self, iri: Node | str) -> str:
        return self.vocabulary.label(URIRef(str(iri)))

    def _sorted(self, nodes: Any) -> list[str]:
        return sorted({str(n) for n in nodes if isinstance(n, URIRef)}, key=lambda i: (self.label(i).lower(), i))

    def _of_type(self, cls: URIRef, *, own: bool = True) -> list[str]:
        return self._sorted(s for s in self.graph.subjects(RDF.type, cls) if not own or str(s).startswith(str(ESAP)))

    @cached_property
    def classes(self) -> list[str]:
        return self._of_type(OWL.Class)

    @cached_property
    def properties(self) -> dict[str, list[str]]:
        """Kind of property (object, datatype, annotation) -> the vocabulary's own properties."""
        return {str(t).rsplit("#", 1)[-1]: self._of_type(t) for t in _PROPERTY_TYPES}

    @cached_property
    def individuals(self) -> list[str]:
        """The vocabulary's own terms that are neither classes, properties nor schemes."""
        known = set(self.classes) | {p for ps in self.properties.values() for p in ps} | {s for s, _ in self.schemes}
        return [t for t in self._sorted(self.graph.subjects()) if t.startswith(str(ESAP)) and t not in known]

    @cached_property
    def external(self) -> list[str]:
        """Terms of other vocabularies that the vocabulary restates (the SKOS terms)."""
        return [t for t in self._sorted(self.graph.subjects()) if not t.startswith((str(ESAP), "urn:", str(VOCABULARY_IRI)))]

    @cached_property
    def schemes(self) -> list[tuple[str, list[TreeNode]]]:
        """Each concept scheme (taxonomy) with its terms as trees from its top terms."""
        result = []
        for scheme in self._of_type(SKOS.ConceptScheme):
            members = {str(c) for c in self.graph.subjects(SKOS.inScheme, URIRef(scheme))}
            children: dict[str, list[str]] = {m: [] for m in members}
            tops = []
            for member in members:
                parents = [str(b) for b in self.graph.objects(URIRef(member), SKOS.broader) if str(b) in members]
                for parent in parents:
                    children[parent].append(member)
                if not parents:
                    tops.append(member)
            result.append((scheme, [self._tree(t, children, set()) for t in self._sorted(URIRef(t) for t in tops)]))
        return result

    def _tree(self, iri: str, children: dict[str, list[str]], path: set[str]) -> TreeNode:
        notation = self.graph.value(URIRef(iri), SKOS.notation)
        node = TreeNode(iri, self.label(iri), str(notation) if notation is not None else None)
        if iri not in path:
            for child in self._sorted(URIRef(c) for c in children.get(iri, [])):
                node.children.append(self._tree(child, children, path | {iri}))
        return node

    def term(self, iri: str) -> TermInfo:
        """What the vocabulary says about one term.

        :raises NotFound: when the vocabulary says nothing about it.
        """
        if iri not in self.terms:
            raise NotFound(iri, "term")
        node = URIRef(iri)
        g = self.graph
        shown = {RDF.type, SKOS.definition, RDFS.comment, SKOS.notation, SKOS.altLabel, SKOS.inScheme, SKOS.broader,
                 RDFS.subClassOf, RDFS.domain, RDFS.range, SKOS.prefLabel, RDFS.label, *ALIGNMENTS}
        definition = g.value(node, SKOS.definition) or g.value(node, RDFS.comment)
        notation = g.value(node, SKOS.notation)
        statements = sorted(
            ((str(p), o) for p, o in g.predicate_objects(node) if p not in shown),
            key=lambda pair: (pair[0], str(pair[1])),
        )
        return TermInfo(
            iri=iri,
            label=self.label(iri),
            types=self._sorted(g.objects(node, RDF.type)),
            definition=str(definition) if definition is not None else None,
            notation=str(notation) if notation is not None else None,
            alt_labels=sorted(str(a) for a in g.objects(node, SKOS.altLabel)),
            schemes=self._sorted(g.objects(node, SKOS.inScheme)),
            broader=self._sorted(g.objects(node, SKOS.broader)),
            narrower=self._sorted(g.subjects(SKOS.broader, node)),
            superclasses=self._sorted(g.objects(node, RDFS.subClassOf)),
            subclasses=self._sorted(g.subjects(RDFS.subClassOf, node)),
            domain=self._sorted(g.objects(node, RDFS.domain)),
            range=self._sorted(g.objects(node, RDFS.range)),
            properties=self._sorted(g.subjects(RDFS.domain, node)),
            alignments=[
                (str(p).rsplit("#", 1)[-1], str(o)) for p in ALIGNMENTS for o in sorted(g.objects(node, p), key=str)
            ],
            statements=statements,
        )

    def description(self, iri: str) -> Graph:
        """The term's Concise Bounded Description in the vocabulary, as RDF.

        :raises NotFound: when the vocabulary says nothing about it.
        """
        if iri not in self.terms:
            raise NotFound(iri, "term")
        described = self.graph.cbd(URIRef(iri))
        for prefix, namespace in self.graph.namespaces():
            described.bind(prefix, namespace, override=False)
        return described

    def usage(self, store: Store, iri: str) -> dict[str, int]:
        """How many registry entries use the term, itself and with its narrower terms
        (``queries/term-usage.rq`` with the term bound).

        :raises QueryError: when the store refuses the query.
        :raises StoreError: when the store fails.
        """
        rows = store.query(load_query("term-usage"), {"term": URIRef(iri)})
        assert isinstance(rows, Solutions)
        if not rows.rows:
            return {"entries": 0, "with-narrower": 0}
        row = next(iter(rows))
        return {"entries": int(str(row["entries"])), "with-narrower": int(str(row["entriesWithNarrower"]))}
