"""Store backends behind one interface, chosen in one place: :func:`open_store`.

``--store`` takes a directory path (the embedded pyoxigraph store on disk, the
default), ``memory`` (pyoxigraph in memory) or ``rdflib`` (an rdflib Dataset in
memory, the baseline).
"""

from __future__ import annotations

import os
from pathlib import Path

from registry.store.base import Bindings, QueryResult, Solutions, Store

__all__ = ["Bindings", "QueryResult", "Solutions", "Store", "default_store_path", "open_store"]

#: The environment variable that names the store when ``--store`` is not given.
STORE_ENV = "ESAP_REGISTRY_STORE"


def default_store_path() -> Path:
    """``$ESAP_REGISTRY_STORE`` if set, else ``$XDG_DATA_HOME/esap-registry/store``
    (``~/.local/share/esap-registry/store``)."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "esap-registry" / "store"


def open_store(spec: str | Path | None = None) -> Store:
    """Open the store named by ``spec``.

    :param spec: ``memory``, ``rdflib``, or a directory; ``None`` for the default location.
    :raises StoreError: when the store cannot be opened.
    """
    if spec is None:
        spec = default_store_path()
    if str(spec) == "memory":
        from registry.store.oxigraph import OxigraphStore

        return OxigraphStore(None)
    if str(spec) == "rdflib":
        from registry.store.memory import RdflibStore

        return RdflibStore()
    from registry.store.oxigraph import OxigraphStore

    return OxigraphStore(Path(spec))
