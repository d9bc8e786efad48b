"""Both ways between the registry's manifests and ExecutionRequests, for the command
line: ``export --format execution-request --uuid U`` and ``plan FILE`` with a request."""

from __future__ import annotations

import uuid as uuids
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rdflib import URIRef

from registry.broker.kinds import KindMap
from registry.broker.request import is_execution_request, parse_body, read_request, request_document, request_from_manifest
from registry.readers import Document, read_source
from registry.errors import InputError
from registry.service import Registry
from registry.vocabulary import ESAP

__all__ = ["execution_request", "read_request_file"]


def execution_request(registry: Registry, uuids_: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """One registered executable as an ExecutionRequest, and what the request cannot say.

    :raises InputError: when not exactly one uuid is given, it names a platform, or the
        executable's type has no ExecutionBroker kind.
    :raises NotFound: when the uuid is not registered.
    """
    if len(uuids_) != 1:
        raise InputError(f"--format execution-request writes one executable: give exactly one --uuid (got {len(uuids_)})")
    _, kind = registry.resolve(uuids_[0])
    if kind != ESAP.Executable:
        raise InputError(f"{uuids_[0]} is a platform, not an executable")
    entry = registry.export_manifest(uuids=list(uuids_))["executables"][0]
    broader = _broader_types(registry, entry["type"])
    return request_from_manifest(entry, KindMap.load(registry), broader)


def _broader_types(registry: Registry, type_: str) -> list[str]:
    """The type and the types broader than it, nearest first (by the number of their own
    broader types, most first)."""
    vocabulary = registry.vocabulary
    found = vocabulary.broader_or_same(URIRef(type_))
    return sorted((str(t) for t in found), key=lambda t: (t != type_, -len(vocabulary.broader_or_same(URIRef(t))), t))


def read_request_file(registry: Registry, path: Path, max_bytes: int) -> tuple[Document, list[str]] | None:
    """An ExecutionRequest file (JSON or YAML) as a document of one executable and the notes
    on what it holds that a manifest cannot; None when the file is no ExecutionRequest (a
    manifest, in JSON or YAML, or a file that does not parse: the manifest reader says why).

    :raises InputError: when it is malformed, or names kinds the registry does not know.
    :raises OSError: when it cannot be read.
    """
    data = read_source(path, max_bytes)
    is_yaml = path.suffix.lower() in (".yaml", ".yml")
    try:
        tree = parse_body(data, "yaml" if is_yaml else "json", source=str(path))
    except InputError:
        return None  # not an ExecutionRequest: read as a manifest, with the manifest reader's messages
    if not is_execution_request(tree):
        return None  # a manifest (JSON or YAML)
    request = read_request(tree, KindMap.load(registry), source=str(path))
    document = request_document(request, str(uuids.uuid4()), source=str(path), vocabulary=registry.vocabulary)
    return document, list(request.notes)
