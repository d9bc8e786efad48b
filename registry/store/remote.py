"""The remote store: the registry kept in a SPARQL 1.1 server (Oxigraph server,
Apache Jena Fuseki, Virtuoso, GraphDB, QLever), spoken to over the SPARQL 1.1
Protocol with httpx (:mod:`registry.store.protocol`; answers read by
:mod:`registry.store.answers`).

Every read is one query request to the query endpoint; every write is one
SPARQL Update request to the update endpoint, which SPARQL 1.1 Update asks the
server to apply atomically, so a write is stored whole or not at all. The
registry processes in front of the server keep no state of their own: any
number of them can share one store.

Values reach queries as ``BIND`` lines that :func:`~registry.store.protocol.bind_values`
writes at the query's ``#@values`` line (pyoxigraph's substitutions are not available
over the protocol); every term in them is written by pyoxigraph's N-Triples serialiser
after it has validated it.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from string import Template
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Identifier

from registry.errors import InputError, QueryError, StoreError, StoreValueError
from registry.resources import load_query
from registry.store.answers import SKOLEM_PREFIX, read_answer, skolemized
from registry.store.base import Bindings, Deadline, QueryResult, Solutions, Store, registry_graph
from registry.store.credentials import Credentials
from registry.store.environment import GRAPH_STORE_URL_ENV, TIMEOUT_ENV, UNION_GRAPH_ENV, UPDATE_URL_ENV
from registry.store.protocol import (
    ACCEPT,
    ACCEPT_BY_FORM,
    ACCEPT_RESULTS,
    SparqlClient,
    based,
    bind_values,
    query_form,
    query_name,
    safe_url,
)
from registry.store.terms import from_oxigraph, insert_data, to_oxigraph
from registry.vocabulary import DECIMALS_GRAPH, ESAP, REVISIONS_GRAPH

__all__ = ["RemoteStore", "open_remote"]

#: A decimal of 18 significant digits, which a store that keeps decimals exactly gives back
#: unchanged (see ``RemoteStore.decimal_digits``).
_DECIMAL_PROBE = Decimal("0.123456789012345678")
#: Datatypes whose values the registry reads as numbers or truth values: a value of one of
#: them that is not of its type in an answer is an error, never read as a string.
_CHECKED_DATATYPES = frozenset(
    {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.int, XSD.long, XSD.nonNegativeInteger}
)
_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
_MEDIA_TYPES = {"nquads": "application/n-quads", "trig": "application/trig"}
#: A graph no one writes: the default graph, or the named graphs, asked to be empty.
#: How often a write is made again while other writers write the same graphs at the same time.
_WRITE_ATTEMPTS = 10
_NO_GRAPH = "https://w3id.org/esap-registry/graph/none"
#: Answers of a Graph Store Protocol endpoint that gives no whole-store dump (a dump is then read with SPARQL).
_NO_WHOLE_STORE = frozenset({400, 404, 405, 406, 415, 501})


def _is_decimal(term: object) -> bool:
    return isinstance(term, Literal) and term.datatype == XSD.decimal


class RemoteStore(SparqlClient, Store):
    """A SPARQL 1.1 server as the registry's store.

    :param query_url: the query endpoint (``http(s)://``). User information in it
        (``https://user:pw@host/...``) is taken as credentials and removed.
    :param update_url: the update endpoint, when it differs from the query endpoint.
    :param credentials: for the update endpoint (and for the others when they are
        on the same origin as it): basic, digest or bearer.
    :param graph_store_url: the Graph Store Protocol endpoint, used to read a graph
        or dump the store where the server offers one.
    :param union_graph: how to ask for the union of every graph (see ``UNION_GRAPH_ENV``).
    :param timeout: seconds to wait for a connection and for each read of an answer.
    :param retries: how often a read is tried again after a failure.
    :param backoff: seconds before the first retry; doubled each time.
    :raises StoreError: when a URL is not an http(s) URL.
    """

    backend = "remote"

    #: A server answers queries side by side (one shared, thread-safe HTTP client).
    parallel_reads = True

    #: Other clients may write to the server: nothing derived from its data is kept.
    sole_writer = False

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        credentials: Credentials | None = None,
        graph_store_url: str | None = None,
        union_graph: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.2,
    ) -> None:
        super().__init__(
            query_url,
            update_url,
            credentials=credentials,
            graph_store_url=graph_store_url,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
        )
        self.union_graph = union_graph
        self._decimal_digits: int | None = None
        self._decimals_probed = False
        self._exact_held: dict[Decimal, str] | None = None
        #: The engine's name, from the ``Server`` header of its last answer.
        self.engine = "the SPARQL store"

    def __repr__(self) -> str:
        return f"RemoteStore({safe_url(self.query_url)!r}, update_url={safe_url(self.update_url)!r})"

    # -- the Store interface ---------------------------------------------------------------

    def query(
        self,
        query: str,
        bindings: Bindings | None = None,
        *,
        union_default_graph: bool = False,
        default_graph: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        deadline: Deadline | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query: one POST to the query endpoint, with the dataset asked for by
        the SPARQL Protocol's ``default-graph-uri`` and ``named-graph-uri``.

        :raises QueryError: when the server refuses the query, with its message.
        :raises QueryTimeout: when the deadline passes first.
        :raises StoreUnavailable: when the server cannot be reached or does not answer in time.
        :raises StoreError: when the server fails otherwise.
        """
        form: dict[str, str | list[str]] = {"query": based(bind_values(query, bindings), base_iri)}
        if default_graph is not None:
            form["default-graph-uri"] = [to_oxigraph(g).value for g in default_graph] or [_NO_GRAPH]
        elif union_default_graph:
            if self.union_graph is None:
                form["union-default-graph"] = ""
            elif self.union_graph == "registry":
                form["default-graph-uri"] = sorted(str(g) for g in self.graph_names()) or [_NO_GRAPH]
            elif self.union_graph != "default":
                form["default-graph-uri"] = self.union_graph
        if named_graphs is not None:
            form["named-graph-uri"] = [to_oxigraph(g).value for g in named_graphs] or [_NO_GRAPH]
        response = self._send(
            "POST",
            self.query_url,
            idempotent=True,
            what="the query",
            deadline=deadline,
            data=form,
            headers={"Accept": ACCEPT_BY_FORM.get(query_form(query) or "", ACCEPT)},
        )
        return self._result(response)

    def select(self, query: str, bindings: Bindings | None = None) -> list[dict[str, Any]]:
        """As :meth:`Store.select`, with every number and truth value checked: a value
        that is not of its datatype (an engine's own spelling the registry cannot read)
        is an error naming the engine and the query, never read as a string.

        :raises StoreValueError: when a value cannot be read as its datatype says.
        :raises QueryError: when the query is malformed or not a SELECT.
        :raises StoreError: when the store fails.
        """
        result = self.query(query, bindings)
        if not isinstance(result, Solutions):
            raise QueryError("select() takes a SELECT query")
        for row in result.rows:
            for variable, term in zip(result.variables, row, strict=True):
                if isinstance(term, Literal) and term.datatype in _CHECKED_DATATYPES and term.ill_typed:
                    raise StoreValueError(
                        f"{self.engine} at {safe_url(self.query_url)} answered {query_name(query)} with"
                        f" {str(term)!r} for ?{variable}, which is not an {term.datatype.removeprefix(str(XSD))}:"
                        " the answer cannot be read, so nothing is made of it"
                    )
        return result.python()

    def decimal_digits(self) -> int | None:
        """How many fraction digits of a decimal the engine keeps (``None``: all that the
        registry writes, 18 or more; Virtuoso 7 keeps 15), learnt once with a query that
        gives back a decimal of 18 fraction digits.

        :raises StoreValueError: when the engine gives back no decimal.
        :raises StoreError: when the store fails.
        """
        if not self._decimals_probed:
            probe = Literal(_DECIMAL_PROBE, datatype=XSD.decimal)
            result = self._raw_query(bind_values(load_query("decimal-probe"), {"probe": probe}), ACCEPT_RESULTS)
            values = result.values("probe") if isinstance(result, Solutions) else []
            given = values[0] if values else None
            try:
                back = Decimal(str(given)) if isinstance(given, Literal) else None
            except InvalidOperation:
                back = None
            if back is None:
                raise StoreValueError(
                    f"{self.engine} at {safe_url(self.query_url)} answered queries/decimal-probe.rq with {given!r},"
                    " not the decimal asked for"
                )
            self._decimal_digits = None if back == _DECIMAL_PROBE else max(0, -int(back.normalize().as_tuple().exponent))
            self._decimals_probed = True
        return self._decimal_digits

    def _raw_query(self, query: str, accept: str) -> QueryResult:
        """One query as the engine answers it, its decimals not made exact (see ``_exact``)."""
        response = self._send(
            "POST", self.query_url, idempotent=True, what="the query", data={"query": query}, headers={"Accept": accept}
        )
        return self._result(response, exact=False)

    def _exact_table(self, refresh: bool = False) -> dict[Decimal, str]:
        """The exact decimals written to an engine that rounds them: the value the engine
        holds -> the exact lexical form (``queries/exact-decimals.rq``), read once and again
        when an answer holds a rounded value that is not in it yet."""
        if self._exact_held is None or refresh:
            result = self._raw_query(load_query("exact-decimals"), ACCEPT_RESULTS)
            table: dict[Decimal, str] = {}
            if isinstance(result, Solutions):
                for exact, held in zip(result.values("exact"), result.values("held"), strict=True):
                    try:
                        table[Decimal(str(held))] = str(exact)
                    except InvalidOperation:
                        continue
            self._exact_held = table
        return self._exact_held

    def _rounded(self, value: Decimal, kept: int) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-kept), rounding=ROUND_HALF_UP)

    def _exact_decimals(self, graphs: Mapping[URIRef, Graph]) -> Graph:
        """The bookkeeping of a write to an engine that rounds decimals: one node per
        decimal it would round, with the exact lexical form and the decimal as the engine
        will hold it, written in the same request (``DECIMALS_GRAPH``).

        :raises StoreValueError: when two different decimals would be held as one value
            (then a rounded value could not be read back as the one meant); nothing is sent.
        """
        book = Graph()
        decimals = {o for graph in graphs.values() for o in graph.objects() if isinstance(o, Literal) and o.datatype == XSD.decimal}
        if not decimals:
            return book
        kept = self.decimal_digits()
        if kept is None:
            return book
        table = self._exact_table(refresh=True)
        written: dict[Decimal, str] = {}
        for term in sorted(decimals, key=str):
            try:
                value = Decimal(str(term))
            except InvalidOperation:
                continue
            exponent = int(value.as_tuple().exponent)
            held = self._rounded(value, kept) if -exponent > kept else value
            known = written.get(held) or table.get(held)
            if -exponent <= kept:
                if known is not None and Decimal(known) != value:
                    raise StoreValueError(self._ambiguous(str(term), known, kept))
                continue
            if known is not None and Decimal(known) != value:
                raise StoreValueError(self._ambiguous(str(term), known, kept))
            written[held] = str(term)
            node = URIRef(SKOLEM_PREFIX + "decimal-" + hashlib.sha256(str(term).encode()).hexdigest()[:32])
            book.add((node, ESAP.exactDecimal, Literal(str(term))))
            book.add((node, ESAP.heldDecimal, term))
        for held, exact in written.items():
            table[held] = exact
        return book

    def _ambiguous(self, value: str, other: str, kept: int) -> str:
        return (
            f"{self.engine} at {safe_url(self.query_url)} keeps decimals to {kept} fraction digits: {value} and"
            f" {other} would be held as one number, and could not be told apart when read back; nothing was written"
        )

    def _exact(self, result: QueryResult) -> QueryResult:
        """An answer with each decimal the engine rounded read as the exact one written
        (from ``DECIMALS_GRAPH``): what is planned on and dumped is what was written."""
        if isinstance(result, bool) or self._decimals_probed and self._decimal_digits is None:
            return result
        triples = list(result) if isinstance(result, Graph) else None
        if triples is not None:
            terms = [o for _, _, o in triples if _is_decimal(o)]
        else:
            terms = [t for row in result.rows for t in row if _is_decimal(t)]
        if not terms or self.decimal_digits() is None:
            return result
        kept = self._decimal_digits or 0
        table = self._exact_table()
        mapping: dict[Identifier, Literal] = {}
        refreshed = False
        for term in terms:
            if term in mapping:
                continue
            try:
                value = Decimal(str(term))
            except InvalidOperation:
                continue
            exact = table.get(value)
            if exact is None and -int(value.normalize().as_tuple().exponent) >= kept and not refreshed:
                table, refreshed = self._exact_table(refresh=True), True  # written since the table was read
                exact = table.get(value)
            if exact is not None:
                mapping[term] = Literal(exact, datatype=XSD.decimal)
        if not mapping:
            return result
        if triples is not None:
            graph = Graph()
            for s, p, o in triples:
                graph.add((s, p, mapping.get(o, o)))
            return graph
        assert isinstance(result, Solutions)
        return Solutions(result.variables, [tuple(mapping.get(t, t) if t is not None else None for t in row) for row in result.rows])

    def _result(self, response: httpx.Response, *, exact: bool = True) -> QueryResult:
        """The answer read (see :func:`~registry.store.answers.read_answer`), the engine's
        name taken from its ``Server`` header, its decimals made exact (see ``_exact``).

        :raises StoreError: when the answer is not SPARQL results or RDF, or malformed.
        """
        if exact:
            return self._exact(self._result(response, exact=False))
        server = response.headers.get("server", "").split(" ")[0].strip()
        if server:
            self.engine = server
        return read_answer(response)

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update: one POST to the update endpoint, applied whole or not at all.

        :raises QueryError: when the server refuses the update, with its message.
        :raises StoreUnavailable: when the server cannot be reached or does not answer in time.
        :raises StoreError: when the server fails otherwise.
        """
        self._post_update(based(update, base_iri))
        self._written(None)

    def _post_update(self, update: str) -> None:
        """One POST of an update (the store's own writes, which watchers are told of as such)."""
        self._send("POST", self.update_url, idempotent=False, what="the update", data={"update": update})

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace named graphs in one update request, written again while another
        writer wrote one of them at the same time (see ``_write``).

        :raises StoreError: as ``update`` does, or when concurrent writers keep colliding.
        """
        if graphs:
            self._write(dict(graphs), drop=False)
            self._written(graphs)

    def drop_graphs(self, names: Iterable[URIRef]) -> None:
        """Drop named graphs in one update request (see ``_write``).

        :raises StoreError: as ``update`` does, or when concurrent writers keep colliding.
        """
        names = list(dict.fromkeys(names))
        if names:
            dropped = {name: Graph() for name in names}
            self._write(dropped, drop=True)
            self._written(dropped)

    def _write(self, graphs: dict[URIRef, Graph], *, drop: bool) -> None:
        """Write (or drop) graphs whole even when another writer writes them at the same time.

        Some SPARQL stores (Oxigraph on disk among them) run concurrent updates under
        snapshot isolation without detecting write-write conflicts: two writers that
        replace one graph at once can leave a mix of both versions. So each write stamps
        the graphs it writes with a token of its own, in the same request
        (``queries/revise-graphs.rq``), and then looks for graphs holding its token and
        another one (``queries/write-conflicts.rq``): those were written at the same
        time by another writer, and are written again, after a random pause, until no
        collision is left. Each collision is found by at least the writer that committed
        last, so the graph ends up whole: one writer's version, the last one's.

        :raises StoreError: when writes still collide after ``_WRITE_ATTEMPTS`` tries.
        """
        book = self._exact_decimals(graphs)
        pending = skolemized(graphs)
        for attempt in range(_WRITE_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0.01, 0.05) * 2 ** min(attempt, 5))
            token = ox.Literal(str(uuid.uuid4()))
            revise = Template(load_query("revise-graphs")).substitute(
                written=" ".join(str(to_oxigraph(name)) for name in pending), token=str(token)
            )
            write = insert_data({} if drop else pending, drop=pending.keys())
            if len(book):  # the exact decimals, added beside the ones held before (never dropped)
                write += " ;\n" + insert_data({DECIMALS_GRAPH: book})
            self._post_update(revise + "\n" + write)
            solutions = self.query(load_query("write-conflicts"), {"token": from_oxigraph(token)})
            assert isinstance(solutions, Solutions)
            collided = {g for g in solutions.values("graph") if isinstance(g, URIRef)}
            if not collided:
                if drop:  # a dropped graph keeps no stamp
                    self._post_update(Template(load_query("forget-revision")).substitute(token=str(token)))
                return
            pending = {name: graph for name, graph in pending.items() if name in collided}
        shown = ", ".join(sorted(pending)[:5])
        raise StoreError(
            f"the SPARQL endpoint {safe_url(self.update_url)} kept taking other writes of {shown}"
            f" at the same time ({_WRITE_ATTEMPTS} tries); write again later"
        )

    def graph(self, name: URIRef) -> Graph:
        if self.graph_store_url is None:
            result = self.query(load_query("graph-triples"), {"graph": name})
            assert isinstance(result, Graph)
            return result
        url = self.graph_store_url.copy_merge_params({"graph": str(to_oxigraph(name).value)})
        response = self._send(
            "GET",
            url,
            idempotent=True,
            what="the graph",
            accept_statuses=frozenset({404}),
            headers={"Accept": "application/n-triples"},
        )
        if response.status_code == 404:
            return Graph()  # the Graph Store Protocol's answer for a graph that does not exist
        result = self._result(response)
        assert isinstance(result, Graph)
        return result

    def graph_names(self) -> set[URIRef]:
        solutions = self.query(load_query("graph-names"))
        assert isinstance(solutions, Solutions)
        return {g for g in solutions.values("graph") if isinstance(g, URIRef) and registry_graph(g)}

    def dump(self, format: str = "nquads") -> bytes:
        """The registry's graphs, from the Graph Store Protocol endpoint where it gives
        the whole store (Oxigraph), else with a SPARQL query (Virtuoso's answers a request
        for the whole store with 406).

        :raises StoreError: when the store fails or answers with malformed data.
        """
        if self.graph_store_url is not None:
            response = self._send(
                "GET",
                self.graph_store_url,
                idempotent=True,
                what="the dump",
                accept_statuses=_NO_WHOLE_STORE,
                headers={"Accept": _MEDIA_TYPES[format]},
            )
            if response.status_code not in _NO_WHOLE_STORE:
                # Re-serialised, so the answer is checked and in the format asked for.
                failure: str | None = None
                quads: list[ox.Quad] = []
                try:
                    quads = [q for q in ox.parse(response.content, format=_FORMATS[format]) if registry_graph(_name(q.graph_name))]
                except SyntaxError as exc:
                    failure = str(exc)
                if failure is not None:
                    raise StoreError(f"the graph store {safe_url(self.graph_store_url)} answered with malformed {format}: {failure}")
                return ox.serialize(quads, format=_FORMATS[format])
        solutions = self.query(load_query("dump-quads"))
        assert isinstance(solutions, Solutions)
        quads = [
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g))  # type: ignore[arg-type]
            for s, p, o, g in solutions.rows
            if registry_graph(g)
        ]
        return ox.serialize(quads, format=_FORMATS[format])

    def load(self, data: bytes, format: str = "nquads") -> None:
        graphs: dict[URIRef, Graph] = {}
        try:
            for quad in ox.parse(data, format=_FORMATS[format]):
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise InputError("the remote store takes quads in named graphs only")
                name = URIRef(quad.graph_name.value)
                if name == REVISIONS_GRAPH:
                    continue  # bookkeeping of the store the dump came from
                graphs.setdefault(name, Graph()).add(
                    (from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object))  # type: ignore[arg-type]
                )
        except SyntaxError as exc:
            raise QueryError(f"not well-formed {format}: {exc}") from exc
        if graphs:
            self.replace_graphs(graphs)


def _name(graph_name: object) -> URIRef | None:
    return URIRef(graph_name.value) if isinstance(graph_name, ox.NamedNode) else None


def open_remote(
    query_url: str,
    update_url: str | None = None,
    *,
    credentials: Credentials | None = None,
    environ: Mapping[str, str] | None = None,
) -> RemoteStore:
    """A remote store configured from arguments and the environment: the update URL
    (``ESAP_REGISTRY_UPDATE_URL``), the credentials (``Credentials.from_env``), the
    timeout, the union-graph convention and the Graph Store Protocol endpoint.

    :raises StoreError: when a setting is malformed.
    :raises OSError: when a credentials file cannot be read.
    """
    env = os.environ if environ is None else environ
    timeout_text = env.get(TIMEOUT_ENV) or "30"
    try:
        timeout = float(timeout_text)
    except ValueError as exc:
        raise StoreError(f"${TIMEOUT_ENV} must be a number of seconds, not {timeout_text!r}") from exc
    return RemoteStore(
        query_url,
        update_url or env.get(UPDATE_URL_ENV) or None,
        credentials=credentials if credentials is not None else Credentials.from_env(env),
        graph_store_url=env.get(GRAPH_STORE_URL_ENV) or None,
        union_graph=env.get(UNION_GRAPH_ENV) or None,
        timeout=timeout,
    )
