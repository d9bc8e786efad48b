"""CodeMeta (``codemeta.json``, versions 1.0, 2.0 and 3.0) read as JSON-LD.

A ``codemeta.json`` names its context by URL. The known CodeMeta contexts are
bundled in ``ontology/contexts/`` and ``contexts.json`` there maps every known
spelling of their URLs to them, so nothing is ever fetched. The document is
read with its own vocabulary (schema.org and CodeMeta terms); before the
JSON-LD processor runs it is only tidied, never translated:

* its root gets the software record's IRI as ``@id`` (an ``@id`` it had is kept
  as ``schema:sameAs``);
* a string given to a term the context types as an IRI (``"@type": "@id"``) that
  is not an absolute IRI stays text (``{"@value": ...}``): CodeMeta 2.0 types
  ``identifier``, ``license``, ``developmentStatus`` and ``memoryRequirements`` as
  IRIs, and real files put ``"10.5281/zenodo.3884963"``, ``"./COPYRIGHT"``,
  ``"active"`` and ``"2GB"`` there;
* an ``@id`` that is not a usable IRI is left out (the node becomes a blank node).

Keys the context does not define would be dropped silently by JSON-LD: they are
reported as warnings naming the key (with a "did you mean"), as are the keys the
OSSR requires but the file lacks (the SHACL shapes in
``shapes/software-shapes.ttl`` say which).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rdflib import OWL, RDF, Graph, Literal, URIRef

from registry.errors import OssrError
from registry.readers.model import Problem
from registry.resources import data_dir
from registry.vocabulary import ESAP

__all__ = [
    "CodemetaContext",
    "CodemetaDocument",
    "SCHEMA",
    "codemeta_version",
    "is_absolute_iri",
    "read_codemeta",
]

SCHEMA = "http://schema.org/"
_SCHEMA_SAME_AS = URIRef(SCHEMA + "sameAs")

#: An absolute IRI: a scheme, a colon, and no character that IRIs forbid.
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
#: JSON-LD keywords a node object may use.
_NODE_KEYWORDS = {"@id", "@type", "@value", "@language", "@list", "@set", "@graph", "@reverse", "@index", "@direction"}


def is_absolute_iri(value: str) -> bool:
    """True when ``value`` is an absolute IRI the store accepts (a scheme and no spaces)."""
    return bool(_ABSOLUTE_IRI.match(value))


def _normalise_url(url: str) -> str:
    text = url.strip().rstrip("/").rstrip("#")
    return re.sub(r"^http://", "https://", text, flags=re.IGNORECASE).lower()


@dataclass(frozen=True)
class CodemetaContext:
    """A bundled context: the CodeMeta version it is, and its ``@context`` object."""

    version: str
    context: dict[str, Any]
    canonical: bool = True

    @property
    def terms(self) -> dict[str, Any]:
        """The terms it defines (keys that are not keywords)."""
        return {k: v for k, v in self.context.items() if not k.startswith("@")}


@cache
def _index() -> tuple[dict[str, CodemetaContext], dict[str, str]]:
    root = data_dir("ontology") / "contexts"
    index = json.loads((root / "contexts.json").read_text(encoding="utf-8"))
    contexts: dict[str, CodemetaContext] = {}
    for version, entry in index["codemeta"].items():
        body = json.loads((root / entry["file"]).read_text(encoding="utf-8"))["@context"]
        for url in entry.get("urls", []):
            contexts[_normalise_url(url)] = CodemetaContext(version, body)
        for url in entry.get("non-canonical", []):
            contexts[_normalise_url(url)] = CodemetaContext(version, body, canonical=False)
    vocabs = {_normalise_url(url): vocab for url, vocab in index.get("vocab", {}).items()}
    return contexts, vocabs


def _context_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _context_strings(item)]
    return []


def codemeta_version(tree: Any) -> str | None:
    """The CodeMeta version whose context a JSON document names, or None when it names none.

    Only context URLs are looked at; nothing is fetched.
    """
    if not isinstance(tree, dict) or "@context" not in tree:
        return None
    contexts, _ = _index()
    for url in _context_strings(tree["@context"]):
        known = contexts.get(_normalise_url(url))
        if known is not None:
            return known.version
    return None


@dataclass
class CodemetaDocument:
    """A ``codemeta.json`` read into RDF, with what the registry derives executables from.

    :param graph: the record's triples, its root node named by the record's IRI.
    :param version: the CodeMeta version of its context (None for an inline context of the author's own).
    :param problems: warnings (unknown keys, values kept as text) found while reading.
    """

    graph: Graph
    version: str | None
    problems: list[Problem] = field(default_factory=list)


def _resolve_context(value: Any, source: str) -> tuple[list[Any], CodemetaContext | None, list[Problem]]:
    """The local contexts for a document's ``@context``.

    :raises OssrError: when a context would have to be fetched and no CodeMeta context is known.
    """
    contexts, vocabs = _index()
    items = value if isinstance(value, list) else [value]
    resolved: list[Any] = []
    problems: list[Problem] = []
    codemeta: CodemetaContext | None = None
    unknown: list[str] = []
    for i, item in enumerate(items):
        where = "@context" if not isinstance(value, list) else f"@context[{i}]"
        if isinstance(item, str):
            key = _normalise_url(item)
            if key in contexts:
                codemeta = contexts[key]
                resolved.append(copy.deepcopy(codemeta.context))
                if not codemeta.canonical:
                    problems.append(
                        Problem(
                            f"{item!r} is not a published CodeMeta context; it is read as CodeMeta {codemeta.version} "
                            "(use https://w3id.org/codemeta/3.0)",
                            where,
                            item,
                            "Warning",
                        )
                    )
            elif key in vocabs:
                resolved.append({"@vocab": vocabs[key]})
            else:
                unknown.append(item)
                problems.append(
                    Problem(
                        f"the context {item!r} is not bundled and is never fetched: the terms only it defines are dropped",
                        where,
                        item,
                        "Warning",
                    )
                )
        elif isinstance(item, dict):
            _refuse_remote(item, source, where)
            resolved.append(item)
        else:
            raise OssrError(f"{where} must be a URL or an object, not {json.dumps(item)}", source=source, json_path=where)
    if codemeta is None and not any(isinstance(item, dict) for item in resolved):
        known = sorted({url for url, c in contexts.items() if c.canonical})
        raise OssrError(
            f"the @context {unknown[0] if unknown else value!r} is not a CodeMeta context; the registry knows "
            + ", ".join(known),
            source=source,
            json_path="@context",
        )
    return resolved, codemeta, problems


def _refuse_remote(context: dict[str, Any], source: str, where: str) -> None:
    for key, definition in context.items():
        if key == "@import":
            raise OssrError(
                f"a JSON-LD @import of {definition!r} would be fetched; the registry never fetches contexts",
                source=source,
                json_path=f"{where}.@import",
            )
        if isinstance(definition, dict) and isinstance(definition.get("@context"), (str, list)):
            raise OssrError(
                f"the scoped context of {key!r} names a remote context, which is never fetched",
                source=source,
                json_path=f"{where}.{key}.@context",
            )


def _terms(resolved: list[Any]) -> tuple[dict[str, dict[str, Any]], bool]:
    """Each defined term -> its definition (as an object), and whether an ``@vocab`` catches other keys."""
    terms: dict[str, dict[str, Any]] = {}
    has_vocab = False
    for context in resolved:
        if not isinstance(context, dict):
            continue
        has_vocab = has_vocab or isinstance(context.get("@vocab"), str)
        for key, definition in context.items():
            if key.startswith("@"):
                continue
            terms[key] = definition if isinstance(definition, dict) else {"@id": definition}
    return terms, has_vocab


class _Tidier:
    """Walks the document: reports unknown keys and keeps non-IRIs as text."""

    def __init__(self, terms: dict[str, dict[str, Any]], has_vocab: bool, version: str | None) -> None:
        self.terms = terms
        self.has_vocab = has_vocab
        self.version = version
        self.problems: list[Problem] = []
        self.known = sorted(k for k in terms if not k[:1].isupper())

    def node(self, obj: dict[str, Any], path: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in obj.items():
            here = f"{path}.{key}" if path else key
            if key == "@context":
                continue
            if key == "@id":
                if isinstance(value, str) and is_absolute_iri(value):
                    result[key] = value
                elif isinstance(value, str) and _SCHEME.match(value):
                    self.problems.append(
                        Problem(f"{here} {value!r} is not a valid IRI: the node is kept without it", here, value, "Warning")
                    )
                continue
            if key.startswith("@"):
                if key in _NODE_KEYWORDS:
                    result[key] = value
                continue
            definition = self.terms.get(key)
            if definition is None and ":" not in key and not self.has_vocab:
                self.problems.append(Problem(self._unknown(key), here, None, "Warning"))
                continue
            iri_typed = bool(definition and definition.get("@type") == "@id")
            result[key] = self.value(value, here, iri_typed)
        return result

    def value(self, value: Any, path: str, iri_typed: bool) -> Any:
        if isinstance(value, list):
            return [self.value(item, f"{path}[{i}]", iri_typed) for i, item in enumerate(value)]
        if isinstance(value, dict):
            if "@value" in value or "@list" in value or "@set" in value:
                return value
            return self.node(value, path)
        if isinstance(value, str) and iri_typed and not is_absolute_iri(value):
            if _SCHEME.match(value) and not re.match(r"^\s*\d", value):
                self.problems.append(
                    Problem(f"{path} {value!r} is not a valid URL: it is kept as text", path, value, "Warning")
                )
            return {"@value": value}
        return value

    def _unknown(self, key: str) -> str:
        close = difflib.get_close_matches(key, self.known, n=2, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        what = f"a CodeMeta {self.version} term" if self.version else "a term of the document's context"
        return f"unknown key {key!r}{hint}: it is not {what}, and is left out"


def read_codemeta(tree: Any, *, source: str, record: URIRef) -> CodemetaDocument:
    """Read a parsed ``codemeta.json`` into RDF with the bundled contexts.

    :param tree: the parsed JSON.
    :param source: its name, for messages.
    :param record: the IRI of the software record the document describes (its root node).
    :raises OssrError: when it is not a JSON-LD object, or names no context the registry knows.
    """
    if not isinstance(tree, dict):
        raise OssrError("a codemeta.json is a JSON object", source=source, json_path="$")
    if "@context" not in tree:
        raise OssrError(
            "not JSON-LD: there is no @context; a codemeta.json starts with "
            '"@context": "https://w3id.org/codemeta/3.0" (or the CodeMeta 2.0 context)',
            source=source,
            json_path="@context",
        )
    if "@graph" in tree:
        raise OssrError("a codemeta.json with @graph is not read: give the software as the document's root object", source=source, json_path="@graph")
    resolved, codemeta, problems = _resolve_context(tree["@context"], source)
    terms, has_vocab = _terms(resolved)
    tidier = _Tidier(terms, has_vocab, codemeta.version if codemeta else None)
    body = tidier.node(tree, "")
    problems += tidier.problems
    original_id = body.pop("@id", None)
    if "@type" not in body:
        problems.append(Problem("@type is missing: the record is read as a SoftwareSourceCode", "@type", None, "Warning"))
        body["@type"] = "SoftwareSourceCode" if "SoftwareSourceCode" in terms else SCHEMA + "SoftwareSourceCode"
    body["@id"] = str(record)
    document = {"@context": resolved if len(resolved) != 1 else resolved[0], **body}
    graph = Graph()
    try:
        graph.parse(data=json.dumps(document), format="json-ld", publicID=str(record))
    except Exception as exc:  # noqa: BLE001 - rdflib's JSON-LD processor raises assorted types on bad JSON-LD
        raise OssrError(f"not valid JSON-LD: {exc}", source=source) from exc
    graph.add((record, RDF.type, ESAP.SoftwareRecord))
    if isinstance(original_id, str) and original_id != str(record):
        graph.add((record, _SCHEMA_SAME_AS, URIRef(original_id)))
    if codemeta is not None:
        graph.add((record, ESAP.codemetaVersion, Literal(codemeta.version)))
    # A codemeta.json may say owl:sameAs and the like; nothing it says may claim to be an entry.
    for kind in (ESAP.Executable, ESAP.Platform, ESAP.Dataset, OWL.Ontology):
        for subject in list(graph.subjects(RDF.type, kind)):
            graph.remove((subject, RDF.type, kind))
            problems.append(Problem(f"a codemeta.json cannot type {subject} as {kind}: the type is left out", None, None, "Warning"))
    return CodemetaDocument(graph=graph, version=codemeta.version if codemeta else None, problems=problems)
