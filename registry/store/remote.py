"""The remote store: the registry kept in a SPARQL 1.1 server (Oxigraph server,
Apache Jena Fuseki, Virtuoso, GraphDB, QLever), spoken to over the SPARQL 1.1
Protocol with httpx.

Every read is one query request to the query endpoint; every write is one
SPARQL Update request to the update endpoint, which SPARQL 1.1 Update asks the
server to apply atomically, so a write is stored whole or not at all. The
registry processes in front of the server keep no state of their own: any
number of them can share one store.

Values reach queries as a ``VALUES`` block that :func:`bind_values` writes at the
start of the query's ``WHERE`` clause (pyoxigraph's substitutions are not
available over the protocol); every term in it is written by pyoxigraph's
N-Triples serialiser after it has validated it.

Faults: a server that cannot be reached or does not answer in time raises
:class:`~registry.errors.StoreUnavailable` naming the endpoint; reads are retried
with backoff first, writes only when the connection was never made (so a write
is never sent twice). An error the server answers with is passed on with the
server's message: a malformed query or update as
:class:`~registry.errors.QueryError`. Credentials never appear in messages.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
import uuid
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

import httpx
import pyoxigraph as ox
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from registry.errors import InputError, QueryError, QueryTimeout, StoreError, StoreUnavailable, StoreValueError
from registry.resources import load_query, query_names
from registry.store import CREDENTIALS_FILE_ENV, UPDATE_URL_ENV
from registry.store.base import Bindings, Deadline, QueryResult, Solutions, Store, registry_graph
from registry.store.terms import from_oxigraph, insert_data, to_oxigraph
from registry.vocabulary import DECIMALS_GRAPH, ESAP, REVISIONS_GRAPH

__all__ = [
    "CREDENTIALS_FILE_ENV",
    "Credentials",
    "RemoteStore",
    "UPDATE_URL_ENV",
    "bind_values",
    "open_remote",
    "query_form",
]

#: Credentials given directly in the environment.
USER_ENV, PASSWORD_ENV, TOKEN_ENV = "ESAP_REGISTRY_STORE_USER", "ESAP_REGISTRY_STORE_PASSWORD", "ESAP_REGISTRY_STORE_TOKEN"
#: ``basic`` (the default) or ``digest`` (Virtuoso's ``/sparql-auth``) for a user and password.
AUTH_SCHEME_ENV = "ESAP_REGISTRY_STORE_AUTH"
#: Seconds to wait for the server (connecting, and each read of an answer).
TIMEOUT_ENV = "ESAP_REGISTRY_STORE_TIMEOUT"
#: How a query over the union of every graph is asked for: unset for Oxigraph's
#: ``union-default-graph`` parameter; ``default`` when the engine's default graph
#: already is the union (GraphDB, QLever; Virtuoso's holds its own system graphs too);
#: ``registry`` to name every graph of the registry as ``default-graph-uri`` (exact on
#: every engine, at the cost of one more query and a longer request: Virtuoso's choice);
#: else the IRI of the engine's union graph, sent as ``default-graph-uri`` (Fuseki:
#: ``urn:x-arq:UnionGraph``).
UNION_GRAPH_ENV = "ESAP_REGISTRY_UNION_GRAPH"
#: The Graph Store Protocol endpoint, where the server offers one (read-only use:
#: fetching one graph, dumping the store). Without it, SPARQL queries do the same.
GRAPH_STORE_URL_ENV = "ESAP_REGISTRY_GRAPH_STORE_URL"

_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5, application/rdf+xml;q=0.4"
)
#: What a query of each form asks for: results for SELECT and ASK, RDF for CONSTRUCT and
#: DESCRIBE (N-Triples first: Virtuoso answers a CONSTRUCT asked for as JSON results with a
#: table of bare JSON numbers).
_ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
_ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_ACCEPT_BY_FORM = {"SELECT": _ACCEPT_RESULTS, "ASK": _ACCEPT_RESULTS, "CONSTRUCT": _ACCEPT_RDF, "DESCRIBE": _ACCEPT_RDF}
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
#: Answers after which a read is tried again.
_RETRY_STATUSES = {502, 503, 504}
_MESSAGE_LIMIT = 2000
#: A graph no one writes: the default graph, or the named graphs, asked to be empty.
#: How often a write is made again while other writers write the same graphs at the same time.
_WRITE_ATTEMPTS = 10
_NO_GRAPH = "https://w3id.org/esap-registry/graph/none"
#: Answers of a Graph Store Protocol endpoint that gives no whole-store dump (a dump is then read with SPARQL).
_NO_WHOLE_STORE = frozenset({400, 404, 405, 406, 415, 501})


# -- credentials ---------------------------------------------------------------------------


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


@dataclass(frozen=True, repr=False)
class Credentials:
    """Credentials for the store: a user and password (HTTP basic, or digest) or a
    bearer token. Never shown: ``repr`` and ``str`` hide them.

    :param user: the user name, with ``password``.
    :param password: the password.
    :param token: a bearer token (QLever's access token, a GraphDB or proxy token).
    :param scheme: ``basic`` or ``digest``, for a user and password.
    """

    user: str | None = None
    password: str | None = None
    token: str | None = None
    scheme: str = "basic"

    def __post_init__(self) -> None:
        if self.scheme not in ("basic", "digest"):
            raise StoreError(f"unknown authentication scheme {self.scheme!r}: use 'basic' or 'digest'")
        if self.token and self.user:
            raise StoreError("give the store either a user and password or a token, not both")
        if self.password and not self.user:
            raise StoreError("the store's password is given without a user")

    def __repr__(self) -> str:
        return f"Credentials({'token' if self.token else self.scheme if self.user else 'none'}, hidden)"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self.token or self.user)

    @property
    def secrets(self) -> list[str]:
        """The secret strings, to be scrubbed from any message."""
        return [s for s in (self.password, self.token) if s]

    def auth(self) -> httpx.Auth | None:
        """The httpx authentication these credentials give (``None`` when empty)."""
        if self.token:
            return _BearerAuth(self.token)
        if self.user:
            if self.scheme == "digest":
                return httpx.DigestAuth(self.user, self.password or "")
            return httpx.BasicAuth(self.user, self.password or "")
        return None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Credentials from ``ESAP_REGISTRY_STORE_USER``/``_PASSWORD``/``_TOKEN``/``_AUTH``,
        or from the file named by ``ESAP_REGISTRY_CREDENTIALS_FILE``.

        :raises StoreError: when they are contradictory or the file is malformed.
        :raises OSError: when the credentials file cannot be read.
        """
        env = os.environ if environ is None else environ
        if env.get(CREDENTIALS_FILE_ENV):
            return cls.from_file(Path(env[CREDENTIALS_FILE_ENV]))
        return cls(
            user=env.get(USER_ENV) or None,
            password=env.get(PASSWORD_ENV) or None,
            token=env.get(TOKEN_ENV) or None,
            scheme=(env.get(AUTH_SCHEME_ENV) or "basic").lower(),
        )

    @classmethod
    def from_file(cls, path: Path) -> Credentials:
        """Credentials from a file of ``key=value`` lines: ``user``, ``password``,
        ``token``, ``scheme`` (blank lines and ``#`` comments ignored). The
        environment variables' names are accepted as keys too.

        :raises StoreError: when a line is malformed (its content is not shown).
        :raises OSError: when the file cannot be read.
        """
        keys = {"user": "user", "password": "password", "token": "token", "scheme": "scheme", "auth": "scheme"}
        values: dict[str, str] = {}
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            key = key.strip().lower().removeprefix("esap_registry_store_")
            if not sep or key not in keys:
                raise StoreError(f"{path}:{number}: expected user=, password=, token= or scheme= (the line is not shown)")
            values[keys[key]] = value.strip()
        return cls(
            user=values.get("user") or None,
            password=values.get("password") or None,
            token=values.get("token") or None,
            scheme=(values.get("scheme") or "basic").lower(),
        )


# -- binding values ------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{) | (?P<close>\}) | (?P<lparen>\() | (?P<rparen>\))
  | (?P<word>[?$:\w][\w\-.:%\\]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}


def _where_brace(query: str) -> int | None:
    """The offset just after the ``{`` that opens the query's WHERE clause (``None``
    when there is none: a ``DESCRIBE <iri>``, ``CONSTRUCT WHERE``, not a query).

    Comments, strings and IRIs are skipped, so a brace inside them is never taken;
    braces inside parentheses (an ``EXISTS`` in a projection) are not either.
    """
    form: str | None = None
    template_depth = 0  # inside a CONSTRUCT template
    expect_template = False
    parens = 0
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("comment", "space", "string", "iri"):
            continue
        text = match.group()
        if form is None:
            if kind == "word" and text.upper() in _FORMS:
                form = text.upper()
                expect_template = form == "CONSTRUCT"
            continue
        if expect_template:
            expect_template = False
            if kind == "open":
                template_depth = 1
                continue
            if kind == "word" and text.upper() == "WHERE":
                return None  # CONSTRUCT WHERE { triples }: no VALUES allowed inside
        if template_depth:
            template_depth += {"open": 1, "close": -1}.get(kind or "", 0)
            continue
        if kind == "lparen":
            parens += 1
        elif kind == "rparen":
            parens -= 1
        elif kind == "open" and parens == 0:
            return match.end()
    return None


def _based(text: str, base_iri: str | None) -> str:
    """The query or update with ``base_iri`` declared as its base (written by pyoxigraph,
    on the first line so that the server's line numbers stay the user's); a ``BASE`` of
    the text's own still wins, as SPARQL's later declarations do.

    :raises InputError: when ``base_iri`` is not a valid IRI.
    """
    return text if base_iri is None else f"BASE {to_oxigraph(URIRef(base_iri))} {text}"


def bind_values(query: str, bindings: Bindings | None) -> str:
    """The query with its bound variables fixed by ``BIND(value AS ?name)`` lines placed
    first in its ``WHERE`` clause, so that every part of the clause (``BIND``, ``FILTER``,
    ``EXISTS``, ``OPTIONAL``) sees them, as pyoxigraph's substitutions do. (A
    ``FILTER`` in a nested group ``{ }`` of its own is evaluated before the join,
    as SPARQL says; the registry's queries keep bound variables out of those.)
    ``BIND`` rather than a ``VALUES`` block: Virtuoso 7 runs a query that computes with
    ``IF`` from variables of a leading ``VALUES`` block for minutes (``plan-pools.rq``), and
    answers it at once with the same values bound by ``BIND``; both mean the same join of
    one solution. Without a WHERE clause to put them in (``DESCRIBE ?x``), a ``VALUES``
    clause is added at the end of the query.

    Every term is checked and written by pyoxigraph; nothing else of a value
    reaches the text. As with pyoxigraph, bound variables of a SELECT should be
    projected.

    :raises QueryError: when a name is not a SPARQL variable name, or a value is a
        blank node (which SPARQL cannot bind).
    :raises InputError: when an IRI is not a valid IRI.
    """
    if not bindings:
        return query
    names, terms = [], []
    for name, term in bindings.items():
        try:
            names.append(str(ox.Variable(name)))
        except ValueError as exc:
            raise QueryError(f"{name!r} is not a SPARQL variable name") from exc
        if isinstance(term, BNode):
            raise QueryError(f"?{name} cannot be bound to a blank node")
        terms.append(str(to_oxigraph(term)))
    at = _where_brace(query)
    if at is None:
        return f"{query}\nVALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}\n"
    block = "".join(f"\nBIND({term} AS {name})" for name, term in zip(names, terms, strict=True)) + "\n"
    return query[:at] + block + query[at:]


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of a query, read past its
    prologue, comments, strings and IRIs (``None`` for text that is none of them)."""
    for match in _TOKEN.finditer(query):
        if match.lastgroup == "word" and match.group().upper() in _FORMS:
            return match.group().upper()
    return None


# -- reading answers -----------------------------------------------------------------------


def _term(term: object) -> Identifier | None:
    """A term of an answer as an rdflib term: a skolem IRI as the blank node it stands
    for, a boolean written ``1``/``0`` (Virtuoso) in its canonical form."""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(SKOLEM_PREFIX):
            return BNode(term.value[len(SKOLEM_PREFIX) :])
    elif isinstance(term, ox.Literal) and term.value in _BOOLEANS and term.datatype == _XSD_BOOLEAN:
        term = _BOOLEANS[term.value]
    return from_oxigraph(term)


def _skolemized(graphs: Mapping[URIRef, Graph]) -> dict[URIRef, Graph]:
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


def _is_decimal(term: object) -> bool:
    return isinstance(term, Literal) and term.datatype == XSD.decimal


_QUERY_NAMES: dict[str, str] = {}


def _query_name(query: str) -> str:
    """``queries/NAME.rq`` for one of the registry's queries, else "a query" and its start."""
    if not _QUERY_NAMES:
        _QUERY_NAMES.update({load_query(name): name for name in query_names()})
    name = _QUERY_NAMES.get(query)
    if name is not None:
        return f"queries/{name}.rq"
    start = " ".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    start = " ".join(start.split())
    return f"the query {start[:60] + '...' if len(start) > 60 else start!r}"


# -- the store -----------------------------------------------------------------------------


def _safe_url(url: httpx.URL) -> str:
    """The URL as shown in messages: no user information, no query string."""
    return str(url.copy_with(username=None, password=None, query=None, fragment=None))


class RemoteStore(Store):
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
        found: list[Credentials] = []
        self.query_url = self._endpoint(query_url, found)
        self.update_url = self._endpoint(update_url, found) if update_url else self.query_url
        self.graph_store_url = self._endpoint(graph_store_url, found) if graph_store_url else None
        if credentials is None or not credentials:
            credentials = found[0] if found else Credentials()
        self.credentials = credentials
        self.union_graph = union_graph
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self._client: httpx.Client | None = None
        self._pid = 0
        self._decimal_digits: int | None = None
        self._decimals_probed = False
        self._exact_held: dict[Decimal, str] | None = None
        #: The engine's name, from the ``Server`` header of its last answer.
        self.engine = "the SPARQL store"

    @staticmethod
    def _endpoint(text: str, found: list[Credentials]) -> httpx.URL:
        try:
            url = httpx.URL(text)
        except httpx.InvalidURL as exc:
            detail = "" if "@" in text else f": {exc}"  # user information may hold a password
            raise StoreError(f"the store's endpoint is not a valid URL{detail}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise StoreError(f"a remote store's endpoint must be an http(s) URL, not {_safe_url(url)}")
        if url.username:
            found.append(Credentials(user=url.username, password=url.password or None))
            url = url.copy_with(username=None, password=None)
        return url

    def __repr__(self) -> str:
        return f"RemoteStore({_safe_url(self.query_url)!r}, update_url={_safe_url(self.update_url)!r})"

    # -- HTTP ------------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        # One client per process: a client made before a fork is not shared with the child.
        if self._client is None or self._pid != os.getpid():
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                follow_redirects=False,
                headers={"User-Agent": "esap-registry"},
            )
            self._pid = os.getpid()
        return self._client

    def _auth_for(self, url: httpx.URL) -> httpx.Auth | None:
        """Credentials go to the update endpoint, and to others on the same origin only."""
        origin = (self.update_url.scheme, self.update_url.host, self.update_url.port)
        if (url.scheme, url.host, url.port) != origin:
            return None
        return self.credentials.auth()

    def _scrub(self, text: str) -> str:
        for secret in self.credentials.secrets:
            text = text.replace(secret, "***")
        return text

    def _server_message(self, response: httpx.Response) -> str:
        text = response.text.strip()
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                body = json.loads(text)
            except ValueError:
                body = None
            if isinstance(body, dict):  # QLever and GraphDB answer errors as JSON
                text = str(body.get("exception") or body.get("message") or body.get("error") or text)
        if len(text) > _MESSAGE_LIMIT:
            text = text[:_MESSAGE_LIMIT] + " [...]"
        return self._scrub(text) or response.reason_phrase

    def _send(
        self,
        method: str,
        url: httpx.URL,
        *,
        idempotent: bool,
        what: str,
        accept_statuses: frozenset[int] = frozenset(),
        deadline: Deadline | None = None,
        **kwargs: object,
    ) -> httpx.Response:
        """Send one request, retrying reads (and writes whose connection was never made).

        :param accept_statuses: error statuses returned to the caller rather than raised.
        :param deadline: give up (retries included) when it passes.
        :raises StoreUnavailable: when the server cannot be reached or does not answer in time.
        :raises QueryTimeout: when the deadline passes first.
        :raises QueryError: when the server refuses the query or update as malformed.
        :raises StoreError: when the server answers with any other error.
        """
        shown = _safe_url(url)
        attempts = self.retries + 1
        reason = ""
        sent = False  # whether a request may have reached the server
        for attempt in range(attempts):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
                if deadline is not None:
                    pause = min(pause, max(0.0, deadline.at - time.monotonic()))
                time.sleep(pause)
            timeout = self.timeout
            if deadline is not None:
                timeout = min(timeout, deadline.at - time.monotonic())
                if timeout <= 0:
                    raise QueryTimeout(deadline.seconds)
            try:
                response = self._http().request(
                    method,
                    url,
                    auth=self._auth_for(url),
                    timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                    **kwargs,  # type: ignore[arg-type]
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                reason = f"cannot connect ({self._scrub(str(exc)) or type(exc).__name__})"
                continue  # nothing was sent: safe to try again, even a write
            except httpx.TimeoutException:
                sent = True
                if deadline is not None and deadline.expired():
                    raise QueryTimeout(deadline.seconds) from None
                reason = f"no answer within {timeout:g} s"
            except httpx.TransportError as exc:
                sent = True
                reason = f"the connection failed ({self._scrub(str(exc)) or type(exc).__name__})"
            else:
                sent = True
                if response.status_code < 300 or response.status_code in accept_statuses:
                    return response
                message = self._server_message(response)
                status = f"HTTP {response.status_code}"
                if response.status_code in _RETRY_STATUSES:
                    reason = f"{status}: {message}"
                elif response.status_code == 400:
                    raise QueryError(f"{message} ({what} refused by {shown}, {status})")
                elif response.status_code in (401, 403):
                    raise StoreError(
                        f"the SPARQL endpoint {shown} refused access ({status}): check the store's credentials"
                    )
                elif response.status_code == 404:
                    raise StoreError(f"no SPARQL endpoint at {shown} ({status}: {message})")
                else:
                    raise StoreError(f"the SPARQL endpoint {shown} failed ({status}): {message}")
            if not idempotent:
                break  # the request may have reached the server: never send a write twice
        tries = f" (tried {attempt + 1} times)" if attempt else ""
        outcome = ""
        if not idempotent:
            outcome = "; the server may or may not have applied it (never in part)" if sent else "; nothing was written"
        raise StoreUnavailable(f"the SPARQL endpoint {shown} is unavailable: {reason}{tries}{outcome}")

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
        form: dict[str, str | list[str]] = {"query": _based(bind_values(query, bindings), base_iri)}
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
            headers={"Accept": _ACCEPT_BY_FORM.get(query_form(query) or "", _ACCEPT)},
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
                        f"{self.engine} at {_safe_url(self.query_url)} answered {_query_name(query)} with"
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
            result = self._raw_query(bind_values(load_query("decimal-probe"), {"probe": probe}), _ACCEPT_RESULTS)
            values = result.values("probe") if isinstance(result, Solutions) else []
            given = values[0] if values else None
            try:
                back = Decimal(str(given)) if isinstance(given, Literal) else None
            except InvalidOperation:
                back = None
            if back is None:
                raise StoreValueError(
                    f"{self.engine} at {_safe_url(self.query_url)} answered queries/decimal-probe.rq with {given!r},"
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
            result = self._raw_query(load_query("exact-decimals"), _ACCEPT_RESULTS)
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
            f"{self.engine} at {_safe_url(self.query_url)} keeps decimals to {kept} fraction digits: {value} and"
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
        if exact:
            return self._exact(self._result(response, exact=False))
        server = response.headers.get("server", "").split(" ")[0].strip()
        if server:
            self.engine = server
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
                    f"the SPARQL endpoint {_safe_url(response.url)} answered with {media_type or 'no content type'},"
                    " not SPARQL results or RDF"
                )
            return _read_graph(response.content, rdf_format)
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL endpoint {_safe_url(response.url)} answered with malformed results: {exc}") from exc

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update: one POST to the update endpoint, applied whole or not at all.

        :raises QueryError: when the server refuses the update, with its message.
        :raises StoreUnavailable: when the server cannot be reached or does not answer in time.
        :raises StoreError: when the server fails otherwise.
        """
        self._post_update(_based(update, base_iri))
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
        pending = _skolemized(graphs)
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
            f"the SPARQL endpoint {_safe_url(self.update_url)} kept taking other writes of {shown}"
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
                    raise StoreError(f"the graph store {_safe_url(self.graph_store_url)} answered with malformed {format}: {failure}")
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

    def close(self) -> None:
        if self._client is not None and self._pid == os.getpid():
            self._client.close()
        self._client = None


def _name(graph_name: object) -> URIRef | None:
    return URIRef(graph_name.value) if isinstance(graph_name, ox.NamedNode) else None


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
