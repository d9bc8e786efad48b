"""Reading documents: bytes or text in any format the registry reads, as a :class:`Document`.

The format is the one named, else told from the file (:mod:`registry.readers.sniff`);
JSON and YAML are parsed strictly and given to the registered readers
(:mod:`registry.readers.base`: a software record, JSON-LD, a plain manifest), RDF to
:func:`registry.readers.rdf.read_rdf`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from registry.readers.base import read_tree, register
from registry.readers.jsonld import JsonLdReader
from registry.readers.manifest import ManifestReader
from registry.readers.model import Document
from registry.readers.rdf import read_rdf
from registry.readers.sniff import _decode, _guess_format, read_source
from registry.readers.strict_json import _parse_json
from registry.readers.strict_yaml import _parse_yaml
from registry.runtime import collector_paused
from registry.vocabulary import Vocabulary, get_vocabulary

__all__ = ["load_document", "load_documents", "load_path"]

register(JsonLdReader())
register(ManifestReader())


def load_path(path: Path, *, vocabulary: Vocabulary | None = None, max_bytes: int | None = None) -> Document:
    """Read and convert one file.

    :param max_bytes: the largest file read; ``None`` for no limit.
    :raises OSError: when the file cannot be read.
    :raises InputError: when it is not well-formed JSON, JSON-LD or Turtle, or too large.
    """
    return load_document(read_source(path, max_bytes), source=str(path), vocabulary=vocabulary)


def load_documents(
    items: Iterable[tuple[bytes | str, str]],
    *,
    vocabulary: Vocabulary | None = None,
) -> list[Document]:
    """Convert many documents at once, for a bulk ingest: :func:`load_document` on each
    ``(data, source)`` pair, the format guessed, with Python's cyclic garbage collector
    paused meanwhile (a batch keeps every document's graphs until it is stored, and the
    collector's passes over them find nothing to free).

    :raises InputError: for the first document that cannot be read at all.
    """
    vocabulary = vocabulary or get_vocabulary()
    with collector_paused():
        return [load_document(data, source=source, vocabulary=vocabulary) for data, source in items]


def load_document(
    data: bytes | str,
    *,
    source: str = "<input>",
    format: str | None = None,
    vocabulary: Vocabulary | None = None,
    direct: bool = True,
) -> Document:
    """Convert a manifest, a JSON-LD document or an RDF document into a :class:`Document`.

    :param data: the document's bytes (or text).
    :param source: its name, used in every message.
    :param format: ``json`` (manifest or JSON-LD), ``turtle``, ``nt`` or ``xml``; guessed when not given.
    :param direct: map a plain manifest straight to triples (falling back to rdflib's
        JSON-LD processor for what that does not map); ``False`` always runs the JSON-LD
        processor, as the registry did before: the same document, slower (for comparisons).
    :raises InputError: when the document cannot be read at all.
    """
    vocabulary = vocabulary or get_vocabulary()
    text = data if isinstance(data, str) else _decode(data, source)
    fmt = _guess_format(text, source, format)
    if fmt == "json":
        return read_tree(_parse_json(text, source), source=source, vocabulary=vocabulary, direct=direct, format_name="JSON")
    if fmt == "yaml":
        return read_tree(_parse_yaml(text, source), source=source, vocabulary=vocabulary, direct=direct, format_name="YAML")
    return read_rdf(text, source, fmt, vocabulary)
