"""The check that a plain manifest read by the direct path (``registry.readers.manifest``
mapping it to triples itself) gives the same :class:`Document` as read through rdflib's
JSON-LD processor (``load_document(..., direct=False)``), shared by
``test_documents_direct.py`` and the property tests."""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph
from rdflib.compare import isomorphic

from registry.errors import InputError
from registry.readers import Document, load_document, manifest, mapping
from registry.vocabulary import get_vocabulary

#: The number both reads give the document, so that entries without a usable uuid
#: (``urn:esap-registry:unidentified:<number>:...``) get the same IRI.
NUMBER = 424242


def assert_same_graph(found: Graph, expected: Graph, what: str) -> None:
    """Equal when there are no blank nodes (which implies isomorphic; rdflib's isomorphism
    check cannot even hash a graph holding an IRI it cannot write, such as a user's
    ``<script>`` resolved against the document's base), else isomorphic."""
    if any(isinstance(term, BNode) for graph in (found, expected) for triple in graph for term in triple):
        assert isomorphic(found, expected), f"{what}: {sorted(set(found) ^ set(expected))}"
    else:
        assert set(found) == set(expected), f"{what}: {sorted(set(found) ^ set(expected))}"


def assert_same_document(found: Document, expected: Document) -> None:
    """Every part of two documents alike: entries and kinds (in order), paths, objects,
    problems, each entry's graph and the whole graph."""
    assert (found.source, found.format) == (expected.source, expected.format)
    assert list(found.kinds.items()) == list(expected.kinds.items())
    assert list(found.entries) == list(expected.entries)
    assert list(found.paths.items()) == list(expected.paths.items())
    assert list(found.objects.items()) == list(expected.objects.items())
    assert found.problems == expected.problems
    for entry, graph in expected.entries.items():
        assert_same_graph(found.entries[entry], graph, f"the graph of {entry}")
    assert_same_graph(found.graph, expected.graph, "the document's graph")


def walk(tree: Any, source: str, *, direct: bool) -> Document:
    """One read of a parsed manifest, by one path only (no fallback).

    :raises registry.readers.mapping._Unmapped: when ``direct`` and the direct path does not map it.
    """
    mapper = mapping._mapper(get_vocabulary())
    return manifest._walk_manifest(tree, source, mapper, NUMBER, direct=direct)


def read(data: str | bytes, source: str, *, direct: bool) -> Document | str:
    """``load_document`` with the document's number fixed; the error's text when it refuses."""
    saved = manifest._document_counter
    manifest._document_counter = iter([NUMBER])
    try:
        return load_document(data, source=source, direct=direct)
    except InputError as exc:
        return str(exc)
    finally:
        manifest._document_counter = saved


def assert_same_either_way(data: str | bytes, source: str) -> Document | str:
    """``load_document`` gives the same document (or the same error) by default as with
    ``direct=False``; returns what it gave."""
    found = read(data, source, direct=True)
    expected = read(data, source, direct=False)
    if isinstance(expected, str) or isinstance(found, str):
        assert found == expected
    else:
        assert_same_document(found, expected)
    return found


def assert_direct_matches(tree: dict[str, Any], source: str) -> Document:
    """The direct path maps the manifest by itself (no fallback), to the document the
    JSON-LD processor gives."""
    found = walk(tree, source, direct=True)
    assert_same_document(found, walk(tree, source, direct=False))
    return found
