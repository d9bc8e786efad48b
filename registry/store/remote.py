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
from rdflib import BNode, Graph, URIRef

from registry.errors import InputError, QueryError, QueryTimeout, StoreError, StoreUnavailable
from registry.resources import load_query
from registry.store import CREDENTIALS_FILE_ENV, UPDATE_URL_ENV
from registry.store.base import Bindings, Deadline, QueryResult, Solutions, Store
from registry.store.terms import from_oxigraph, insert_data, to_oxigraph
from registry.vocabulary import REVISIONS_GRAPH

__all__ = [
    "CREDENTIALS_FILE_ENV",
    "Credentials",
    "RemoteStore",
    "UPDATE_URL_ENV",
    "bind_values",
    "open_remote",
]

#: Credentials given directly in the environment.
USER_ENV, PASSWORD_ENV, TOKEN_ENV = "ESAP_REGISTRY_STORE_USER", "ESAP_REGISTRY_STORE_PASSWORD", "ESAP_REGISTRY_STORE_TOKEN"
#: ``basic`` (the default) or ``digest`` (Virtuoso's ``/sparql-auth``) for a user and password.
AUTH_SCHEME_ENV = "ESAP_REGISTRY_STORE_AUTH"
#: Seconds to wait for the server (connecting, and each read of an answer).
TIMEOUT_ENV = "ESAP_REGISTRY_STORE_TIMEOUT"
#: How a query over the union of every graph is asked for: unset for Oxigraph's
#: ``union-default-graph`` parameter; ``default`` when the engine's default graph
#: already is the union (Virtuoso, GraphDB, QLever); else the IRI of the engine's
#: union graph, sent as ``default-graph-uri`` (Fuseki: ``urn:x-arq:UnionGraph``).
UNION_GRAPH_ENV = "ESAP_REGISTRY_UNION_GRAPH"
#: The Graph Store Protocol endpoint, where the server offers one (read-only use:
#: fetching one graph, dumping the store). Without it, SPARQL queries do the same.
GRAPH_STORE_URL_ENV = "ESAP_REGISTRY_GRAPH_STORE_URL"

_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5, application/rdf+xml;q=0.4"
)
_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
_MEDIA_TYPES = {"nquads": "application/n-quads", "trig": "application/trig"}
#: Answers after which a read is tried again.
_RETRY_STATUSES = {502, 503, 504}
_MESSAGE_LIMIT = 2000
#: A graph no one writes: the default graph, or the named graphs, asked to be empty.
_REVISIONS = ox.NamedNode(str(REVISIONS_GRAPH))
#: How often a write is made again while other writers write the same graphs at the same time.
_WRITE_ATTEMPTS = 10
_NO_GRAPH = "https://w3id.org/esap-registry/graph/none"


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
    """The query with its bound variables fixed by a ``VALUES`` block placed first in
    its ``WHERE`` clause, so that every part of the clause (``BIND``, ``FILTER``,
    ``EXISTS``, ``OPTIONAL``) sees them, as pyoxigraph's substitutions do. (A
    ``FILTER`` in a nested group ``{ }`` of its own is evaluated before the join,
    as SPARQL says; the registry's queries keep bound variables out of those.)
    Without a WHERE clause to put it in, the block is added at the end of the query.

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
    block = f"\nVALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}\n"
    at = _where_brace(query)
    if at is None:
        return f"{query}\n{block}"
    return query[:at] + block + query[at:]


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
            headers={"Accept": _ACCEPT},
        )
        return self._result(response)

    def _result(self, response: httpx.Response) -> QueryResult:
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
        try:
            if results_format is not None:
                result = ox.parse_query_results(response.content, format=results_format)
                if isinstance(result, ox.QueryBoolean):
                    return bool(result)
                variables = [v.value for v in result.variables]
                rows = [tuple(from_oxigraph(s[i]) for i in range(len(variables))) for s in result]
                return Solutions(variables, rows)
            rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
            if rdf_format is None:
                raise StoreError(
                    f"the SPARQL endpoint {_safe_url(response.url)} answered with {media_type or 'no content type'},"
                    " not SPARQL results or RDF"
                )
            return _graph(ox.parse(response.content, format=rdf_format))
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL endpoint {_safe_url(response.url)} answered with malformed results: {exc}") from exc

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update: one POST to the update endpoint, applied whole or not at all.

        :raises QueryError: when the server refuses the update, with its message.
        :raises StoreUnavailable: when the server cannot be reached or does not answer in time.
        :raises StoreError: when the server fails otherwise.
        """
        update = _based(update, base_iri)
        self._send("POST", self.update_url, idempotent=False, what="the update", data={"update": update})

    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Replace named graphs in one update request, written again while another
        writer wrote one of them at the same time (see ``_write``).

        :raises StoreError: as ``update`` does, or when concurrent writers keep colliding.
        """
        if graphs:
            self._write(dict(graphs), drop=False)

    def drop_graphs(self, names: Iterable[URIRef]) -> None:
        """Drop named graphs in one update request (see ``_write``).

        :raises StoreError: as ``update`` does, or when concurrent writers keep colliding.
        """
        names = list(dict.fromkeys(names))
        if names:
            self._write({name: Graph() for name in names}, drop=True)

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
        pending = graphs
        for attempt in range(_WRITE_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0.01, 0.05) * 2 ** min(attempt, 5))
            token = ox.Literal(str(uuid.uuid4()))
            revise = Template(load_query("revise-graphs")).substitute(
                written=" ".join(str(to_oxigraph(name)) for name in pending), token=str(token)
            )
            self.update(revise + "\n" + insert_data({} if drop else pending, drop=pending.keys()))
            solutions = self.query(load_query("write-conflicts"), {"token": from_oxigraph(token)})
            assert isinstance(solutions, Solutions)
            collided = {g for g in solutions.values("graph") if isinstance(g, URIRef)}
            if not collided:
                if drop:  # a dropped graph keeps no stamp
                    self.update(Template(load_query("forget-revision")).substitute(token=str(token)))
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
        return {g for g in solutions.values("graph") if isinstance(g, URIRef) and g != REVISIONS_GRAPH}

    def dump(self, format: str = "nquads") -> bytes:
        if self.graph_store_url is not None:
            response = self._send(
                "GET", self.graph_store_url, idempotent=True, what="the dump", headers={"Accept": _MEDIA_TYPES[format]}
            )
            try:  # re-serialised, so the answer is checked and in the format asked for
                quads = [q for q in ox.parse(response.content, format=_FORMATS[format]) if q.graph_name != _REVISIONS]
                return ox.serialize(quads, format=_FORMATS[format])
            except SyntaxError as exc:
                raise StoreError(f"the graph store {_safe_url(self.graph_store_url)} answered with malformed {format}: {exc}") from exc
        solutions = self.query(load_query("dump-quads"))
        assert isinstance(solutions, Solutions)
        quads = [
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g))  # type: ignore[arg-type]
            for s, p, o, g in solutions.rows
            if g != REVISIONS_GRAPH
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


def _graph(triples: Iterable[ox.Triple | ox.Quad]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate), from_oxigraph(triple.object)))  # type: ignore[arg-type]
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
