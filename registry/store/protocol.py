"""The SPARQL 1.1 Protocol as the remote store speaks it: the endpoints, one request sent
with retries and its faults turned into the registry's errors, and the text of a query
as sent (its bound values written at the query's ``#@values`` line, its base).

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
import threading
import time

import httpx
import pyoxigraph as ox
from rdflib import BNode, URIRef

from registry.errors import QueryError, QueryTimeout, StoreError, StoreUnavailable
from registry.resources import load_query, query_names
from registry.store.base import Bindings, Deadline
from registry.store.credentials import Credentials
from registry.store.terms import to_oxigraph

__all__ = [
    "ACCEPT",
    "ACCEPT_BY_FORM",
    "ACCEPT_RESULTS",
    "VALUES_PLACEHOLDER",
    "SparqlClient",
    "based",
    "bind_values",
    "query_form",
    "query_name",
    "safe_url",
]

ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5, application/rdf+xml;q=0.4"
)
#: What a query of each form asks for: results for SELECT and ASK, RDF for CONSTRUCT and
#: DESCRIBE (N-Triples first: Virtuoso answers a CONSTRUCT asked for as JSON results with a
#: table of bare JSON numbers).
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
ACCEPT_BY_FORM = {"SELECT": ACCEPT_RESULTS, "ASK": ACCEPT_RESULTS, "CONSTRUCT": ACCEPT_RDF, "DESCRIBE": ACCEPT_RDF}
#: Answers after which a read is tried again.
_RETRY_STATUSES = {502, 503, 504}
_MESSAGE_LIMIT = 2000


def safe_url(url: httpx.URL) -> str:
    """The URL as shown in messages: no user information, no query string."""
    return str(url.copy_with(username=None, password=None, query=None, fragment=None))


# -- the text sent -------------------------------------------------------------------------

#: The comment line of a query where the remote store writes the values of the bound
#: variables (see :func:`bind_values`); pyoxigraph and rdflib read it as a comment.
VALUES_PLACEHOLDER = "#@values"
_PLACEHOLDER_LINE = re.compile(r"^([ \t]*)(#@values)[ \t]*\r?$", re.MULTILINE)
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<word>[?$:\w][\w\-.:%\\]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}


def based(text: str, base_iri: str | None) -> str:
    """The query or update with ``base_iri`` declared as its base (written by pyoxigraph,
    on the first line so that the server's line numbers stay the user's); a ``BASE`` of
    the text's own still wins, as SPARQL's later declarations do.

    :raises InputError: when ``base_iri`` is not a valid IRI.
    """
    return text if base_iri is None else f"BASE {to_oxigraph(URIRef(base_iri))} {text}"



def bind_values(query: str, bindings: Bindings | None) -> str:
    """The query with its bound variables fixed in place of its ``#@values`` line
    (:data:`VALUES_PLACEHOLDER`), as pyoxigraph's substitutions fix them on the embedded
    store. The query's author puts that line where the values join: first in the ``WHERE``
    clause, so that every part of the clause (``BIND``, ``FILTER``, ``EXISTS``,
    ``OPTIONAL``) sees them. (A ``FILTER`` in a nested group ``{ }`` of its own is
    evaluated before the join, as SPARQL says; the registry's queries keep bound
    variables out of those.) A query without bindings is sent as it is: one pasted into
    ``/sparql`` writes a ``VALUES`` block at that line instead.

    The values are written as ``BIND(value AS ?name)`` lines, which first in a group mean
    what a ``VALUES`` block of one solution means there: Virtuoso 7 runs a query that
    computes with ``IF`` from variables of a leading ``VALUES`` block for minutes
    (``plan-pools.rq``), and answers it at once with the same values bound by ``BIND``.

    Every term is checked and written by pyoxigraph; nothing else of a value
    reaches the text. As with pyoxigraph, bound variables of a SELECT should be
    projected.

    :raises QueryError: when a name is not a SPARQL variable name, a value is a blank
        node (which SPARQL cannot bind), or the query has no ``#@values`` line (or more
        than one) to write the values at: they are never placed by guess.
    :raises InputError: when an IRI is not a valid IRI.
    """
    if not bindings:
        return query
    names, terms = [], []
    for variable, term in bindings.items():
        try:
            names.append(str(ox.Variable(variable)))
        except ValueError as exc:
            raise QueryError(f"{variable!r} is not a SPARQL variable name") from exc
        if isinstance(term, BNode):
            raise QueryError(f"?{variable} cannot be bound to a blank node")
        terms.append(str(to_oxigraph(term)))
    places = list(_PLACEHOLDER_LINE.finditer(query))
    if len(places) != 1:
        problem = "has no" if not places else f"has {len(places)}"
        raise QueryError(
            f"{query_name(query)} {problem} '{VALUES_PLACEHOLDER}' line, so the values bound to {' '.join(names)} have no"
            f" one place to go on a remote store: put a single '{VALUES_PLACEHOLDER}' line in the query where"
            " they join (first in its WHERE clause)"
        )
    at = places[0]
    block = ("\n" + at.group(1)).join(f"BIND({term} AS {name})" for name, term in zip(names, terms, strict=True))
    return query[: at.start(2)] + block + query[at.end(2) :]


_QUERY_NAMES: dict[str, str] = {}


def query_name(query: str) -> str:
    """``queries/NAME.rq`` for one of the registry's queries, else "the query" and its start."""
    if not _QUERY_NAMES:
        _QUERY_NAMES.update({load_query(name): name for name in query_names()})
    name = _QUERY_NAMES.get(query)
    if name is not None:
        return f"queries/{name}.rq"
    start = " ".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    start = " ".join(start.split())
    return f"the query {start[:60] + '...' if len(start) > 60 else start!r}"


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of a query, read past its
    prologue, comments, strings and IRIs (``None`` for text that is none of them)."""
    for match in _TOKEN.finditer(query):
        if match.lastgroup == "word" and match.group().upper() in _FORMS:
            return match.group().upper()
    return None


# -- requests ------------------------------------------------------------------------------


class SparqlClient:
    """The endpoints of a SPARQL 1.1 server and one HTTP client per process to speak to
    them: a request sent, retried, and its faults raised as the registry's errors.

    :param query_url: the query endpoint (``http(s)://``). User information in it
        (``https://user:pw@host/...``) is taken as credentials and removed.
    :param update_url: the update endpoint, when it differs from the query endpoint.
    :param credentials: for the update endpoint (and for the others when they are
        on the same origin as it): basic, digest or bearer.
    :param graph_store_url: the Graph Store Protocol endpoint.
    :param timeout: seconds to wait for a connection and for each read of an answer.
    :param retries: how often a read is tried again after a failure.
    :param backoff: seconds before the first retry; doubled each time.
    :raises StoreError: when a URL is not an http(s) URL.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        credentials: Credentials | None = None,
        graph_store_url: str | None = None,
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
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self._client: httpx.Client | None = None
        self._pid = 0
        self._client_lock = threading.Lock()

    @staticmethod
    def _endpoint(text: str, found: list[Credentials]) -> httpx.URL:
        try:
            url = httpx.URL(text)
        except httpx.InvalidURL as exc:
            detail = "" if "@" in text else f": {exc}"  # user information may hold a password
            raise StoreError(f"the store's endpoint is not a valid URL{detail}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise StoreError(f"a remote store's endpoint must be an http(s) URL, not {safe_url(url)}")
        if url.username:
            found.append(Credentials(user=url.username, password=url.password or None))
            url = url.copy_with(username=None, password=None)
        return url

    def _http(self) -> httpx.Client:
        # One client per process: a client made before a fork is not shared with the child.
        # It is shared by the process's threads (an httpx client may be), made once.
        with self._client_lock:
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
        shown = safe_url(url)
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

    def close(self) -> None:
        if self._client is not None and self._pid == os.getpid():
            self._client.close()
        self._client = None
