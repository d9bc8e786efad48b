"""JSON-LD documents: read with rdflib's JSON-LD processor, every context local (the
registry's own served from its copy, any other remote context or ``@import`` refused:
nothing is fetched), lists given empty kept as ``esap:emptyList``.

A plain manifest with only the registry's own ``@context`` added is not JSON-LD here:
:class:`JsonLdReader` leaves it to the manifest reader, which names faults by JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rdflib import Graph, URIRef

from registry.errors import InputError
from registry.readers.base import Reader
from registry.readers.mapping import _Mapper, _mapper, _registry_context
from registry.readers.model import _DOCUMENT_IRI, ENTRY_KEYS, MAX_DEPTH, Document
from registry.readers.normalise import _finish
from registry.vocabulary import CONTEXT_IRI, ESAP, Vocabulary


def _is_manifest_in_context(tree: Any) -> bool:
    """Whether a JSON-LD document is a plain manifest with only the registry's own
    ``@context`` added: an object of ``executables``/``platforms`` lists whose entries
    carry no ``@id`` nor ``@type``. It is read as the plain manifest is (its entries
    named by their uuids, its faults by JSON path); what the context says of its keys
    is what the plain reading does."""
    if not isinstance(tree, dict) or not set(tree) - {"@context"} or not set(tree) <= {"@context", *ENTRY_KEYS}:
        return False
    context = tree["@context"]
    contexts = context if isinstance(context, list) else [context]
    ours = (CONTEXT_IRI, CONTEXT_IRI.removesuffix(".jsonld"))
    if not contexts or not all(
        (isinstance(c, str) and c.rstrip("#") in ours) or (isinstance(c, dict) and c == _registry_context()) for c in contexts
    ):
        return False
    for key in ENTRY_KEYS:
        entries = tree.get(key, [])
        if not isinstance(entries, list):
            return False
        if any(isinstance(e, dict) and ("@id" in e or "@type" in e) for e in entries):
            return False
    return True


def _has_context(tree: Any) -> bool:
    if isinstance(tree, dict):
        return "@context" in tree
    if isinstance(tree, list):
        return any(isinstance(item, dict) and "@context" in item for item in tree)
    return False


def _check_contexts(node: Any, source: str, path: str, depth: int = 0) -> Any:
    """Replace references to the registry's own context by the local copy and
    refuse every other remote context or ``@import``: nothing is fetched."""
    if depth > MAX_DEPTH:
        raise InputError(f"the document nests deeper than {MAX_DEPTH} levels", source=source, json_path=path)
    if isinstance(node, list):
        return [_check_contexts(item, source, f"{path}[{i}]", depth + 1) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        here = f"{path}.{key}" if path else key
        if key == "@context":
            value = _local_context(value, source, here)
        elif key == "@import":
            raise InputError(
                f"a JSON-LD @import of {value!r} would be fetched from elsewhere; the registry never fetches contexts",
                source=source,
                json_path=here,
            )
        result[key] = _check_contexts(value, source, here, depth + 1)
    return result


def _local_context(value: Any, source: str, path: str) -> Any:
    if isinstance(value, list):
        return [_local_context(item, source, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, str):
        if value.rstrip("#") in (CONTEXT_IRI, CONTEXT_IRI.removesuffix(".jsonld")):
            return _registry_context()
        raise InputError(
            f"the remote JSON-LD context {value!r} is not fetched; use the registry's context "
            f"{CONTEXT_IRI!r} (served from a local copy) or put the context inline",
            source=source,
            json_path=path,
        )
    if isinstance(value, dict):
        return _check_contexts(value, source, path)
    return value


def _load_jsonld(tree: Any, source: str, vocabulary: Vocabulary) -> Document:
    tree = _check_contexts(tree, source, "")
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=json.dumps(tree), format="json-ld", publicID=_DOCUMENT_IRI)
    except Exception as exc:  # noqa: BLE001 - rdflib's JSON-LD processor raises assorted types on bad JSON-LD
        raise InputError(f"not valid JSON-LD: {exc}", source=source) from exc
    for node, prop in _jsonld_empties(tree, _mapper(vocabulary)):
        graph.add((node, ESAP.emptyList, prop))
    document = Document(source=source, format="jsonld", graph=graph)
    _finish(document, vocabulary)
    return document


def _jsonld_empties(tree: Any, mapper: _Mapper) -> Iterator[tuple[URIRef, URIRef]]:
    """The lists a JSON-LD document in the registry's terms gives empty on a node with
    an absolute ``@id`` (as the registry's JSON-LD export writes them): a JSON-LD
    processor drops them, the registry keeps them as ``esap:emptyList``."""
    todo: list[Any] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        identifier = node.get("@id")
        class_term = node.get("@type") if isinstance(node.get("@type"), str) else None
        for key, value in node.items():
            if key.startswith("@"):
                continue
            if value == [] and isinstance(value, list) and isinstance(identifier, str) and ":" in identifier:
                found = mapper.key(class_term, key)
                if found is not None and found.definition.get("@container") == "@set":
                    yield URIRef(identifier), found.prop
            elif isinstance(value, (dict, list)):
                todo.append(value)


class JsonLdReader(Reader):
    """JSON-LD: a tree with an ``@context`` (other than a plain manifest in the registry's context)."""

    name = "jsonld"
    priority = 50

    def claims(self, tree: Any) -> bool:
        return _has_context(tree) and not _is_manifest_in_context(tree)

    def read(self, tree: Any, *, source: str, vocabulary: Vocabulary, direct: bool, format_name: str) -> Document:
        return _load_jsonld(tree, source, vocabulary)
