"""Conversion between rdflib terms (the registry's lingua franca) and pyoxigraph terms,
and the one place where terms are written as SPARQL text: the data of an
``INSERT DATA`` request, serialised by pyoxigraph's own N-Triples writer."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from string import Template
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from registry.errors import InputError, QueryError
from registry.resources import load_query

__all__ = [
    "BIND_MARK",
    "ROWS_PER_TABLE",
    "TABLE_MARK",
    "chunks",
    "fill",
    "from_oxigraph",
    "insert_data",
    "number_literal",
    "number_text",
    "quads",
    "to_oxigraph",
    "triple_to_oxigraph",
]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: How many rows of values one table of a query or update (:func:`fill`) holds at most:
#: Virtuoso 7 compiles a request into SQL of bounded length.
ROWS_PER_TABLE = 2_000

_Item = TypeVar("_Item")


def chunks(items: Sequence[_Item], size: int = ROWS_PER_TABLE) -> Iterator[Sequence[_Item]]:
    """``items`` in consecutive slices of at most ``size`` (the rows of one table each)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def number_text(value: Any) -> str:
    """A number as the same text whichever way it was written (10, 10.0, 1E1); None as
    '' (what the planning indexes' class digests are made of)."""
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def number_literal(value: Any) -> Literal:
    """A number as a literal: an integer or a decimal kept as it is, anything else (a
    float, a string) as an exact decimal."""
    return Literal(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else Literal(Decimal(str(value)))


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term.

    :raises InputError: when an IRI is not a valid IRI, a language tag not a valid tag,
        or a text not text (a lone surrogate).
    """
    if isinstance(term, URIRef):
        try:
            return ox.NamedNode(str(term))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{_shown(term)} is not a valid IRI: {exc}") from exc
    if isinstance(term, BNode):
        return ox.BlankNode(_bnode_id(term))
    if isinstance(term, Literal):
        try:
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=to_oxigraph(term.datatype))  # type: ignore[arg-type]
            return ox.Literal(str(term))
        except (ValueError, TypeError) as exc:
            raise InputError(f"the literal {_shown(term)} cannot be stored: {exc}") from exc
    raise TypeError(f"not an RDF term: {term!r}")


def _shown(term: Identifier) -> str:
    """A term quoted for a message: cut short, and escaped where it is no text."""
    text = str(term).encode("utf-8", "backslashreplace").decode("utf-8")
    return repr(text if len(text) <= 80 else text[:60] + "..." + text[-10:])


def _bnode_id(term: BNode) -> str:
    value = str(term)
    return value if value.isalnum() else "b" + "".join(c if c.isalnum() else "_" for c in value)


def from_oxigraph(term: object) -> Identifier | None:
    """A pyoxigraph term as an rdflib term.

    rdflib terms are immutable and costly to build (a literal parses its value), and
    query results repeat the same terms: IRIs and literals are built once and cached.
    """
    if term is None:
        return None
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return _cached_term(term)
    return _from_oxigraph(term)


@functools.lru_cache(maxsize=1 << 16)
def _cached_term(term: ox.NamedNode | ox.Literal) -> Identifier | None:
    return _from_oxigraph(term)


def _from_oxigraph(term: object) -> Identifier | None:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"not an RDF term: {term!r}")


def triple_to_oxigraph(triple: tuple[Identifier, Identifier, Identifier], graph: URIRef) -> ox.Quad:
    """One rdflib triple placed in a named graph, as a pyoxigraph quad."""
    s, p, o = triple
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(graph))


def quads(graphs: Mapping[URIRef, Graph]) -> list[ox.Quad]:
    """Every triple of each graph placed in its named graph, as pyoxigraph quads, each
    term checked as :func:`to_oxigraph` checks it (IRIs and literals without a language are
    converted once per call, however often they recur).

    :raises InputError: when a term is not valid RDF (an IRI with spaces, say).
    """
    converted: dict[Identifier, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def term(node: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        found = converted.get(node)
        if found is None:
            found = to_oxigraph(node)
            if isinstance(node, URIRef) or (isinstance(node, Literal) and not node.language):
                converted[node] = found
        return found

    result: list[ox.Quad] = []
    for name, graph in graphs.items():
        graph_name = term(name)
        result.extend(ox.Quad(term(s), term(p), term(o), graph_name) for s, p, o in graph)
    return result


def insert_data(graphs: Mapping[URIRef, Graph], drop: Iterable[URIRef] = ()) -> str:
    """The SPARQL Update ``queries/replace-graphs.rq`` filled in: drop graphs and fill
    others, as one request.

    Every term is written by pyoxigraph's N-Triples serialiser, after pyoxigraph
    has checked it (IRIs are validated, literals escaped): user values are never
    concatenated into the text in any other way.

    :raises InputError: when a term is not valid RDF (an IRI with spaces, say).
    """
    drops = "".join(f"DROP SILENT GRAPH {to_oxigraph(name)} ;\n" for name in drop)
    blocks = []
    for name, graph in graphs.items():
        lines = [f"{to_oxigraph(s)} {to_oxigraph(p)} {to_oxigraph(o)} ." for s, p, o in graph]
        if lines:
            blocks.append(f"GRAPH {to_oxigraph(name)} {{\n" + "\n".join(lines) + "\n}")
    return Template(load_query("replace-graphs")).substitute(drops=drops, data="\n".join(blocks))


#: The placeholder lines of a query in ``queries/`` (see :func:`fill`).
TABLE_MARK = "#@table"
BIND_MARK = "#@bind"

#: Rows of a table: each a term per variable, None for ``UNDEF``.
Rows = Sequence[Sequence[Identifier | None]]


def fill(
    text: str,
    tables: Mapping[str, tuple[Sequence[str], Rows]] | None = None,
    binds: Mapping[str, Mapping[str, Identifier]] | None = None,
) -> str:
    """A query or update of ``queries/`` with its placeholder lines filled in: at each
    ``#@table NAME`` line the table given as ``tables[NAME]`` (variables, rows), written
    ``VALUES (?a ?b) { (<x> 1) (<y> UNDEF) }``; at each ``#@bind NAME`` line the values
    of ``binds[NAME]``, written ``BIND(value AS ?name)``. Every term is written by
    pyoxigraph's N-Triples serialiser (checked and escaped, as :func:`insert_data` writes
    data); nothing else of a value reaches the text. A ``BIND`` line reaches the group it
    stands in, subqueries included, on every engine (a store's own bindings reach only
    the outer query on some); Virtuoso 7 also computes far faster from ``BIND`` than from
    a leading ``VALUES`` block. A table not given stays a comment, so the text runs as it
    is (every platform, the whole index), as a user pasting it into ``/sparql`` runs it.

    :raises QueryError: when a ``#@bind`` line has no values given, or a table or
        values are given for no line of the text.
    :raises InputError: when a term is not valid RDF.
    """
    tables = dict(tables or {})
    binds = dict(binds or {})
    used: set[tuple[str, str]] = set()
    lines = []
    for line in text.split("\n"):
        words = line.split()
        if len(words) == 2 and words[0] in (TABLE_MARK, BIND_MARK):
            mark, name = words
            indent = line[: len(line) - len(line.lstrip())]
            if mark == TABLE_MARK and name in tables:
                variables, rows = tables[name]
                head = " ".join(str(ox.Variable(v)) for v in variables)
                body = " ".join("(" + " ".join("UNDEF" if t is None else str(to_oxigraph(t)) for t in row) + ")" for row in rows)
                # no rows: the group has no solution (rdflib's engine fails on an empty VALUES)
                line = f"{indent}VALUES ({head}) {{ {body} }}" if rows else f"{indent}FILTER(false)"
            elif mark == BIND_MARK:
                if name not in binds:
                    raise QueryError(f"the query needs the values of {name} at its {BIND_MARK} {name} line")
                line = indent + " ".join(f"BIND({to_oxigraph(t)} AS {ox.Variable(v)})" for v, t in binds[name].items())
            used.add((mark, name))
        lines.append(line)
    unused = [f"{TABLE_MARK} {n}" for n in tables if (TABLE_MARK, n) not in used]
    unused += [f"{BIND_MARK} {n}" for n in binds if (BIND_MARK, n) not in used]
    if unused:
        raise QueryError(f"the query has no {', '.join(unused)} line for the values given")
    return "\n".join(lines)
