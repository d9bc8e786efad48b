"""Users' SPARQL: telling queries from updates, the dataset a query runs over,
and the standard result formats (SPARQL 1.1 Query Results JSON, XML, CSV and TSV;
RDF graphs as Turtle, N-Triples, JSON-LD and RDF/XML).

Core code: no HTTP here. The web endpoint and the command line both use it.

A query's text is scanned, never rewritten: :func:`scan` reads the keywords
outside strings, IRIs and comments to tell its form (``SELECT``, ``ASK``,
``CONSTRUCT``, ``DESCRIBE`` or an update), whether it names its own dataset
(``FROM``/``FROM NAMED``) and whether it calls another endpoint (``SERVICE``) or
loads a document from one (``LOAD``), which the registry refuses: the store would
fetch from any address it is given. The one change ever made to a user's text is
the SPARQL Protocol's ``using-graph-uri``/``using-named-graph-uri`` of an update,
added as the ``USING``/``USING NAMED`` clauses they stand for (:func:`with_using`),
with every IRI checked and written by pyoxigraph.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Literal as TypingLiteral
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from registry.errors import InputError, QueryError
from registry.store import QueryResult, Solutions, Store
from registry.store.base import Deadline
from registry.store.terms import to_oxigraph

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "QueryForm",
    "Scan",
    "error_position",
    "run_query",
    "check_update",
    "run_update",
    "scan",
    "select_results",
    "serialize_boolean",
    "serialize_graph",
    "serialize_solutions",
    "with_using",
]

QueryForm = TypingLiteral["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE"]

#: Result formats of SELECT and ASK: name -> media type.
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Formats of CONSTRUCT and DESCRIBE results (and of every RDF download): name -> media type.
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}

_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

# One token at a time, leftmost first, as the SPARQL grammar reads them: strings
# (with their escapes), IRIs, comments, variables, language tags, prefixed names
# and blank node labels, then bare words (the keywords). Anything else is one character.
_TOKEN = re.compile(
    r"""
      (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w.\-:%]|\\.)*)
    | (?P<word>[^\W\d][\w\-]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Scan:
    """What a glance at a query's keywords tells.

    :param form: ``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE``, or ``None``
        when no form keyword was found (the parser will say what is wrong).
    :param has_dataset: the query names its own dataset with ``FROM`` or ``FROM NAMED``.
    :param has_service: the text calls another endpoint with ``SERVICE``.
    :param has_load: the text loads a document from elsewhere with ``LOAD``.
    """

    form: QueryForm | None
    has_dataset: bool
    has_service: bool
    has_load: bool = False

    @property
    def is_update(self) -> bool:
        return self.form == "UPDATE"


def scan(text: str) -> Scan:
    """Read the keywords of a query or update, outside strings, IRIs and comments."""
    form: QueryForm | None = None
    has_dataset = has_service = has_load = False
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "word":
            continue
        word = match.group().upper()
        if form is None and word not in ("BASE", "PREFIX"):
            if word in _QUERY_FORMS:
                form = word  # type: ignore[assignment]
            elif word in _UPDATE_WORDS:
                form = "UPDATE"
        if word == "FROM":
            has_dataset = True
        elif word == "SERVICE":
            has_service = True
        elif word == "LOAD":
            has_load = True
    return Scan(form, has_dataset, has_service, has_load)


_POSITIONS = (
    re.compile(r"\berror at (\d+):(\d+)"),  # pyoxigraph: "error at 4:18: expected ..."
    re.compile(r"\(line:(\d+), col:(\d+)\)"),  # rdflib (pyparsing): "... (at char 33), (line:4, col:3)"
)


def error_position(message: str) -> tuple[int, int] | None:
    """The line and column (both from 1) a parser's message about a malformed query
    points at, or ``None`` when it names none."""
    for pattern in _POSITIONS:
        match = pattern.search(message)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def _dataset(found: Scan, default_graph: Sequence[URIRef] | None, named_graphs: Sequence[URIRef] | None) -> dict[str, Any]:
    """The dataset a user's query runs on, as ``Store.query`` arguments: the one given in
    the protocol when any is; else the query's own ``FROM``; else the union of every graph."""
    if default_graph is not None or named_graphs is not None:
        return {"default_graph": list(default_graph or []), "named_graphs": list(named_graphs or [])}
    return {"union_default_graph": not found.has_dataset}


def run_query(
    store: Store,
    text: str,
    *,
    default_graph: Sequence[URIRef] | None = None,
    named_graphs: Sequence[URIRef] | None = None,
    deadline: Deadline | None = None,
    base_iri: str | None = None,
) -> QueryResult:
    """Run a user's query as the SPARQL 1.1 Protocol says.

    The dataset is the one given here (``default-graph-uri``, ``named-graph-uri``)
    when any is; else the query's own ``FROM``/``FROM NAMED``; else the default
    graph is the union of every graph and ``GRAPH`` sees every named graph.
    Relative IRIs resolve against ``base_iri`` (the endpoint's URL on the web).

    :raises QueryError: when the text is malformed, is an update, or calls ``SERVICE``.
    :raises QueryTimeout: when the deadline passes.
    :raises StoreError: when the store fails.
    """
    found = scan(text)
    if found.is_update:
        raise QueryError(
            "this is a SPARQL Update, not a query: send it to the update operation "
            "(esap-registry update; on the web, POST it as update= with the token)"
        )
    if found.has_service:
        raise QueryError("federated queries (SERVICE) are not allowed here: the registry answers from its own data only")
    return store.query(text, **_dataset(found, default_graph, named_graphs), deadline=deadline, base_iri=base_iri)


def select_results(
    store: Store,
    text: str,
    format: str,
    *,
    default_graph: Sequence[URIRef] | None = None,
    named_graphs: Sequence[URIRef] | None = None,
    deadline: Deadline | None = None,
    base_iri: str | None = None,
) -> bytes | None:
    """A user's SELECT query run as ``run_query`` runs it, its solutions written by the
    store itself in the results format ``format``; ``None`` when the store does not write
    results (or the query is no SELECT): then ``run_query`` and ``serialize_solutions``.

    :raises QueryError: when the text is malformed, is an update, or calls ``SERVICE``.
    :raises QueryTimeout: when the deadline passes.
    :raises StoreError: when the store fails.
    """
    found = scan(text)
    if found.form != "SELECT" or found.has_service:
        return None  # run_query says what is wrong with it
    return store.select_results(
        text, format, **_dataset(found, default_graph, named_graphs), deadline=deadline, base_iri=base_iri
    )


def with_using(text: str, default_graph: Sequence[URIRef] | None, named_graphs: Sequence[URIRef] | None) -> str:
    """The update with the SPARQL Protocol's dataset (``using-graph-uri`` as
    ``default_graph``, ``using-named-graph-uri`` as ``named_graphs``) written into each
    of its ``DELETE``/``INSERT … WHERE`` operations as ``USING``/``USING NAMED``
    clauses, just before their ``WHERE``: the graphs its patterns match, as the
    protocol says. Other operations (``INSERT DATA``, ``DELETE WHERE``, ``CLEAR`` …)
    have no dataset and are left as they are. Without either list, the text unchanged.

    :raises QueryError: when the update names its own dataset (``WITH``, ``USING``) as
        well: the protocol says such a request is refused.
    :raises InputError: when a graph name is not a valid IRI.
    """
    if default_graph is None and named_graphs is None:
        return text
    clauses = [f"USING {to_oxigraph(iri)}" for iri in default_graph or []]
    clauses += [f"USING NAMED {to_oxigraph(iri)}" for iri in named_graphs or []]
    clause = " ".join(clauses) + " "
    pieces: list[str] = []
    depth, last_word, done = 0, "", 0
    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "other":
            depth += {"{": 1, "}": -1}.get(token, 0)
            if not token.isspace():
                last_word = ""
            continue
        if kind != "word":
            if kind != "comment":
                last_word = ""
            continue
        word = token.upper()
        if depth == 0 and word in ("WITH", "USING"):
            raise QueryError(
                f"the update names its own dataset with {word} and the request gives using-graph-uri or"
                " using-named-graph-uri as well: give the graphs one way, not both"
            )
        if depth == 0 and word == "WHERE" and last_word != "DELETE":
            pieces += [text[done:match.start()], clause]
            done = match.start()
        last_word = word
    pieces.append(text[done:])
    return "".join(pieces)


def run_update(
    store: Store,
    text: str,
    *,
    using_graphs: Sequence[URIRef] | None = None,
    using_named_graphs: Sequence[URIRef] | None = None,
    base_iri: str | None = None,
) -> None:
    """Run a user's SPARQL Update: its ``DELETE``/``INSERT … WHERE`` operations match
    ``using_graphs`` as their default graph and ``using_named_graphs`` as their named
    graphs when either is given (the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri``); relative IRIs resolve against ``base_iri``.

    :raises QueryError: when the text is malformed, is a query, calls ``SERVICE`` or
        ``LOAD``, or names its own dataset while ``using_graphs``/``using_named_graphs``
        are given.
    :raises InputError: when a graph name is not a valid IRI.
    :raises StoreError: when the store fails.
    """
    check_update(text)
    store.update(with_using(text, using_graphs, using_named_graphs), base_iri=base_iri)


def check_update(text: str) -> None:
    """Refuse what a user's SPARQL Update may not do here (on the web and on the command line).

    :raises QueryError: when the text is a query, or calls ``SERVICE`` or ``LOAD``.
    """
    found = scan(text)
    if found.form in _QUERY_FORMS:
        raise QueryError(f"this is a {found.form} query, not an update: send it to the update operation")
    if found.has_service:
        raise QueryError("SERVICE is not allowed in updates here: the registry never fetches from other endpoints")
    if found.has_load:
        raise QueryError("LOAD is not allowed here: the registry never fetches documents from elsewhere; ingest them instead")


# -- result formats ------------------------------------------------------------


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    return {"type": "uri", "value": str(term)}


def _xml_term(term: Identifier) -> str:
    if isinstance(term, Literal):
        attributes = ""
        if term.language:
            attributes = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype is not None:
            attributes = f" datatype={quoteattr(str(term.datatype))}"
        return f"<literal{attributes}>{escape(str(term))}</literal>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    return f"<uri>{escape(str(term))}</uri>"


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term: Identifier | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        body = '"' + str(term).translate(_TSV_ESCAPES) + '"'
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype is not None:
            return f"{body}^^{to_oxigraph(term.datatype)}"
        return body
    return str(to_oxigraph(term))


def serialize_solutions(solutions: Solutions, format: str) -> bytes:
    """The solutions of a SELECT query as SPARQL 1.1 Query Results JSON, XML, CSV or TSV.

    :raises InputError: for an unknown format name.
    """
    if format == "json":
        bindings = [{k: _json_term(v) for k, v in row.items() if v is not None} for row in solutions]
        body = {"head": {"vars": solutions.variables}, "results": {"bindings": bindings}}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    if format == "xml":
        out = ['<?xml version="1.0" encoding="utf-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        out += [f"<variable name={quoteattr(v)}/>" for v in solutions.variables]
        out.append("</head><results>")
        for row in solutions:
            out.append("<result>")
            out += [f"<binding name={quoteattr(k)}>{_xml_term(v)}</binding>" for k, v in row.items() if v is not None]
            out.append("</result>")
        out.append("</results></sparql>")
        return "\n".join(out).encode("utf-8")
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(solutions.variables)
        writer.writerows([["" if v is None else str(v) for v in row] for row in solutions.rows])
        return buffer.getvalue().encode("utf-8")
    if format == "tsv":
        lines = ["\t".join(f"?{v}" for v in solutions.variables)]
        lines += ["\t".join(_tsv_term(v) for v in row) for row in solutions.rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise InputError(f"unknown result format {format!r}")


def serialize_boolean(value: bool, format: str) -> bytes:
    """An ASK result as JSON or XML (and, as is common, CSV and TSV with one ``_askResult`` column).

    :raises InputError: for an unknown format name.
    """
    if format == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if format == "xml":
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{str(value).lower()}</boolean></sparql>"
        ).encode()
    if format == "csv":
        return f"_askResult\r\n{str(value).lower()}\r\n".encode()
    if format == "tsv":
        return f"?_askResult\n{str(value).lower()}\n".encode()
    raise InputError(f"unknown result format {format!r}")


#: Prefixes written in Turtle and JSON-LD output.
PREFIXES = {
    "esap": "https://w3id.org/esap-registry/vocab#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}


def serialize_graph(graph: Graph, format: str) -> bytes:
    """A graph as Turtle, N-Triples, JSON-LD or RDF/XML.

    :raises InputError: for an unknown format name.
    """
    if format not in GRAPH_FORMATS:
        raise InputError(f"unknown RDF format {format!r}")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=False)
    if format == "json-ld":
        return graph.serialize(format="json-ld", auto_compact=True, encoding="utf-8")
    return graph.serialize(format=format, encoding="utf-8")
