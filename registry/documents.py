"""Formats in: manifests (plain JSON), JSON-LD and Turtle become RDF.

The plain manifest JSON of the ExecutionPlanner data model
(``{"executables": [...]}``, ``{"platforms": [...]}``) becomes RDF through the
JSON-LD context in ``ontology/context.jsonld``. Before the JSON-LD processor
runs, the manifest is annotated, not translated: every entry gets
``"@id": "urn:uuid:<uuid>"`` and its class as ``"@type"``, and every nested
object an ``@id`` below its entry (``urn:uuid:<uuid>#compute-resources-0``) and
the class its property ranges over in the ontology. Those IRIs also tell which
JSON path each node came from, so that validation speaks of
``executables[1].uuid`` rather than of blank nodes.

After parsing, quantities are normalised: every value of a property that has an
``esap:canonicalProperty`` is read with its unit and added, as a number in the
canonical unit, on that property (``esap:minMemoryGiB``). The value as given
stays, so that export gives back what the user wrote.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from xml.parsers import expat as pyexpat

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.shared.jsonld.context import UNDEF, Context
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from registry.errors import InputError, UnitError
from registry.runtime import collector_paused
from registry.units import Kind, parse_quantity
from registry.units import canonical as canonical_value
from registry.vocabulary import CONTEXT_IRI, ESAP, Vocabulary, get_vocabulary

#: rdf:type, looked up once (rdflib's namespace attribute access is slow on a hot path).
_RDF_TYPE = RDF.type

__all__ = [
    "ENTRY_KEYS",
    "Document",
    "Problem",
    "entry_iri",
    "load_document",
    "load_documents",
    "load_path",
    "read_source",
]

#: The top-level keys of a manifest, with the class of their entries' term in the context.
ENTRY_KEYS = {"executables": "Executable", "platforms": "Platform", "datasets": "Dataset"}
#: The classes of the entries, in the order a document lists them.
ENTRY_CLASSES = (ESAP.Executable, ESAP.Platform, ESAP.Dataset)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SUFFIXES = {
    ".json": "json", ".jsonld": "json", ".json-ld": "json", ".yaml": "yaml", ".yml": "yaml",
    ".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".owl": "xml",
}
_RDF_FORMATS = {"turtle", "nt", "xml"}
#: Entries nest no deeper than this in any format the registry reads.
MAX_DEPTH = 32
#: The base IRI of every parsed document (its ``publicID``).
_DOCUMENT_IRI = "urn:esap-registry:document"


@dataclass(frozen=True)
class Problem:
    """A fault found while reading a document, before SHACL runs (an unknown key,
    a repeated uuid, a value of the wrong JSON kind)."""

    message: str
    path: str | None
    value: Any = None
    severity: str = "Violation"


class _EntriesUnion:
    """The descriptor of :attr:`Document.graph`: the graph given, or, when none was, the
    union of the entries' graphs, made when first read (bulk ingest never reads it)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, document: Document | None, owner: type | None = None) -> Graph | None:
        if document is None:
            return None  # the dataclass field's default: none given
        graph = document.__dict__.get(self.slot)
        if graph is None:
            graph = Graph(bind_namespaces="none")
            add = graph.store.add
            for entry_graph in document.entries.values():
                for triple in entry_graph:
                    add(triple, graph, False)
            document.__dict__[self.slot] = graph
        return graph

    def __set__(self, document: Document, graph: Graph | None) -> None:
        document.__dict__[self.slot] = graph


@dataclass
class Document:
    """One input document turned into RDF.

    :param source: where it came from (a file name, ``<stdin>``, ``<request>``).
    :param graph: every triple of its entries, quantities normalised; when not given,
        the union of the entries' graphs, made when first read.
    :param entries: each entry's IRI -> the triples of that entry (its named graph).
    :param kinds: each entry's IRI -> ``esap:Executable``, ``esap:Platform`` or ``esap:Dataset``.
    :param paths: node -> JSON path in the user's file (plain JSON only).
    :param objects: JSON path -> the JSON object or value at that path.
    :param problems: faults found while reading.
    """

    source: str
    format: str
    graph: Graph = _EntriesUnion()  # type: ignore[assignment]
    entries: dict[URIRef, Graph] = field(default_factory=dict)
    kinds: dict[URIRef, URIRef] = field(default_factory=dict)
    paths: dict[Node, str] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def executables(self) -> list[URIRef]:
        """The IRIs of the executables in the document, in document order where known."""
        return [e for e, k in self.kinds.items() if k == ESAP.Executable]

    def platforms(self) -> list[URIRef]:
        """The IRIs of the platforms in the document."""
        return [e for e, k in self.kinds.items() if k == ESAP.Platform]

    def datasets(self) -> list[URIRef]:
        """The IRIs of the data sets in the document."""
        return [e for e, k in self.kinds.items() if k == ESAP.Dataset]


def entry_iri(uuid: str) -> URIRef:
    """The IRI of the entry with this uuid: ``urn:uuid:`` and the uuid in lower case.

    :raises InputError: when ``uuid`` is not a UUID.
    """
    if not _UUID.match(uuid.strip()):
        raise InputError(f"{uuid!r} is not a UUID")
    return URIRef("urn:uuid:" + uuid.strip().lower())


# -- reading bytes -----------------------------------------------------------


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
        return _load_json(text, source, vocabulary, direct=direct)
    if fmt == "yaml":
        return _load_tree(_parse_yaml(text, source), source, vocabulary, direct=direct, format_name="YAML")
    if fmt == "xml":
        _check_xml(text, source)
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=text, format=fmt, publicID=_DOCUMENT_IRI)
    except RecursionError as exc:  # rdflib's Turtle parser recurses into each [ ] and ( )
        raise _too_deep(text, source, _TURTLE_TOKENS, fmt) from exc
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many unrelated types for bad syntax
        raise _rdf_syntax_error(exc, source, text, fmt) from exc
    document = Document(source=source, format=fmt, graph=graph)
    _finish(document, vocabulary)
    return document


class _XmlRefused(Exception):
    pass


#: Characters that XML entities may add to a document, beyond its own length.
_XML_EXPANSION = 1024 * 1024


def _check_xml(text: str, source: str) -> None:
    """Refuse what could make the XML parser fetch, or expand without end: an external
    DTD or entity (never fetched: refused, so that no text is silently lost),
    parameter entities, entities whose text refers to other entities (the "billion
    laughs"), and plain entities used so often that the document grows by more than
    :data:`_XML_EXPANSION` characters. Plain text entities, as RDF/XML files use for
    namespaces, are read. Malformed XML is left to the RDF/XML parser, which says where.

    :raises InputError: at the line and column of what is refused.
    """

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        if system_id or public_id:
            raise _XmlRefused(f"the document type refers to the DTD {system_id or public_id!r}, which is never fetched")

    def entity(
        name: str, parameter: int, value: str | None, base: str | None, system_id: str | None, public_id: str | None, notation: str | None
    ) -> None:
        if system_id or public_id:
            raise _XmlRefused(f"the XML entity {name!r} refers to {system_id or public_id!r}, which is never fetched")
        if parameter:
            raise _XmlRefused(f"the XML parameter entity {name!r} is not read: declare plain text entities only")
        if value is not None and ("&" in value or "%" in value):
            raise _XmlRefused(f"the XML entity {name!r} refers to other entities: declare plain text entities only")

    budget = [len(text) + _XML_EXPANSION]

    def spend(size: int) -> None:
        budget[0] -= size
        if budget[0] < 0:
            raise _XmlRefused(f"its entities expand the document by more than {_XML_EXPANSION} characters")

    def element(name: str, attributes: dict[str, str]) -> None:
        spend(len(name) + sum(len(k) + len(v) for k, v in attributes.items()))

    def characters(data: str) -> None:
        spend(len(data))

    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = element
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(text.encode("utf-8", "surrogatepass"), True)
    except _XmlRefused as refused:
        raise InputError(
            f"RDF/XML refused: {refused}", source=source, line=parser.CurrentLineNumber, column=parser.CurrentColumnNumber + 1
        ) from refused
    except pyexpat.ExpatError:
        return


_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


def _rdf_syntax_error(exc: Exception, source: str, text: str, fmt: str) -> InputError:
    """The error for an RDF document rdflib could not parse, with the line and column
    of the fault: pyoxigraph's parser names both for Turtle and N-Triples, the XML
    parser for RDF/XML; rdflib's own message otherwise."""
    name = {"turtle": "Turtle", "nt": "N-Triples", "xml": "RDF/XML"}[fmt]
    if fmt in _OX_FORMATS:
        try:
            for _ in ox.parse(text.encode("utf-8", "surrogatepass"), format=_OX_FORMATS[fmt]):
                pass
        except SyntaxError as found:
            if found.lineno is not None:
                message = str(found.msg)
                if message.startswith("Parser error") and ": " in message:
                    message = message.split(": ", 1)[1]
                return InputError(f"not well-formed {name}: {message}", source=source, line=found.lineno, column=found.offset)
        except ValueError:  # pyoxigraph cannot read it either (not UTF-8): rdflib's message below
            pass
    line: int | None = None
    column: int | None = None
    if hasattr(exc, "getLineNumber"):  # xml.sax's SAXParseException: 1-based line, 0-based column
        line, column = exc.getLineNumber(), exc.getColumnNumber() + 1
        text_of_error = exc.getMessage()
    else:
        text_of_error = str(exc)
        line_match = re.search(r"line (\d+)", text_of_error) or re.search(r":(\d+):", text_of_error)
        found_line = int(line_match.group(1)) if line_match else getattr(exc, "lines", None)
        line = found_line if isinstance(found_line, int) else None
        column_match = re.search(r"col(?:umn)? (\d+)", text_of_error)
        column = int(column_match.group(1)) if column_match else None
    message = re.sub(r"\s+", " ", text_of_error).strip()
    return InputError(f"not well-formed {name}: {message}", source=source, line=line, column=column)


# -- JSON --------------------------------------------------------------------


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _parse_json(text: str, source: str) -> Any:
    try:
        tree = json.loads(
            text,
            object_pairs_hook=_reject_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_read_float,
            parse_int=_read_int,
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"not well-formed JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno) from exc
    except _DuplicateKey as exc:
        line, column = _duplicate_position(text, exc.key)
        raise InputError(
            f"not well-formed JSON: the key {exc.key!r} appears twice in one object",
            source=source,
            line=line,
            column=column,
        ) from exc
    except _BadNumber as exc:
        line, column = _number_position(text, exc.text)
        raise InputError(f"not well-formed JSON: {exc.reason}", source=source, line=line, column=column) from exc
    except RecursionError as exc:
        raise _too_deep(text, source, _JSON_TOKENS, "json") from exc
    _check_tree(tree, text, source)
    return tree


def _reject_constant(name: str) -> Any:
    raise _BadNumber(name, f"{name} is not a JSON number (JSON has no NaN nor Infinity)")


class _BadNumber(ValueError):
    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(text)


#: Digits of an integer in JSON read at all (Python itself refuses more than 4300).
_MAX_INT_DIGITS = 400


def _read_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _BadNumber(text, f"the number {_cut(text)} is too large to be read")
    return number


def _read_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _BadNumber(text, f"the number {_cut(text)} has more than {_MAX_INT_DIGITS} digits")
    return int(text)


_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'


def _number_position(text: str, number: str) -> tuple[int | None, int | None]:
    """The line and column of a number in JSON text: its first occurrence as a token
    of its own, outside strings."""
    pattern = re.compile(_JSON_STRING + r"|(?<![\w.+\-])(" + re.escape(number) + r")(?![\w.])")
    for match in pattern.finditer(text):
        if match.group(1) is not None:
            return _position(text, match.start(1))
    return None, None


def _duplicate_position(text: str, key: str) -> tuple[int | None, int | None]:
    """The line and column of the first key that repeats a key of its own object."""
    objects: list[set[str] | None] = []
    for match in re.finditer(_JSON_STRING + r"\s*:|[\[\]{}]", text):
        token = match.group()
        if token in ("{", "["):
            objects.append(set() if token == "{" else None)
        elif token in ("}", "]"):
            if objects:
                objects.pop()
        elif objects and objects[-1] is not None:
            try:
                name = json.loads(token[:-1].rstrip())
            except ValueError:
                continue
            if name in objects[-1] and name == key:
                return _position(text, match.start())
            objects[-1].add(name)
    return None, None


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of an offset in a text."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _cut(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


# What nests: brackets outside strings (and, in Turtle, outside IRIs and comments).
_JSON_TOKENS = re.compile(_JSON_STRING + r"|[\[\]{}]")
_TURTLE_TOKENS = re.compile(
    r"""
      '''(?:[^'\\]|\\.|'(?!''))*'''
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '(?:[^'\\\n\r]|\\.)*'
    | "(?:[^"\\\n\r]|\\.)*"
    | <[^<>"{}|^`\\\x00-\x20]*>
    | \#[^\n\r]*
    | [\[\]()]
    """,
    re.VERBOSE,
)


def _too_deep(text: str, source: str, tokens: re.Pattern[str], fmt: str) -> InputError:
    """The error for a document nested beyond :data:`MAX_DEPTH`, at its first bracket too deep."""
    depth = 0
    for match in tokens.finditer(text):
        bracket = match.group()
        if bracket in ("[", "{", "("):
            depth += 1
            if depth > MAX_DEPTH:
                line, column = _position(text, match.start())
                return InputError(
                    f"the document nests deeper than {MAX_DEPTH} levels", source=source, line=line, column=column
                )
        elif bracket in ("]", "}", ")"):
            depth -= 1
    name = {"json": "JSON", "turtle": "Turtle", "nt": "N-Triples", "xml": "RDF/XML"}.get(fmt, fmt)
    return InputError(f"not well-formed {name}: nested too deeply to be read", source=source)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_tree(tree: Any, text: str, source: str) -> None:
    """Refuse parsed JSON that nests deeper than :data:`MAX_DEPTH`, or holds a string
    that is no text (a lone UTF-16 surrogate written as ``\\ud800``); without recursion.

    :raises InputError: naming the JSON path (and, for the depth, the line and column).
    """
    if _tree_is_fine(tree):
        return
    todo: list[tuple[Any, str, int]] = [(tree, "", 0)]
    while todo:
        node, path, depth = todo.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise InputError(_NO_TEXT, source=source, json_path=path or "$")
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            located = _too_deep(text, source, _JSON_TOKENS, "json")
            located.json_path = path or "$"
            raise located
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}" if path else key
                if _SURROGATE.search(key):
                    raise InputError(_NO_TEXT, source=source, json_path=here.encode("utf-8", "backslashreplace").decode())
                todo.append((value, here, depth + 1))
        else:
            todo.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node))


def _tree_is_fine(tree: Any) -> bool:
    """Whether :func:`_check_tree` finds nothing to refuse, found without making JSON
    paths (made only to name what is refused)."""
    todo: list[tuple[Any, int]] = [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, str):
            if not node.isascii() and _SURROGATE.search(node):
                return False
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            return False
        depth += 1
        if isinstance(node, dict):
            for key, value in node.items():
                if not key.isascii() and _SURROGATE.search(key):
                    return False
                todo.append((value, depth))
        else:
            todo.extend((item, depth) for item in node)
    return True


_NO_TEXT = "a string holds a lone surrogate (an escape from \\ud800 to \\udfff), which is no character"


def _load_json(text: str, source: str, vocabulary: Vocabulary, *, direct: bool = True) -> Document:
    return _load_tree(_parse_json(text, source), source, vocabulary, direct=direct)


def _load_tree(tree: Any, source: str, vocabulary: Vocabulary, *, direct: bool = True, format_name: str = "JSON") -> Document:
    """A parsed JSON (or YAML) tree as a document: a software record, JSON-LD, or a manifest."""
    from registry.ossr import load_ossr, ossr_kind  # noqa: PLC0415 - registry.ossr builds on this module

    if ossr_kind(tree) is not None:  # a codemeta.json or a Zenodo record: a software record
        return load_ossr(tree, source=source, vocabulary=vocabulary)
    if _has_context(tree) and not _is_manifest_in_context(tree):
        return _load_jsonld(tree, source, vocabulary)
    if isinstance(tree, dict) and "@context" in tree:
        tree = {k: v for k, v in tree.items() if k != "@context"}
    if not isinstance(tree, dict) and format_name != "JSON":
        raise InputError(
            f"a manifest is a {format_name} mapping with an executables or a platforms list", source=source, json_path="$"
        )
    return _load_manifest(tree, source, vocabulary, direct=direct)


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


# -- YAML ----------------------------------------------------------------------


def _parse_yaml(text: str, source: str) -> Any:
    """A YAML manifest's tree, read with a safe loader held to the JSON reader's limits:
    plain mappings, lists, text, numbers, booleans and null only (no tags, anchors or
    aliases), keys that are text and appear once in their mapping, nesting to
    :data:`MAX_DEPTH`, no integer longer than the JSON reader reads nor a number
    that is not finite; dates stay the text written.

    :raises InputError: at the line and column of the fault.
    """
    import yaml  # noqa: PLC0415 - only YAML input needs it

    try:
        loader = _yaml_loader(yaml)(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, found before parsing
        line, column = _position(text, exc.position)
        raise InputError(
            f"not well-formed YAML: the character U+{exc.character:04X} is not allowed", source=source, line=line, column=column
        ) from exc
    try:
        tree = loader.get_single_data()
    except _YamlRefused as exc:
        raise InputError(f"not a YAML manifest the registry reads: {exc.reason}", source=source, line=exc.line, column=exc.column) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise InputError(
            f"not well-formed YAML: {problem or exc}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"not well-formed YAML: {exc}", source=source) from exc
    finally:
        loader.dispose()
    _check_tree(tree, "", source)
    return tree


class _YamlRefused(ValueError):
    def __init__(self, reason: str, mark: Any) -> None:
        self.reason = reason
        self.line = mark.line + 1 if mark is not None else None
        self.column = mark.column + 1 if mark is not None else None
        super().__init__(reason)


_YAML_LOADER: Any = None


def _yaml_loader(yaml: Any) -> Any:
    """The registry's YAML loader class (a ``yaml.SafeLoader`` held to the JSON limits), made once."""
    global _YAML_LOADER
    if _YAML_LOADER is not None:
        return _YAML_LOADER

    class Loader(yaml.SafeLoader):  # type: ignore[misc,name-defined]
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise _YamlRefused("an alias (*name) is not read: write the value out", self.peek_event().start_mark)
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise _YamlRefused(f"an anchor (&{event.anchor}) is not read: write the value out", event.start_mark)
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH + 1:
                    raise _YamlRefused(f"the document nests deeper than {MAX_DEPTH} levels", event.start_mark)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str):
                    raise _YamlRefused(f"the key {key!r} is not text: quote it", key_node.start_mark)
                if key in seen:
                    raise _YamlRefused(f"the key {key!r} appears twice in one mapping", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node: Any) -> Any:
            digits = str(node.value).lstrip("+-").replace("_", "")
            if len(digits) > _MAX_INT_DIGITS:
                raise _YamlRefused(f"the number {_cut(node.value)} has more than {_MAX_INT_DIGITS} digits", node.start_mark)
            return super().construct_yaml_int(node)

        def construct_yaml_float(self, node: Any) -> Any:
            number = super().construct_yaml_float(node)
            if not math.isfinite(number):
                raise _YamlRefused(f"{node.value} is not a number the registry reads (no NaN nor infinity)", node.start_mark)
            return number

        def construct_text(self, node: Any) -> Any:
            return self.construct_scalar(node)

        def refuse_tag(self, node: Any) -> Any:
            raise _YamlRefused(f"the tag {node.tag} is not read: a manifest holds mappings, lists, text and numbers", node.start_mark)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_text)
    for tag in ("binary", "set", "omap", "pairs"):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", Loader.refuse_tag)
    Loader.add_constructor(None, Loader.refuse_tag)
    _YAML_LOADER = Loader
    return Loader


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


def _registry_context() -> dict[str, Any]:
    """The registry's own JSON-LD context (the shipped vocabulary's), shared, not copied:
    it is only ever written out with ``json.dumps``, never changed."""
    return get_vocabulary().context


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


# -- plain manifests -------------------------------------------------------------
#
# A plain manifest is walked once by _Annotator, which reports what is wrong with it
# and either emits its triples itself (the direct path) or annotates it for rdflib's
# JSON-LD processor (the JSON-LD path, kept for what the direct path does not map).
# The direct path reads what each key, class term and IRI becomes from the JSON-LD
# context as rdflib's own processor builds it (rdflib.plugins.shared.jsonld.context),
# once per vocabulary, and follows the processor's rules for values; whatever those
# rules would treat otherwise than as a plain term, a plain literal or an IRI is
# refused (_Unmapped) and the manifest is read again through the JSON-LD processor.

#: IRIs the annotator gives entries and their nested nodes, to check that the JSON-LD
#: processor would keep them as they are.
_SAMPLE_NODE_IRIS = (
    "urn:uuid:00000000-0000-4000-8000-000000000000",
    "urn:uuid:00000000-0000-4000-8000-000000000000#key-0#key",
    "urn:esap-registry:unidentified:1:executables-0#key-0",
)


class _Unmapped(Exception):
    """The direct path met something it does not map itself: the manifest is read
    through the JSON-LD processor instead."""


class _Rule(NamedTuple):
    """What the JSON-LD processor makes of one key's values in one context."""

    predicate: URIRef
    #: values are IRIs (``"@type": "@id"``), else plain literals
    iri: bool
    #: the kind of quantity the property holds, if any
    kind: Kind | None
    #: the property of its canonical number, if any
    canonical: URIRef | None


#: The caches of IRI values and literals are emptied when they grow past this many.
_IRI_CACHE = 1 << 14


_LITERALS: dict[tuple[type, Any], Literal] = {}


#: Longer texts are not kept in the literal cache.
_CACHED_TEXT = 200


def _literal(value: str | int | float | bool) -> Literal:
    """The literal the JSON-LD processor makes of a JSON value (a double for a float, a
    plain literal for text, an integer or a boolean), kept for the values seen again
    (texts only when short)."""
    if isinstance(value, str):
        if len(value) > _CACHED_TEXT:
            return Literal(value)
        key: tuple[type, Any] = (str, value)
    else:
        key = (type(value), repr(value))
    found = _LITERALS.get(key)
    if found is None:
        if len(_LITERALS) >= _IRI_CACHE:
            _LITERALS.clear()
        found = _LITERALS[key] = Literal(value, datatype=XSD.double) if isinstance(value, float) else Literal(value)
    return found


def _decimal(number: Decimal) -> Literal:
    """The ``xsd:decimal`` literal of a canonical number, kept for the numbers seen again."""
    key = (Decimal, str(number))
    found = _LITERALS.get(key)
    if found is None:
        if len(_LITERALS) >= _IRI_CACHE:
            _LITERALS.clear()
        found = _LITERALS[key] = Literal(number, datatype=XSD.decimal)
    return found


class _Scope:
    """One JSON-LD context of a manifest's nodes (an entry's type-scoped context, or
    the one of the objects nested in it) as rdflib's JSON-LD processor builds it, with
    what each key, class term and IRI value becomes there, worked out on first use."""

    def __init__(self, context: Context, mapper: _Mapper) -> None:
        self.context = context
        self.mapper = mapper
        #: the context a node reference ``{"@id": ...}`` is resolved in
        self.reference_context = context.get_context_for_type({})
        self.keeps_node_iris = all(context.resolve(iri) == iri for iri in _SAMPLE_NODE_IRIS)
        self._rules: dict[str, _Rule | None] = {}
        self._types: dict[str, URIRef | None] = {}
        self._children: dict[str | None, _Scope] = {}
        self._iris: dict[str, URIRef | None] = {}

    def rule(self, key: str) -> _Rule:
        """How the values of ``key`` become RDF.

        :raises _Unmapped: when the processor would do more with them than make the
            key's property point to a plain literal, an IRI or a node.
        """
        if key in self._rules:
            rule = self._rules[key]
        else:
            rule = self._rules[key] = self._compile(key)
        if rule is None:
            raise _Unmapped(f"the key {key!r}")
        return rule

    def _compile(self, key: str) -> _Rule | None:
        term = self.context.terms.get(key)
        if term is None or term.reverse or term.context is not UNDEF or term.index not in (None, UNDEF):
            return None
        if term.type not in (UNDEF, "@id") or not set(term.container) <= {"@set"}:
            return None
        language = term.language if term.language is not UNDEF else self.context.language
        iri = term.id
        if language is not None or not isinstance(iri, str) or iri.startswith(("@", "_:")) or ":" not in iri or " " in key:
            return None
        predicate = URIRef(iri)
        vocabulary = self.mapper.vocabulary
        if predicate == RDF.type or predicate in vocabulary.given_property:
            return None  # types are the annotator's; canonical values are derived, never read
        kind = vocabulary.quantity_kind(predicate)
        canonical = vocabulary.canonical_properties.get(predicate, (None, kind))[0] if kind is not None else None
        return _Rule(predicate, term.type == "@id", kind, canonical)

    def type_iri(self, class_term: str) -> URIRef:
        """The IRI ``"@type": class_term`` gives a node of this context.

        :raises _Unmapped: when it is no plain IRI.
        """
        if class_term not in self._types:
            expanded = self.context.expand(class_term) or self.context.resolve_iri(class_term)
            self._types[class_term] = self._reference(expanded)
        found = self._types[class_term]
        if found is None:
            raise _Unmapped(f"the class term {class_term!r}")
        return found

    def iri(self, value: str) -> URIRef:
        """The IRI an ``"@type": "@id"`` key's value becomes.

        :raises _Unmapped: when it becomes a blank node, or nothing.
        """
        try:
            found = self._iris[value]
        except KeyError:
            if len(self._iris) >= _IRI_CACHE:
                self._iris.clear()
            found = self._iris[value] = None if value.startswith("_:") else self._reference(self.context.resolve(value))
        if found is None:
            raise _Unmapped("an IRI value")
        return found

    def _reference(self, value: str | None) -> URIRef | None:
        """What the processor makes of the node reference ``{"@id": value}``: an IRI, or
        ``None`` for a blank node or nothing."""
        if not value or value.startswith("_:"):
            return None
        resolved = self.reference_context.resolve(value)
        return URIRef(resolved) if resolved and ":" in resolved else None

    def child(self, class_term: str | None) -> _Scope:
        """The context of an object nested in a node of this one (typed ``class_term``)."""
        if class_term not in self._children:
            node = {"@type": class_term} if class_term else {}
            self._children[class_term] = _Scope(self.context.get_context_for_type(node), self.mapper)
        return self._children[class_term]


class _Key(NamedTuple):
    """A known key of a manifest's objects."""

    prop: URIRef
    #: its term definition in the context (``{}`` for a plain term)
    definition: dict[str, Any]
    #: the property's declared domain
    domain: URIRef | None
    #: the class of the nested objects it holds; ``None`` for plain values and taxonomy terms
    node_class: URIRef | None


class _Mapper:
    """What walking a manifest needs of the vocabulary and its JSON-LD context, worked
    out once per vocabulary: each key's term and property, domains and ranges, and
    (for the direct path) the contexts of the JSON-LD processor.

    :param vocabulary: the vocabulary whose context maps the manifest.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.context = vocabulary.context
        self.common = {k: v for k, v in self.context.items() if not k.startswith("@")}
        self._terms: dict[str | None, dict[str, Any]] = {}
        self._term: dict[tuple[str | None, str], tuple[URIRef, dict[str, Any]] | None] = {}
        self._keys: dict[tuple[str | None, str], _Key | None] = {}
        self._known: dict[str | None, list[str]] = {}
        self._domain: dict[URIRef, URIRef | None] = {}
        self._node_class: dict[URIRef, URIRef | None] = {}
        self._class_term: dict[URIRef, str | None] = {}
        self._entry_scopes: dict[str, _Scope] = {}
        self.top: Context | None
        try:
            top = Context(base=_DOCUMENT_IRI)
            top.load(self.context, top.base)
        except Exception:  # noqa: BLE001 - a context rdflib cannot read: the JSON-LD path reports it
            top = None
        self.top = top

    def expand(self, curie: str) -> URIRef:
        """A compact IRI of the context (``esap:minCores``) as a full IRI."""
        prefix, _, local = curie.partition(":")
        base = self.context.get(prefix)
        return URIRef(base + local) if isinstance(base, str) and local else URIRef(curie)

    def terms(self, class_term: str | None) -> dict[str, Any]:
        """The terms of the context in force in an object of ``class_term`` (the
        common ones, and the type-scoped ones of an entry's class)."""
        if class_term not in self._terms:
            terms = dict(self.common)
            if class_term and isinstance(self.context.get(class_term), dict):
                terms.update(self.context[class_term].get("@context", {}))
            self._terms[class_term] = terms
        return self._terms[class_term]

    def term(self, class_term: str | None, key: str) -> tuple[URIRef, dict[str, Any]] | None:
        """The property of ``key`` in an object of ``class_term``, and its definition."""
        found = (class_term, key)
        if found not in self._term:
            definition = self.terms(class_term).get(key)
            if definition is None:
                self._term[found] = None
            elif isinstance(definition, str):
                self._term[found] = (self.expand(definition), {})
            else:
                self._term[found] = (self.expand(definition["@id"]), definition)
        return self._term[found]

    def key(self, class_term: str | None, key: str) -> _Key | None:
        """What ``key`` is in an object of ``class_term``; ``None`` for an unknown key (no
        term, an entry list's key, or a class's term)."""
        found = (class_term, key)
        if found not in self._keys:
            term = self.term(class_term, key)
            if term is None or key in ENTRY_KEYS or key[:1].isupper():
                self._keys[found] = None
            else:
                prop, definition = term
                self._keys[found] = _Key(prop, definition, self.domain_of(prop), self.node_class(prop))
        return self._keys[found]

    def known(self, class_term: str | None) -> list[str]:
        """The keys an object of ``class_term`` may have, for "did you mean"."""
        if class_term not in self._known:
            terms = self.terms(class_term)
            known = sorted(k for k in terms if not k[:1].isupper() and k not in ENTRY_KEYS and not k.startswith("@"))
            self._known[class_term] = [k for k in known if ":" not in k and k not in ("esap", "xsd")]
        return self._known[class_term]

    def domain_of(self, prop: URIRef) -> URIRef | None:
        """The property's declared domain."""
        if prop not in self._domain:
            self._domain[prop] = self.vocabulary.domain_of(prop)
        return self._domain[prop]

    def node_class(self, prop: URIRef) -> URIRef | None:
        """The class of the nested objects the property holds; ``None`` when its values are
        plain values or terms of a taxonomy."""
        if prop not in self._node_class:
            cls = self.vocabulary.range_of(prop)
            is_node = cls is not None and cls not in self.vocabulary.taxonomy_classes and str(cls).startswith(str(ESAP))
            self._node_class[prop] = cls if is_node else None
        return self._node_class[prop]

    def class_term(self, cls: URIRef) -> str | None:
        """The context's term for a class."""
        if cls not in self._class_term:
            self._class_term[cls] = None
            for name, definition in self.common.items():
                iri = definition if isinstance(definition, str) else definition.get("@id")
                if isinstance(iri, str) and self.expand(iri) == cls:
                    self._class_term[cls] = name
                    break
        return self._class_term[cls]

    def home(self, cls: URIRef) -> str:
        """Where keys of ``cls`` belong, for messages."""
        keys = sorted({k for p, k in self.vocabulary.json_keys.items() if self.vocabulary.range_of(p) == cls})
        if keys:
            return f"it is a key of the objects in {' or '.join(keys)}"
        return f"it is a key of {self.vocabulary.label(cls)} entries"

    def entry_scope(self, class_term: str) -> _Scope:
        """The context of an entry of ``class_term``, for the direct path.

        :raises _Unmapped: when rdflib could not read the context.
        """
        if self.top is None:
            raise _Unmapped("the context")
        if class_term not in self._entry_scopes:
            self._entry_scopes[class_term] = _Scope(self.top.get_context_for_type({"@type": class_term}), self)
        return self._entry_scopes[class_term]


_MAPPERS: dict[int, tuple[Vocabulary, _Mapper]] = {}


def _mapper(vocabulary: Vocabulary) -> _Mapper:
    """The mapper of a vocabulary, made on first use."""
    found = _MAPPERS.get(id(vocabulary))
    if found is None or found[0] is not vocabulary:
        found = _MAPPERS[id(vocabulary)] = (vocabulary, _Mapper(vocabulary))
    return found[1]


class _Annotator:
    """Walks a manifest: records JSON paths and reports faults, and either emits the
    entries' triples (``direct``) or adds ``@id`` and ``@type`` to every object for the
    JSON-LD processor.

    In direct mode, :meth:`entry` raises :class:`_Unmapped` on anything it does not map.
    """

    def __init__(self, mapper: _Mapper, source: str, *, direct: bool) -> None:
        self.mapper = mapper
        self.source = source
        self.direct = direct
        self.problems: list[Problem] = []
        self.paths: dict[Node, str] = {}
        self.objects: dict[str, Any] = {}
        self.seen_uuids: dict[str, str] = {}
        #: direct mode: each entry walked, with its class and triples, in document order
        self.walked: list[tuple[URIRef, URIRef, list[tuple[Node, Node, Node]]]] = []
        self._triples: list[tuple[Node, Node, Node]] = []
        self._quantities: list[tuple[URIRef, _Rule, Literal]] = []
        #: the lists given empty (``"storage-resources": []``): (node, property), which an
        #: empty list says nothing of in RDF, so each gets an ``esap:emptyList`` triple
        self.empties: list[tuple[URIRef, URIRef]] = []

    def entry(self, top_key: str, index: int, obj: Any, document_number: int) -> Any:
        """Walk one entry of the list under ``top_key``.

        :returns: the annotated entry (JSON-LD mode), or ``None`` (direct mode, or when
            it is not an object).
        :raises _Unmapped: in direct mode, on anything the direct path does not map.
        """
        path = f"{top_key}[{index}]"
        self.objects[path] = obj
        class_term = ENTRY_KEYS[top_key]
        if not isinstance(obj, dict):
            self.problems.append(Problem(f"each of {top_key} must be a JSON object", path, obj))
            return None
        uuid = obj.get("uuid")
        iri: URIRef | None = None
        if isinstance(uuid, str) and _UUID.match(uuid.strip()):
            key = uuid.strip().lower()
            if key in self.seen_uuids:
                self.problems.append(
                    Problem(f"the uuid {uuid} is already used by {self.seen_uuids[key]} in this document", f"{path}.uuid", uuid)
                )
            else:
                self.seen_uuids[key] = path
                iri = URIRef("urn:uuid:" + key)
        if iri is None:
            # An entry without a usable uuid still needs an IRI to be validated; the
            # uuid shape reports it, and a document with a violation is never stored.
            iri = URIRef(f"urn:esap-registry:unidentified:{document_number}:{top_key}-{index}")
        definition = self.mapper.context.get(class_term)
        owner = self.mapper.expand(definition["@id"] if isinstance(definition, dict) else str(definition))
        if not self.direct:
            annotated = self._object(obj, iri, path, class_term, owner, None, 0)
            annotated["@type"] = class_term
            return annotated
        scope = self.mapper.entry_scope(class_term)
        kind = scope.type_iri(class_term)
        if kind not in ENTRY_CLASSES or not scope.keeps_node_iris:
            raise _Unmapped(f"the class term {class_term!r}")
        self._triples = [(iri, _RDF_TYPE, kind)]
        self._quantities = []
        self._object(obj, iri, path, class_term, owner, scope, 0)
        self._normalise()
        self.walked.append((iri, kind, self._triples))
        return None

    def _object(
        self,
        obj: dict[str, Any],
        iri: URIRef,
        path: str,
        class_term: str | None,
        owner: URIRef | None,
        scope: _Scope | None,
        depth: int,
    ) -> dict[str, Any]:
        self.paths[iri] = path
        self.objects[path] = obj
        mapper = self.mapper
        result: dict[str, Any] = {"@id": str(iri)} if scope is None else {}
        for key, value in obj.items():
            here = f"{path}.{key}"
            if key.startswith("@"):
                self.problems.append(Problem(f"the JSON-LD keyword {key} is not allowed in a plain manifest", here, value))
                continue
            found = mapper.key(class_term, key)
            if found is None:
                hint = _did_you_mean(key, mapper.known(class_term))
                self.problems.append(Problem(f"unknown key {key!r}{hint}", here, value))
                continue
            prop, definition, domain, cls = found
            if owner is not None and domain is not None and domain != owner:
                self.problems.append(Problem(f"{key!r} does not belong here: {mapper.home(domain)}", here, value))
                continue
            if value == [] and isinstance(value, list) and definition.get("@container") == "@set":
                self.empties.append((iri, prop))
                if scope is not None:
                    self._triples.append((iri, ESAP.emptyList, prop))
            if cls is not None:
                result[key] = self._nested(key, value, iri, here, cls, definition, scope, depth)
            else:
                self.objects[here] = value
                if self._check_scalar(key, value, here, definition):
                    if scope is None:
                        result[key] = value
                    else:
                        self._emit(iri, scope, key, value)
                # else: reported, and left out of the RDF (an object or list there would be a
                # blank node, which the shapes cannot compare)
        return result

    def _emit(self, subject: URIRef, scope: _Scope, key: str, value: Any) -> None:
        """The triples of one plain key, as the JSON-LD processor makes them.

        :raises _Unmapped: for a value of an IRI key that is not a string.
        """
        rule = scope.rule(key)
        for item in value if isinstance(value, list) else (value,):
            if item is None:
                continue
            if rule.iri:
                if not isinstance(item, str):
                    raise _Unmapped(f"a {type(item).__name__} value of the IRI key {key!r}")
                self._triples.append((subject, rule.predicate, scope.iri(item)))
                continue
            literal = _literal(item)
            self._triples.append((subject, rule.predicate, literal))
            if rule.kind is not None:
                self._quantities.append((subject, rule, literal))

    def _normalise(self) -> None:
        """The canonical number of each quantity of the entry walked, as :func:`_normalise`
        adds them.

        :raises _Unmapped: when a quantity is out of range (its problem is reported by
            :func:`_normalise`, in the order it reports problems).
        """
        for subject, rule, literal in self._quantities:
            try:
                number = _canonical_number(rule.kind, literal)  # type: ignore[arg-type]
            except UnitError as exc:
                raise _Unmapped("a quantity out of range") from exc
            if number is not None and rule.canonical is not None:
                self._triples.append((subject, rule.canonical, _decimal(number)))

    def _nested(
        self,
        key: str,
        value: Any,
        parent: URIRef,
        path: str,
        cls: URIRef,
        definition: dict[str, Any],
        scope: _Scope | None,
        depth: int,
    ) -> Any:
        class_term = self.mapper.class_term(cls)
        self.objects[path] = value
        child: _Scope | None = None
        if scope is not None:
            if depth + 1 > MAX_DEPTH:
                raise _Unmapped("nodes nested too deep")
            child = scope.child(class_term)
            if not child.keeps_node_iris:
                raise _Unmapped(f"the objects of {key!r}")
        if definition.get("@container") == "@set":
            if not isinstance(value, list):
                self.problems.append(Problem(f"{key} must be a list of objects", path, value))
                return []
            items = []
            for i, item in enumerate(value):
                here = f"{path}[{i}]"
                if not isinstance(item, dict):
                    self.problems.append(Problem(f"each of {key} must be a JSON object", here, item))
                    continue
                items.append(self._node(key, item, URIRef(f"{parent}#{key}-{i}"), parent, here, cls, class_term, scope, child, depth))
            return items
        if not isinstance(value, dict):
            self.problems.append(Problem(f"{key} must be a JSON object", path, value))
            return None
        return self._node(key, value, URIRef(f"{parent}#{key}"), parent, path, cls, class_term, scope, child, depth)

    def _node(
        self,
        key: str,
        obj: dict[str, Any],
        iri: URIRef,
        parent: URIRef,
        path: str,
        cls: URIRef,
        class_term: str | None,
        scope: _Scope | None,
        child: _Scope | None,
        depth: int,
    ) -> dict[str, Any]:
        """One nested object, typed with its class's term (annotated, or its triples emitted)."""
        if scope is not None and child is not None:
            self._triples.append((parent, scope.rule(key).predicate, iri))
            if class_term:
                self._triples.append((iri, _RDF_TYPE, child.type_iri(class_term)))
        node = self._object(obj, iri, path, class_term, cls, child, depth + 1)
        if class_term:
            node["@type"] = class_term
        return node

    def _check_scalar(self, key: str, value: Any, path: str, definition: dict[str, Any]) -> bool:
        """Report a value of the wrong JSON kind for a key that holds text or numbers.

        :returns: False when the value is an object or a list where one value is
            expected, or null: it is reported, and not made RDF.
        """
        if definition.get("@container") == "@set":
            items = value if isinstance(value, list) else [value]
            fine = True
            for i, item in enumerate(items):
                if not isinstance(item, str):
                    self.problems.append(Problem(f"each of {key} must be a string", f"{path}[{i}]", item))
                    fine = fine and not isinstance(item, (dict, list))
            return fine
        if isinstance(value, (dict, list)):
            self.problems.append(Problem(f"{key} must be a single value, not a JSON {type(value).__name__}", path, value))
            return False
        if value is None:
            self.problems.append(Problem(f"{key} must not be null", path, value))
            return False
        return True


def _did_you_mean(key: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


_document_counter = iter(range(1, 1 << 62))


def _load_manifest(tree: Any, source: str, vocabulary: Vocabulary, *, direct: bool = True) -> Document:
    """A plain manifest as a :class:`Document`: straight from the walk (``direct``), or,
    when ``direct`` is false or the walk meets what it does not map, through rdflib's
    JSON-LD processor; the two give the same document.

    :raises InputError: when the tree is no manifest, or the JSON-LD processor refuses it.
    """
    if not isinstance(tree, dict):
        raise InputError(
            "a manifest is a JSON object with an executables, a platforms or a datasets list", source=source, json_path="$"
        )
    number = next(_document_counter)
    mapper = _mapper(vocabulary)
    if direct:
        try:
            return _walk_manifest(tree, source, mapper, number, direct=True)
        except _Unmapped:
            pass
    return _walk_manifest(tree, source, mapper, number, direct=False)


def _walk_manifest(tree: dict[str, Any], source: str, mapper: _Mapper, number: int, *, direct: bool) -> Document:
    """One walk of a manifest (see :func:`_load_manifest`).

    :raises _Unmapped: in direct mode, on anything the direct path does not map.
    :raises InputError: when the tree is no manifest, or the JSON-LD processor refuses it.
    """
    annotator = _Annotator(mapper, source, direct=direct)
    annotated: dict[str, Any] = {"@context": _registry_context()}
    found = False
    for key, value in tree.items():
        if key not in ENTRY_KEYS:
            hint = _did_you_mean(key, list(ENTRY_KEYS))
            annotator.problems.append(Problem(f"unknown top-level key {key!r}{hint}: a manifest lists executables, platforms or datasets", key, value))
            continue
        found = True
        if not isinstance(value, list):
            annotator.problems.append(Problem(f"{key} must be a list", key, value))
            continue
        entries = [annotator.entry(key, i, item, number) for i, item in enumerate(value)]
        annotated[key] = [e for e in entries if e is not None]
    if not found and not annotator.problems:
        raise InputError("a manifest is a JSON object with an executables, a platforms or a datasets list", source=source, json_path="$")
    if direct:
        return _direct_document(annotator, source)
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=json.dumps(annotated), format="json-ld", publicID=_DOCUMENT_IRI)
    except Exception as exc:  # noqa: BLE001 - rdflib's JSON-LD processor raises assorted types on bad input
        raise InputError(f"the manifest could not be read as JSON-LD: {exc}", source=source) from exc
    for node, prop in annotator.empties:  # the processor drops empty lists; the direct path keeps them so
        graph.add((node, ESAP.emptyList, prop))
    document = Document(
        source=source,
        format="json",
        graph=graph,
        paths=annotator.paths,
        objects=annotator.objects,
        problems=annotator.problems,
    )
    _finish(document, mapper.vocabulary)
    return document


def _direct_document(annotator: _Annotator, source: str) -> Document:
    """The document of a direct walk: what :func:`_finish` would make of the same triples
    (entries in the order it finds them: executables first), without searching for them.
    Its graph, the union of its entries', is made when first read, and binds no prefixes
    (the JSON-LD processor's binds rdflib's defaults, which nothing reads: documents'
    graphs are never serialised)."""
    document = Document(
        source=source, format="json", paths=annotator.paths, objects=annotator.objects, problems=annotator.problems
    )
    for kind in ENTRY_CLASSES:
        for iri, entry_kind, triples in annotator.walked:
            if entry_kind != kind:
                continue
            entry_graph = _entry_graph()
            add = entry_graph.store.add
            for triple in triples:
                add(triple, entry_graph, False)
            document.kinds[iri] = kind
            document.entries[iri] = entry_graph
    return document


# -- after parsing: normalise and split ----------------------------------------


def _finish(document: Document, vocabulary: Vocabulary) -> None:
    graph = document.graph
    # The manifest's own node only carries its entries; the entries are what is kept.
    for manifest in set(graph.subjects(ESAP.executable)) | set(graph.subjects(ESAP.platform)) | set(graph.subjects(ESAP.dataset)):
        graph.remove((manifest, None, None))
    _normalise(document, vocabulary)
    _split(document)


def _normalise(document: Document, vocabulary: Vocabulary) -> None:
    """Add the canonical number of every quantity whose value parses.

    Values that do not parse get no canonical number; the shapes report them. Numbers
    the registry cannot hold (not finite, or beyond :data:`registry.units.LARGEST`),
    counts too, look fine to the shapes and are reported here.
    Canonical values written by the author are replaced: they are derived data.
    """
    graph = document.graph
    for canonical in vocabulary.given_property:
        graph.remove((None, canonical, None))
    canonical_of = vocabulary.canonical_properties
    for prop in sorted({p for p in graph.predicates() if isinstance(p, URIRef)}, key=str):
        kind = vocabulary.quantity_kind(prop)
        if kind is None:
            continue
        canonical = canonical_of.get(prop, (None, kind))[0]
        for subject, value in list(graph.subject_objects(prop)):
            if not isinstance(value, Literal):
                continue
            try:
                number = _canonical_number(kind, value)
            except UnitError as exc:
                key = vocabulary.json_keys.get(prop, str(prop))
                base = document.paths.get(subject)
                python_value = value.toPython()
                shown = python_value if isinstance(python_value, str) and len(python_value) <= 60 else str(value)[:60]
                document.problems.append(Problem(f"{key}: {exc.message}", f"{base}.{key}" if base else None, shown))
                continue
            if number is not None and canonical is not None:
                graph.add((subject, canonical, Literal(number, datatype=XSD.decimal)))


def _canonical_number(kind: Kind, value: Literal) -> Decimal | None:
    """The canonical number of a quantity given as ``value`` (a number, or a string with a
    unit), or None when it is not one the registry reads (the shapes report it then).

    :raises UnitError: when it reads as a number the registry cannot hold (not finite,
        or beyond :data:`registry.units.LARGEST`).
    """
    python_value = value.toPython()
    if isinstance(python_value, bool) or not isinstance(python_value, (int, float, Decimal, str)):
        return None
    try:
        return canonical_value(parse_quantity(kind, python_value))
    except UnitError as exc:
        if exc.out_of_range:
            raise
        return None


def _entry_graph() -> Graph:
    """An empty graph for one entry's triples, on rdflib's ``SimpleMemory`` store: its
    three indexes without the ``Memory`` store's bookkeeping of contexts and events (an
    entry graph is one graph, never a context of a dataset), about half the cost of an
    ``add``, and fewer objects for the garbage collector to walk."""
    return Graph(store=SimpleMemory(), bind_namespaces="none")


def _split(document: Document) -> None:
    graph = document.graph
    claimed: set[Node] = set()
    for kind in ENTRY_CLASSES:
        for entry in graph.subjects(RDF.type, kind):
            if not isinstance(entry, URIRef):
                document.problems.append(
                    Problem("an executable, platform or data set must have an IRI (urn:uuid:<uuid>), not a blank node", None)
                )
                continue
            if entry in document.kinds:
                document.problems.append(
                    Problem(f"{entry} is typed as more than one of executable, platform and data set", document.paths.get(entry))
                )
                continue
            document.kinds[entry] = URIRef(kind)
            entry_graph = _entry_graph()
            too_deep: list[Node] = []
            for triple in _reachable(graph, entry, too_deep):
                entry_graph.add(triple)
                claimed.add(triple[0])
            if too_deep:
                document.problems.append(
                    Problem(f"{entry.n3()} nests its nodes deeper than {MAX_DEPTH} levels", document.paths.get(entry))
                )
            document.entries[entry] = entry_graph
    orphans = {s for s in graph.subjects() if s not in claimed}
    for orphan in sorted(orphans, key=str):
        label = orphan.n3() if isinstance(orphan, URIRef) else "a blank node"
        document.problems.append(
            Problem(
                f"statements about {label} belong to no executable, platform or data set "
                "(each entry must be typed esap:Executable, esap:Platform or esap:Dataset)",
                document.paths.get(orphan),
            )
        )


def _reachable(graph: Graph, entry: URIRef, too_deep: list[Node]) -> Iterator[tuple[Node, Node, Node]]:
    """The entry's triples and those of the nodes it owns: blank nodes and IRIs
    under the entry's own IRI (``urn:uuid:...#compute-resources-0``), to
    :data:`MAX_DEPTH` levels; a node owned deeper is put in ``too_deep``."""
    prefix = str(entry) + "#"
    todo: list[tuple[Node, int]] = [(entry, 0)]
    seen: set[Node] = {entry}
    while todo:
        node, depth = todo.pop()
        for _, p, o in graph.triples((node, None, None)):
            yield node, p, o
            owned = isinstance(o, BNode) or (isinstance(o, URIRef) and str(o).startswith(prefix))
            if owned and o not in seen and p != RDF.type:
                seen.add(o)
                if depth + 1 > MAX_DEPTH:
                    too_deep.append(o)
                else:
                    todo.append((o, depth + 1))
