"""Browsing the vocabulary: an overview (classes, properties, each taxonomy as a
tree), a page per term, every term dereferenceable to HTML or RDF by Accept, and
the ontology, its closure-free Turtle and the shapes as downloads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from registry.errors import NotFound, ParameterError
from registry.resources import data_dir, load_query
from registry.sparql import GRAPH_FORMATS, serialize_graph
from registry.store import Solutions, Store
from registry.validation import get_validator
from registry.vocabulary import ESAP, VOCABULARY_IRI, Vocabulary
from registry.web.http import negotiate, state

__all__ = ["ALIGNMENTS", "OntologyIndex", "TermInfo", "TreeNode", "router"]

#: The SKOS mapping properties, in the order a term page lists them.
ALIGNMENTS = [SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch]
_HTML_AND_RDF = ["text/html", *GRAPH_FORMATS.values()]
_RDF_FIRST = [*GRAPH_FORMATS.values(), "text/html"]
_RDF_NAME = {media: name for name, media in GRAPH_FORMATS.items()}
#: File endings of the downloads -> format name.
_EXTENSIONS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
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


router = APIRouter(tags=["ontology"])


def _rdf(graph: Graph, media: str) -> Response:
    return Response(serialize_graph(graph, _RDF_NAME[media]), media_type=media, headers={"Vary": "Accept"})


def _vocabulary_graph(request: Request) -> Graph:
    graph = Graph()
    source = state(request).registry.vocabulary.graph
    for triple in source:
        graph.add(triple)
    for prefix, namespace in source.namespaces():
        graph.bind(prefix, namespace, override=False)
    return graph


def _shapes_graph() -> Graph:
    graph = Graph()
    source = get_validator().shapes
    for triple in source:
        graph.add(triple)
    for prefix, namespace in source.namespaces():
        graph.bind(prefix, namespace, override=False)
    return graph


@router.get(
    "/ontology",
    summary="The vocabulary: an overview (HTML), or Turtle, N-Triples, JSON-LD or RDF/XML by Accept",
    response_class=Response,
    responses={200: {"content": {t: {} for t in _HTML_AND_RDF}}},
)
def ontology_page(request: Request) -> Response:
    """An overview with each taxonomy as a tree, linking a page per term; the vocabulary
    itself for a client asking for RDF (as ``/vocab`` and a term's page answer)."""
    chosen = negotiate(request, _HTML_AND_RDF)
    if chosen == "text/html":
        response: Response = HTMLResponse(state(request).pages.ontology_page(request))
        response.headers["Vary"] = "Accept"
        return response
    return _rdf(_vocabulary_graph(request), chosen)


@router.get(
    "/vocab",
    summary="The vocabulary's namespace document: HTML, Turtle, N-Triples, JSON-LD or RDF/XML by Accept",
    response_class=Response,
    responses={200: {"content": {t: {} for t in _HTML_AND_RDF}}},
)
def vocab(request: Request) -> Response:
    """``https://w3id.org/esap-registry/vocab#<term>`` resolves here: the HTML overview has an anchor per term."""
    chosen = negotiate(request, _RDF_FIRST)
    if chosen == "text/html":
        response: Response = HTMLResponse(state(request).pages.ontology_page(request))
        response.headers["Vary"] = "Accept"
        return response
    return _rdf(_vocabulary_graph(request), chosen)


@router.get("/vocab.{extension}", summary="The vocabulary as a file: .ttl, .nt, .jsonld or .rdf", response_class=Response)
def vocab_file(request: Request, extension: str) -> Response:
    """Downloads of the whole vocabulary (ontology, taxonomies, alignments)."""
    if extension not in _EXTENSIONS:
        raise NotFound(f"vocab.{extension}", "download")
    media = GRAPH_FORMATS[_EXTENSIONS[extension]]
    response = _rdf(_vocabulary_graph(request), media)
    response.headers["Content-Disposition"] = f'inline; filename="esap-vocab.{extension}"'
    return response


@router.get(
    "/shapes",
    summary="The SHACL shapes: Turtle, N-Triples, JSON-LD or RDF/XML by Accept",
    response_class=Response,
    responses={200: {"content": {t: {} for t in GRAPH_FORMATS.values()}}},
)
def shapes(request: Request) -> Response:
    """The shapes every document is validated with."""
    chosen = negotiate(request, list(GRAPH_FORMATS.values()))
    return _rdf(_shapes_graph(), chosen)


@router.get("/shapes.{extension}", summary="The shapes as a file: .ttl, .nt, .jsonld or .rdf", response_class=Response)
def shapes_file(extension: str) -> Response:
    """Downloads of the SHACL shapes."""
    if extension not in _EXTENSIONS:
        raise NotFound(f"shapes.{extension}", "download")
    response = _rdf(_shapes_graph(), GRAPH_FORMATS[_EXTENSIONS[extension]])
    response.headers["Content-Disposition"] = f'inline; filename="esap-shapes.{extension}"'
    return response


@router.get("/context.jsonld", summary="The JSON-LD context of the manifests", response_class=Response)
def context() -> Response:
    """The file ``https://w3id.org/esap-registry/context.jsonld`` names."""
    data = (data_dir("ontology") / "context.jsonld").read_bytes()
    json.loads(data)  # shipped data: fail loudly (500) if it were ever broken
    return Response(data, media_type="application/ld+json")


@router.get(
    "/ontology/term",
    summary="One term of the vocabulary (any IRI, URN taxonomy terms too): HTML or RDF by Accept",
    response_class=Response,
    responses={200: {"content": {t: {} for t in _HTML_AND_RDF}}, 404: {"description": "the vocabulary has no such term"}},
)
def term(request: Request, iri: str = Query(..., description="the term's IRI, e.g. urn:types/jupyter-notebook")) -> Response:
    """Its definition, broader and narrower terms, alignments, and how many entries use it."""
    iri = iri.strip()
    if iri == str(ESAP):
        # The namespace with an empty name is no term: say how to name one. (What is left
        # of .../vocab#minMemory typed into a URL is .../vocab, the vocabulary's own IRI:
        # its page says the same at its top.)
        raise ParameterError(
            "iri",
            f"names only the vocabulary's namespace ({iri}), not one of its terms: a '#' typed in a URL starts"
            " the part the browser keeps to itself. Open the term by its name, /ontology/minMemory for"
            f" {ESAP}minMemory, or write the '#' as %23; the whole vocabulary is /ontology",
            iri,
        )
    return _term_response(request, iri)


def _term_response(request: Request, iri: str) -> Response:
    app = state(request)
    chosen = negotiate(request, _HTML_AND_RDF)
    if chosen == "text/html":
        response: Response = HTMLResponse(app.pages.term_page(request, iri))
        response.headers["Vary"] = "Accept"
        return response
    return _rdf(app.pages.ontology.description(iri), chosen)


@router.get(
    "/ontology/{name}",
    summary="A term of the esap: namespace by its local name: HTML or RDF by Accept",
    response_class=Response,
    responses={200: {"content": {t: {} for t in _HTML_AND_RDF}}, 404: {"description": "the vocabulary has no such term"}},
)
def term_by_name(request: Request, name: str) -> Response:
    """``/ontology/minCores`` is the page of ``esap:minCores`` (the address every page links
    a term of the namespace by: no ``#`` in it)."""
    return _term_response(request, str(ESAP) + name)

