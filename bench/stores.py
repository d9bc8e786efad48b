"""Stores for the benchmarks, filled fast: the examples ingested (validated), then
synthetic platforms and executables bulk-loaded as N-Quads (no SHACL: ingest has
its own benchmark). See :mod:`synthetic` for how entries are made at scale."""

from __future__ import annotations

import gc
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from registry.readers import load_path
from registry.service import Registry
from registry.store import Store, open_store
from registry.store.remote import RemoteStore
from registry.vocabulary import DECIMALS_GRAPH, REVISIONS_GRAPH
from tests.support.synthetic import scaled_nquads
from tests.support.oxigraph_server import OxigraphServer
from tests.support.virtuoso_server import VirtuosoServer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _registry(spec: str | Path) -> Registry:
    registry = Registry(open_store(spec))
    registry.prepare()
    for path in sorted(EXAMPLES.glob("*.json")):
        registry.ingest(load_path(path))
    return registry


def _pieces(platforms: int, executables: int) -> Iterator[bytes]:
    """The synthetic N-Quads, made by a thread a little ahead of the loader (which runs
    outside the GIL), so that making and loading overlap."""
    pieces: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)

    def make() -> None:
        try:
            for kind, n in (("platforms", platforms), ("executables", executables)):
                if n:
                    for piece in scaled_nquads(kind, n):
                        pieces.put(piece)
            pieces.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            pieces.put(exc)

    maker = threading.Thread(target=make, daemon=True)
    maker.start()
    while (piece := pieces.get()) is not None:
        if isinstance(piece, BaseException):
            raise piece
        yield piece
    maker.join()


def embedded(path: Path, platforms: int, executables: int = 0) -> tuple[Registry, float]:
    """An on-disk embedded store with the examples, ``platforms`` synthetic platforms and
    ``executables`` synthetic executables; the seconds the synthetic data took to make and load.

    :raises StoreError: when the store cannot be opened.
    """
    _registry(path).store.close()
    started = time.perf_counter()
    raw = ox.Store(str(path))
    for piece in _pieces(platforms, executables):
        # lenient: the generated N-Quads are known to be valid; skipping the checks loads faster
        raw.bulk_load(piece, format=ox.RdfFormat.N_QUADS, lenient=True)
    raw.flush()
    del raw
    gc.collect()
    seconds = time.perf_counter() - started
    registry = Registry(open_store(path))
    registry.prepare()
    return registry, seconds


def in_memory(spec: str, platforms: int, executables: int = 0) -> tuple[Registry, float]:
    """The same data in an in-memory store (``memory`` or ``rdflib``), loaded with ``Store.load``."""
    registry = _registry(spec)
    started = time.perf_counter()
    for kind, n in (("platforms", platforms), ("executables", executables)):
        if n:
            for piece in scaled_nquads(kind, n):
                registry.store.load(piece, "nquads")
    return registry, time.perf_counter() - started


def virtuoso(server: VirtuosoServer, platforms: int, executables: int = 0) -> tuple[Registry, float]:
    """The same data in a running Virtuoso (emptied of the registry's graphs first), configured
    as the README says; the synthetic data loaded with ``Store.load`` (one SPARQL Update per piece).

    :raises StoreError: when the server fails.
    """
    store = RemoteStore(
        server.query_url,
        server.update_url,
        credentials=server.credentials,
        graph_store_url=server.store_url,
        union_graph="registry",
        timeout=300.0,
    )
    names = store.graph_names()
    if names:
        store.drop_graphs(names)
    store.update(f"DROP SILENT GRAPH <{REVISIONS_GRAPH}> ; DROP SILENT GRAPH <{DECIMALS_GRAPH}>")
    # 100 entries a piece: Virtuoso 7 refuses an update whose SQL runs over 10,000 lines
    return _filled(store, platforms, executables, chunk=100)


def served(server: OxigraphServer, platforms: int, executables: int = 0) -> tuple[Registry, float]:
    """The same data in a running `oxigraph serve` (emptied first), as a remote SPARQL store;
    the synthetic data loaded with ``Store.load``.

    :raises StoreError: when the server fails.
    """
    store = open_store(server.query_url, update_url=server.update_url)
    store.update("DROP ALL")
    return _filled(store, platforms, executables)


def _filled(store: Store, platforms: int, executables: int, chunk: int = 20_000) -> tuple[Registry, float]:
    """A remote store, emptied, given the examples (ingested) and the synthetic entries
    (``Store.load``, ``chunk`` entries a piece); the seconds the synthetic data took."""
    registry = Registry(store)
    registry.prepare()
    for path in sorted(EXAMPLES.glob("*.json")):
        registry.ingest(load_path(path))
    started = time.perf_counter()
    for kind, n in (("platforms", platforms), ("executables", executables)):
        if n:
            for piece in scaled_nquads(kind, n, chunk=chunk):
                store.load(piece, "nquads")
    return registry, time.perf_counter() - started
