"""Reading a SPARQL server's answers: SPARQL results (JSON or XML) and RDF read whole into
the registry's terms, each engine's spellings made readable (Virtuoso's blank-node labels
and ``1``/``0`` booleans), skolem IRIs read back as the blank nodes they stand for; and
writing blank nodes as skolem IRIs (Virtuoso refuses blank nodes in ``INSERT DATA``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, URIRef
from rdflib.term import Identifier

from registry.errors import StoreError
from registry.store.base import QueryResult, Solutions
from registry.store.protocol import safe_url
from registry.store.terms import from_oxigraph

__all__ = ["SKOLEM_PREFIX", "read_answer", "skolemized"]

#: Blank nodes are written as skolem IRIs in the registry's own space (RDF 1.1's
#: ``.well-known/genid/``), fresh for each write, and read back as blank nodes: Virtuoso
#: refuses blank nodes in ``INSERT DATA``, and an ``INSERT { } WHERE {}`` of a whole
#: vocabulary graph exceeds the SQL it compiles a query to.
SKOLEM_PREFIX = "https://w3id.org/esap-registry/.well-known/genid/"
_XSD_BOOLEAN = ox.NamedNode(str(XSD.boolean))
#: Booleans as Virtuoso writes them in SPARQL results ("1"^^xsd:boolean), read in their canonical form.
_BOOLEANS = {
    "1": ox.Literal("true", datatype=_XSD_BOOLEAN),
    "0": ox.Literal("false", datatype=_XSD_BOOLEAN),
}


def _term(term: object) -> Identifier | None:
    """A term of an answer as an rdflib term: a skolem IRI as the blank node it stands
    for, a boolean written ``1``/``0`` (Virtuoso) in its canonical form."""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(SKOLEM_PREFIX):
            return BNode(term.value[len(SKOLEM_PREFIX) :])
    elif isinstance(term, ox.Literal) and term.value in _BOOLEANS and term.datatype == _XSD_BOOLEAN:
        term = _BOOLEANS[term.value]
    return from_oxigraph(term)


def skolemized(graphs: Mapping[URIRef, Graph]) -> dict[URIRef, Graph]:
    """The graphs with each blank node replaced by a fresh skolem IRI (one per blank node,
    shared by every graph of the write that holds it); graphs without any kept as they are."""
    fresh: dict[BNode, URIRef] = {}

    def skolem(term: Identifier) -> Identifier:
        if not isinstance(term, BNode):
            return term
        found = fresh.get(term)
        if found is None:
            found = fresh[term] = URIRef(SKOLEM_PREFIX + uuid.uuid4().hex)
        return found

    result: dict[URIRef, Graph] = {}
    for name, graph in graphs.items():
        if not any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in graph):
            result[name] = graph
            continue
        copy = Graph()
        for s, p, o in graph:
            copy.add((skolem(s), p, skolem(o)))
        result[name] = copy
    return result


def _read_results(content: bytes, results_format: ox.QueryResultsFormat) -> QueryResult:
    """SPARQL results read whole. The parser's own object (which pyoxigraph lets no other
    thread drop) is released here, before any error leaves: an error carrying it to the web
    app's event loop made every such answer a 503 (``PyQuerySolutions is unsendable``).

    :raises SyntaxError: when the results are malformed.
    """
    parsed: Any = ox.parse_query_results(content, format=results_format)
    failure: str | None = None
    result: QueryResult | None = None
    try:
        if isinstance(parsed, ox.QueryBoolean):
            result = bool(parsed)
        else:
            variables = [v.value for v in parsed.variables]
            rows = []
            for solution in parsed:
                rows.append(tuple(_term(solution[i]) for i in range(len(variables))))
            result = Solutions(variables, rows)
    except (SyntaxError, ValueError) as exc:
        failure = str(exc) or type(exc).__name__
    del parsed
    if failure is not None:
        raise SyntaxError(failure)
    assert result is not None
    return result


_XML_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")


def _bnode_label(value: str) -> str:
    """A blank-node label any parser takes, one for each label an engine writes
    (Virtuoso's ``nodeID://b10001``): kept when it is one already, else spelt in hex."""
    return value if value.isascii() and value.isalnum() else "x" + value.encode("utf-8").hex()


def _relabel_blank_nodes(content: bytes, results_format: ox.QueryResultsFormat) -> bytes | None:
    """The results with every blank-node label made one that the parser takes
    (``None`` when nothing changed, or they cannot be read)."""
    if results_format == ox.QueryResultsFormat.JSON:
        try:
            body = json.loads(content)
            changed = False
            for binding in body.get("results", {}).get("bindings", []):
                for value in binding.values():
                    if isinstance(value, dict) and value.get("type") == "bnode" and isinstance(value.get("value"), str):
                        label = _bnode_label(value["value"])
                        changed = changed or label != value["value"]
                        value["value"] = label
        except (ValueError, AttributeError, TypeError):
            return None
        return json.dumps(body).encode("utf-8") if changed else None
    if results_format == ox.QueryResultsFormat.XML:
        relabelled = _XML_BNODE.sub(
            lambda m: b"<bnode>" + _bnode_label(m.group(1).decode("utf-8", "replace")).encode() + b"</bnode>", content
        )
        return relabelled if relabelled != content else None
    return None


def _read_graph(content: bytes, rdf_format: ox.RdfFormat) -> Graph:
    """The triples of an RDF answer, read whole; the parser released before any error
    leaves (as in :func:`_read_results`).

    :raises SyntaxError: when the answer is malformed.
    """
    graph = Graph()
    failure: str | None = None
    triples: Any = ox.parse(content, format=rdf_format)
    try:
        for triple in triples:
            graph.add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))  # type: ignore[arg-type]
    except (SyntaxError, ValueError) as exc:
        failure = str(exc) or type(exc).__name__
    del triples
    if failure is not None:
        raise SyntaxError(failure)
    return graph


def read_answer(response: httpx.Response) -> QueryResult:
    """The answer of a query, read as its content type says: SPARQL results or RDF.

    :raises StoreError: when the answer is of another type, or malformed.
    """
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    try:
        if results_format is not None:
            try:
                return _read_results(response.content, results_format)
            except SyntaxError:
                relabelled = _relabel_blank_nodes(response.content, results_format)
                if relabelled is None:
                    raise
            return _read_results(relabelled, results_format)
        rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
        if rdf_format is None:
            raise StoreError(
                f"the SPARQL endpoint {safe_url(response.url)} answered with {media_type or 'no content type'},"
                " not SPARQL results or RDF"
            )
        return _read_graph(response.content, rdf_format)
    except SyntaxError as exc:
        raise StoreError(f"the SPARQL endpoint {safe_url(response.url)} answered with malformed results: {exc}") from exc
