"""Browsing the vocabulary: an overview (classes, properties, each taxonomy as a
tree), a page per term, every term dereferenceable to HTML or RDF by Accept, and
the ontology, its closure-free Turtle and the shapes as downloads."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph

from registry.errors import NotFound, ParameterError
from registry.resources import data_dir
from registry.service import Registry
from registry.sparql import GRAPH_FORMATS, serialize_graph
from registry.validation import get_validator
from registry.vocabulary import ESAP
from registry.web.dependencies import get_pages, get_registry
from registry.web.http import negotiate
from registry.web.pages import Pages

__all__ = ["router"]

_HTML_AND_RDF = ["text/html", *GRAPH_FORMATS.values()]
_RDF_FIRST = [*GRAPH_FORMATS.values(), "text/html"]
_RDF_NAME = {media: name for name, media in GRAPH_FORMATS.items()}
#: File endings of the downloads -> format name.
_EXTENSIONS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
_REGISTRY = Depends(get_registry)
_PAGES = Depends(get_pages)


router = APIRouter(tags=["ontology"])


def _rdf(graph: Graph, media: str) -> Response:
    return Response(serialize_graph(graph, _RDF_NAME[media]), media_type=media, headers={"Vary": "Accept"})


def _vocabulary_graph(registry: Registry) -> Graph:
    graph = Graph()
    source = registry.vocabulary.graph
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
def ontology_page(request: Request, registry: Registry = _REGISTRY, pages: Pages = _PAGES) -> Response:
    """An overview with each taxonomy as a tree, linking a page per term; the vocabulary
    itself for a client asking for RDF (as ``/vocab`` and a term's page answer)."""
    chosen = negotiate(request, _HTML_AND_RDF)
    if chosen == "text/html":
        response: Response = HTMLResponse(pages.ontology_page(request))
        response.headers["Vary"] = "Accept"
        return response
    return _rdf(_vocabulary_graph(registry), chosen)


@router.get(
    "/vocab",
    summary="The vocabulary's namespace document: HTML, Turtle, N-Triples, JSON-LD or RDF/XML by Accept",
    response_class=Response,
    responses={200: {"content": {t: {} for t in _HTML_AND_RDF}}},
)
def vocab(request: Request, registry: Registry = _REGISTRY, pages: Pages = _PAGES) -> Response:
    """``https://w3id.org/esap-registry/vocab#<term>`` resolves here: the HTML overview has an anchor per term."""
    chosen = negotiate(request, _RDF_FIRST)
    if chosen == "text/html":
        response: Response = HTMLResponse(pages.ontology_page(request))
        response.headers["Vary"] = "Accept"
        return response
    return _rdf(_vocabulary_graph(registry), chosen)


@router.get("/vocab.{extension}", summary="The vocabulary as a file: .ttl, .nt, .jsonld or .rdf", response_class=Response)
def vocab_file(extension: str, registry: Registry = _REGISTRY) -> Response:
    """Downloads of the whole vocabulary (ontology, taxonomies, alignments)."""
    if extension not in _EXTENSIONS:
        raise NotFound(f"vocab.{extension}", "download")
    media = GRAPH_FORMATS[_EXTENSIONS[extension]]
    response = _rdf(_vocabulary_graph(registry), media)
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
def term(
    request: Request,
    iri: str = Query(..., description="the term's IRI, e.g. urn:types/jupyter-notebook"),
    pages: Pages = _PAGES,
) -> Response:
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
    return _term_response(request, pages, iri)


def _term_response(request: Request, pages: Pages, iri: str) -> Response:
    chosen = negotiate(request, _HTML_AND_RDF)
    if chosen == "text/html":
        response: Response = HTMLResponse(pages.term_page(request, iri))
        response.headers["Vary"] = "Accept"
        return response
    return _rdf(pages.ontology.description(iri), chosen)


@router.get(
    "/ontology/{name}",
    summary="A term of the esap: namespace by its local name: HTML or RDF by Accept",
    response_class=Response,
    responses={200: {"content": {t: {} for t in _HTML_AND_RDF}}, 404: {"description": "the vocabulary has no such term"}},
)
def term_by_name(request: Request, name: str, pages: Pages = _PAGES) -> Response:
    """``/ontology/minCores`` is the page of ``esap:minCores`` (the address every page links
    a term of the namespace by: no ``#`` in it)."""
    return _term_response(request, pages, str(ESAP) + name)

