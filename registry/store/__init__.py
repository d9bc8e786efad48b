"""Store backends behind one interface, chosen in one place: :func:`open_store`.

``--store`` takes a directory path (the embedded pyoxigraph store on disk, the
default), ``memory`` (pyoxigraph in memory), ``rdflib`` (an rdflib Dataset in
memory, the baseline) or an ``http(s)://`` URL (a remote SPARQL 1.1 server's query
endpoint; see :mod:`registry.store.remote`).
"""

from __future__ import annotations

import os
from pathlib import Path

from registry.store.base import Bindings, QueryResult, Solutions, Store
from registry.store.environment import CREDENTIALS_FILE_ENV, STORE_ENV, UPDATE_URL_ENV

__all__ = [
    "CREDENTIALS_FILE_ENV",
    "STORE_ENV",
    "UPDATE_URL_ENV",
    "Bindings",
    "QueryResult",
    "Solutions",
    "Store",
    "default_store_path",
    "open_store",
]


def default_store_path() -> Path:
    """``$ESAP_REGISTRY_STORE`` if set, else ``$XDG_DATA_HOME/esap-registry/store``
    (``~/.local/share/esap-registry/store``)."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "esap-registry" / "store"


def open_store(
    spec: str | Path | None = None,
    *,
    update_url: str | None = None,
    credentials_file: Path | None = None,
) -> Store:
    """Open the store named by ``spec``.

    :param spec: ``memory``, ``rdflib``, a directory, or the query endpoint of a remote
        SPARQL store (``http(s)://``); ``None`` for ``$ESAP_REGISTRY_STORE``, else the default location.
    :param update_url: a remote store's update endpoint, when it differs from the query
        endpoint (default ``$ESAP_REGISTRY_UPDATE_URL``).
    :param credentials_file: a remote store's credentials (default: from the environment).
    :raises StoreError: when the store cannot be opened.
    :raises OSError: when the credentials file cannot be read.
    """
    if spec is None:
        spec = os.environ.get(STORE_ENV) or default_store_path()
    if isinstance(spec, str) and spec.lower().startswith(("http://", "https://")):
        from registry.store.credentials import Credentials
        from registry.store.remote import open_remote

        credentials = Credentials.from_file(credentials_file) if credentials_file else None
        return open_remote(spec, update_url, credentials=credentials)
    if str(spec) == "memory":
        from registry.store.oxigraph import OxigraphStore

        return OxigraphStore(None)
    if str(spec) == "rdflib":
        from registry.store.memory import RdflibStore

        return RdflibStore()
    from registry.store.oxigraph import OxigraphStore

    return OxigraphStore(Path(spec))
