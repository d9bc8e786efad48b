"""Opening the registry's store on a test Virtuoso, and emptying a remote store between
tests, as the conftest and the engine tests (web ones included) need it."""

from __future__ import annotations

from support.virtuoso_server import VirtuosoServer

from registry.store.remote import RemoteStore
from registry.vocabulary import DECIMALS_GRAPH, REVISIONS_GRAPH


def open_virtuoso(server: VirtuosoServer) -> RemoteStore:
    """The registry's store on a Virtuoso, configured as the README says: the read-only
    /sparql, updates to /sparql-auth with digest credentials, graphs read with its Graph
    Store Protocol endpoint, and the union of the registry's own graphs."""
    return RemoteStore(
        server.query_url,
        server.update_url,
        credentials=server.credentials,
        graph_store_url=server.store_url,
        union_graph="registry",
    )


def empty_remote(opened: RemoteStore) -> RemoteStore:
    """The remote store with every graph of the registry dropped (and its bookkeeping),
    the store's own graphs left alone: each test starts empty."""
    names = opened.graph_names()
    if names:
        opened.drop_graphs(names)
    opened.update(f"DROP SILENT GRAPH <{REVISIONS_GRAPH}> ; DROP SILENT GRAPH <{DECIMALS_GRAPH}>")
    return opened
