"""Source and format detection: a file's bytes (within a size limit), decoded as UTF-8,
and the format it is in (the one named, else the file's ending, else how its text starts).
"""

from __future__ import annotations

import re
from pathlib import Path

from registry.errors import InputError

_SUFFIXES = {
    ".json": "json", ".jsonld": "json", ".json-ld": "json", ".yaml": "yaml", ".yml": "yaml",
    ".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".owl": "xml",
}
_RDF_FORMATS = {"turtle", "nt", "xml"}


def read_source(path: Path, max_bytes: int | None = None) -> bytes:
    """Read a file's bytes.

    :param max_bytes: the largest file read; ``None`` for no limit.
    :raises OSError: when the file cannot be read (the CLI exits 2 on this).
    :raises InputError: when the file is larger than ``max_bytes`` (nothing of it is parsed).
    """
    if max_bytes is None:
        return path.read_bytes()
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"the file is larger than the limit of {max_bytes} bytes", source=str(path))
    return data


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"the bytes are not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            source=source,
            line=line,
            column=column,
        ) from exc


#: The formats read and how each is told, for the error on a file whose format cannot be told.
FORMATS_READ = (
    "JSON manifests and JSON-LD (.json, .jsonld, or text starting with { or [), "
    "YAML manifests (.yaml, .yml, or text starting with executables:, platforms: or ---), "
    "Turtle (.ttl, or text starting with @prefix, PREFIX, @base or <), N-Triples (.nt) "
    "and RDF/XML (.rdf, .owl, or XML with rdf:RDF)"
)

_TURTLE_START = re.compile(r"(?:@prefix|@base|prefix\s|base\s|<|_:)", re.IGNORECASE)
_YAML_START = re.compile(r"(?:---|%YAML|(?:executables|platforms)\s*:)")


def _guess_format(text: str, source: str, format: str | None) -> str:
    """The format named, else the file's ending, else what the text starts with.

    :raises InputError: for an unknown format name, or a file (not a request) whose
        format cannot be told: the message lists the formats read and how each is told.
    """
    if format:
        normalised = {"jsonld": "json", "json-ld": "json", "ttl": "turtle", "ntriples": "nt", "rdfxml": "xml", "yml": "yaml"}.get(
            format, format
        )
        if normalised not in {"json", "yaml", *_RDF_FORMATS}:
            raise InputError(f"unknown input format {format!r}: use json, jsonld, yaml, turtle, nt or rdfxml", source=source)
        return normalised
    suffix = Path(source).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        return "json"
    if stripped[:1] == "<" and "rdf:RDF" in text:
        return "xml"
    first = next((line.strip() for line in stripped.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    if not first or _TURTLE_START.match(first):
        return "turtle"  # (an empty text, or comments alone, is an empty Turtle document)
    if _YAML_START.match(first):
        return "yaml"
    if source.startswith("<"):
        return "turtle"  # a request's body without a content type: the Turtle parser says what is wrong
    raise InputError(f"the format of this file cannot be told; the formats read are {FORMATS_READ}", source=source)
