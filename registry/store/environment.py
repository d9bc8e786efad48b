"""The environment variables that configure the stores (read by :func:`registry.store.open_store`,
the CLI and the web app, and by :func:`registry.store.remote.open_remote`)."""

from __future__ import annotations

__all__ = [
    "AUTH_SCHEME_ENV",
    "CREDENTIALS_FILE_ENV",
    "GRAPH_STORE_URL_ENV",
    "PASSWORD_ENV",
    "STORE_ENV",
    "TIMEOUT_ENV",
    "TOKEN_ENV",
    "UNION_GRAPH_ENV",
    "UPDATE_URL_ENV",
    "USER_ENV",
]

#: The environment variable that names the store when ``--store`` is not given.
STORE_ENV = "ESAP_REGISTRY_STORE"
#: A remote store's update endpoint, when it differs from its query endpoint (``--update-url``).
UPDATE_URL_ENV = "ESAP_REGISTRY_UPDATE_URL"
#: A file holding a remote store's credentials (``--credentials-file``).
CREDENTIALS_FILE_ENV = "ESAP_REGISTRY_CREDENTIALS_FILE"
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
