"""Validation: the SHACL shapes in ``shapes/`` run over documents, and the
results are told in the user's own terms (the JSON path and value they wrote,
and the shape's message).

Validation mixes only the ``rdf:type`` triples of the taxonomy terms into the
data (so that ``sh:class esap:ExecutableType`` tells a known URN) and runs no
inference: OWL and RDFS reasoning never touch instance data.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, SH, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

import registry.ossr  # noqa: F401 - registers the reader of software records (codemeta.json, Zenodo)
from registry.errors import InputError, ShapesUnsupported
from registry.pyshacl_patch import prepare as prepare_pyshacl
from registry.readers import ENTRY_KEYS, Document, Problem, load_path
from registry.report import SEVERITY as _SEVERITY
from registry.report import Issue, Report
from registry.resources import data_dir
from registry.shacl_fast import FastChecker, compile_shapes
from registry.store.terms import to_oxigraph
from registry.vocabulary import Vocabulary, get_vocabulary

__all__ = ["Validator", "get_validator", "validate_file"]

logger = logging.getLogger(__name__)

SHAPES = Namespace("https://w3id.org/esap-registry/shapes#")
#: Unstorable terms reported per document, at most (one is enough to refuse it).
_MAX_UNSTORABLE = 20
#: IRIs remembered as storable, at most (the set is emptied when full).
_STORABLE_IRIS = 100_000




@cache
def _shapes_graph() -> Graph:
    graph = Graph(store="SimpleMemory")
    for path in sorted(data_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


class Validator:
    """Runs the shapes over documents and maps results back to the user's input.

    Documents are first put to the fast checker compiled from the same shapes
    (:mod:`registry.shacl_fast`): when it tells that pySHACL would find no result at all,
    or only keys left out (``sh:minCount`` results with no value, which it then tells as
    pySHACL would), pySHACL is not run; otherwise (or when the shapes use a feature the
    checker does not compile) pySHACL validates the documents as it always did. Issues come
    in the order a person reads them (see :func:`_issue_order`), each fault once.

    Building a validator prepares pySHACL (:func:`registry.pyshacl_patch.prepare`): the
    fast checker and pySHACL's parameter index are used only with a pySHACL version they
    are proven against; with any other, one log line says so and pySHACL validates
    everything.

    :param vocabulary: the vocabulary whose terms tell known URNs.
    :param shapes: the shapes graph (the shipped ``shapes/*.ttl`` by default).
    :param pyshacl_version: the pySHACL version to judge (the installed one by default).
    """

    def __init__(
        self, vocabulary: Vocabulary | None = None, shapes: Graph | None = None, pyshacl_version: str | None = None
    ) -> None:
        self.vocabulary = vocabulary or get_vocabulary()
        self.shapes = _shapes_graph() if shapes is None else shapes
        self._term_types = list(self.vocabulary.term_types())
        #: The texts of IRIs already found storable (see :meth:`_unstorable`).
        self._storable_iris: set[str] = set()
        #: each shape's sh:message texts and severity, read once
        self._messages: dict[Node, list[str]] = {}
        self._severities: dict[Node, str] = {}
        #: The fast checker, or None when the shapes use what it does not support (or
        #: pySHACL is not a version it is proven against).
        self.fast: FastChecker | None = None
        #: Why there is no fast checker, when the shapes are why.
        self.fast_refused: ShapesUnsupported | None = None
        #: Whether pySHACL is a version the fast checker is proven against (else no fast checker).
        self.pyshacl_proven = prepare_pyshacl(pyshacl_version)
        if not self.pyshacl_proven:
            return
        try:
            self.fast = compile_shapes(self.shapes, self._term_types)
        except ShapesUnsupported as exc:
            self.fast_refused = exc
            logger.warning("SHACL shapes not compiled for the fast checker (pySHACL validates everything): %s", exc)

    def validate(self, documents: Document | Sequence[Document]) -> Report:
        """Validate documents in one SHACL run.

        :returns: every issue of every document; a document conforms when no issue of
            its own is a violation.
        """
        docs = [documents] if isinstance(documents, Document) else list(documents)
        report = Report()
        # Each entry's triples, read once: for the unstorable terms and the fast checker.
        triples: list[list[tuple[Node, Node, Node]]] = []
        for doc in docs:
            report.issues.extend(self._problem_issue(doc, p) for p in doc.problems)
            entries = {entry: list(entry_graph) for entry, entry_graph in doc.entries.items()}
            report.issues.extend(self._unstorable(doc, entries))
            triples.extend(entries.values())
        # The fast checker: no result at all, or only keys left out, which it tells itself
        # as pySHACL would; anything else (or nothing it can vouch for) goes to pySHACL.
        missing = self._fast_missing(triples) if self.fast is not None and any(triples) else None
        if missing is not None:
            # Every result is a recommended (or required) key left out: told as pySHACL tells it.
            owner = _Owners(docs)
            report.issues.extend(self._missing_issue(shape, focus, prop, owner.of(focus)) for shape, focus, prop in missing)
            report.issues.sort(key=_issue_order(docs))
            return report
        data = Graph(bind_namespaces="none")
        owner: dict[Node, Document] = {}
        for doc in docs:
            for entry_graph in doc.entries.values():
                for triple in entry_graph:
                    data.add(triple)
                    owner.setdefault(triple[0], doc)
        if len(data) == 0:
            report.issues.sort(key=_issue_order(docs))
            return report
        for triple in self._term_types:
            data.add(triple)
        try:
            _, results, _ = pyshacl.validate(
                data,
                shacl_graph=self.shapes,
                inference="none",
                advanced=True,
                inplace=True,
                allow_warnings=True,
            )
        except ReportableRuntimeError as exc:
            # pySHACL stops on data a constraint cannot judge (a blank node where a
            # number is compared): that data does not conform.
            report.issues.append(
                Issue(
                    severity="Violation",
                    message=f"the document cannot be validated: {exc.args[0] if exc.args else exc}",
                    source=docs[0].source if len(docs) == 1 else None,
                )
            )
            return report
        # Only the report's own results: nested sh:detail results restate them. One shape
        # failing two of its constraints on one value ("4" is no integer, nor at least 1)
        # is one fault, with the shape's one message: reported once.
        top = [r for report_node in results.subjects(RDF.type, SH.ValidationReport) for r in results.objects(report_node, SH.result)]
        seen: set[tuple[Node | None, ...]] = set()
        for result in top:
            key = tuple(results.value(result, p) for p in (SH.sourceShape, SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity))
            if key[0] is not None and not isinstance(key[0], BNode) and key in seen:
                continue
            seen.add(key)
            report.issues.append(self._result_issue(results, result, owner))
        report.issues.sort(key=_issue_order(docs))
        return report

    def _fast_missing(self, triples: list[list[tuple[Node, Node, Node]]]) -> list[tuple[Node, Node, Node]] | None:
        """The fast checker's results when each is a key left out (see
        :meth:`FastChecker.missing`), and each such shape has the one message pySHACL
        would give; else None, and pySHACL decides."""
        assert self.fast is not None
        try:
            found = self.fast.missing(triples)
        except Exception:  # noqa: BLE001 - pySHACL validates instead, as it always did
            logger.exception("the fast SHACL checker failed; pySHACL validates the documents")
            return None
        if found is None or any(len(self._shape_messages(shape)) != 1 for shape, _, _ in found):
            return None
        return found

    def _shape_messages(self, shape: Node) -> list[str]:
        found = self._messages.get(shape)
        if found is None:
            found = self._messages[shape] = [str(m) for m in self.shapes.objects(shape, SH.message)]
        return found

    def _missing_issue(self, shape: Node, focus: Node, prop: Node, doc: Document | None) -> Issue:
        """The issue of pySHACL's ``sh:minCount`` result for a focus node (of ``doc``)
        without any value of ``prop``, as :meth:`_result_issue` tells it."""
        severity = self._severities.get(shape)
        if severity is None:
            severity = self._severities[shape] = _SEVERITY.get(self.shapes.value(shape, SH.severity), "Violation")
        given = self.vocabulary.given_property.get(prop, prop) if isinstance(prop, URIRef) else None
        path, shown = self._json_location(doc, focus, given, None)
        return Issue(
            severity=severity,
            message=self._shape_messages(shape)[0],
            path=path,
            value=shown,
            shape=str(shape) if isinstance(shape, URIRef) else None,
            focus=str(focus) if isinstance(focus, URIRef) else None,
            property=str(given) if given is not None else None,
            source=doc.source if doc else None,
        )

    def _unstorable(self, doc: Document, entries: dict[URIRef, list[tuple[Node, Node, Node]]]) -> list[Issue]:
        """Terms no store can hold (an IRI with a space, a malformed language tag or
        datatype, a lone surrogate): violations, found before anything is stored.

        :param entries: each entry of ``doc`` with its triples.
        """
        issues: list[Issue] = []
        storable = self._storable_iris
        for entry, entry_triples in entries.items():
            for triple in entry_triples:
                for term in (entry, *triple):
                    # An IRI is storable or not by its text alone: each text is tried once.
                    text = str(term) if type(term) is URIRef else None
                    if text is not None and text in storable:
                        continue
                    try:
                        to_oxigraph(term)  # type: ignore[arg-type]  # rdflib types a triple's terms as Node
                    except InputError as exc:
                        issues.append(
                            Issue(
                                severity="Violation",
                                message=exc.message,
                                path=doc.paths.get(triple[0]),
                                focus=str(entry) if isinstance(entry, URIRef) else None,
                                source=doc.source,
                            )
                        )
                        break
                    if text is not None:
                        if len(storable) >= _STORABLE_IRIS:
                            storable.clear()
                        storable.add(text)
                if len(issues) >= _MAX_UNSTORABLE:
                    return issues
        return issues

    def _problem_issue(self, doc: Document, problem: Problem) -> Issue:
        return Issue(
            severity=problem.severity,
            message=problem.message,
            path=problem.path,
            value=problem.value,
            source=doc.source,
        )

    def _result_issue(self, results: Graph, result: Node, owner: dict[Node, Document]) -> Issue:
        focus = results.value(result, SH.focusNode)
        prop = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        shape = results.value(result, SH.sourceShape)
        severity = _SEVERITY.get(results.value(result, SH.resultSeverity), "Violation")
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        message = messages[0] if messages else "does not conform"
        if "{$value}" in message:  # SHACL's message template of the value at fault (pySHACL leaves it)
            message = message.replace("{$value}", str(value) if value is not None else "(none)")
        doc = owner.get(focus)
        given = self.vocabulary.given_property.get(prop, prop) if isinstance(prop, URIRef) else None
        path, shown = self._json_location(doc, focus, given, value)
        component = results.value(result, SH.sourceConstraintComponent)
        if component == SH.ClassConstraintComponent and isinstance(value, URIRef) and isinstance(shape, Node):
            cls = self.shapes.value(shape, SH["class"])
            if isinstance(cls, URIRef) and cls in self.vocabulary.taxonomy_classes:
                close = self.vocabulary.closest_terms(str(value), cls)
                if close:
                    message = message.rstrip()
                    message += ("" if message.endswith((".", "?", "!")) else ".") + f" Did you mean {' or '.join(close)}?"
        return Issue(
            severity=severity,
            message=message,
            path=path,
            value=shown,
            shape=str(shape) if isinstance(shape, URIRef) else None,
            focus=str(focus) if isinstance(focus, URIRef) else None,
            property=str(given) if given is not None else None,
            source=doc.source if doc else None,
        )

    def _json_location(
        self, doc: Document | None, focus: Node | None, prop: Node | None, value: Node | None
    ) -> tuple[str | None, Any]:
        shown = _python(value)
        if doc is None or focus is None or focus not in doc.paths:
            return None, shown
        base = doc.paths[focus]
        if not isinstance(prop, URIRef):
            return base, shown
        key = self.vocabulary.json_keys.get(prop)
        if key is None:
            return base, shown
        path = f"{base}.{key}"
        written = doc.objects.get(path)
        if value is not None and value in doc.paths:
            return doc.paths[value], None
        if isinstance(written, list) and value is not None:
            for i, item in enumerate(written):
                if item == shown or (isinstance(item, str) and item == str(value)):
                    return f"{path}[{i}]", item
        if path in doc.objects and not isinstance(written, (dict, list)):
            return path, written
        return path, shown


class _Owners:
    """Which document a node of a batch belongs to: an entry, or a node under its IRI
    (``urn:uuid:...#compute-resources-0``), found by its entry; any other node (a blank
    node of JSON-LD or Turtle) by the documents' triples, indexed when first asked."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self.docs = docs
        self.entries: dict[Node, Document] = {}
        for doc in docs:
            for entry in doc.entries:
                self.entries.setdefault(entry, doc)
        self.subjects: dict[Node, Document] | None = None

    def of(self, node: Node) -> Document | None:
        if isinstance(node, URIRef):
            found = self.entries.get(node) or self.entries.get(URIRef(str(node).partition("#")[0]))
            if found is not None:
                return found
        if self.subjects is None:
            self.subjects = {}
            for doc in self.docs:
                for entry_graph in doc.entries.values():
                    for subject in entry_graph.subjects(unique=True):
                        self.subjects.setdefault(subject, doc)
        return self.subjects.get(node)


_SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}
_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _issue_order(docs: Sequence[Document]) -> Callable[[Issue], tuple[Any, ...]]:
    """The key that orders issues as a person reads them: by document (in the order
    given), then JSON path in the document's own order (``platforms[9]`` before
    ``platforms[10]``, keys in the order the file writes them, keys it lacks after
    those), then severity, then message; the same order every run."""
    index = {}
    for i, doc in enumerate(docs):
        index.setdefault(doc.source, (i, doc))

    def path_key(doc: Document | None, path: str) -> tuple[tuple[int, str], ...]:
        parts: list[tuple[int, str]] = []
        here = ""
        for match in _PATH_PART.finditer(path):
            number, name = match.groups()
            parent = doc.objects.get(here) if doc is not None and here else None
            if number is not None:
                parts.append((int(number), ""))
                here += f"[{number}]"
                continue
            if isinstance(parent, dict):
                keys = list(parent)
                parts.append((keys.index(name) if name in keys else len(keys), name))
            else:
                parts.append((list(ENTRY_KEYS).index(name) if not here and name in ENTRY_KEYS else len(ENTRY_KEYS), name))
            here = f"{here}.{name}" if here else name
        return tuple(parts)

    def key(issue: Issue) -> tuple[Any, ...]:
        position, doc = index.get(issue.source or "", (len(index), None))
        return (
            position,
            issue.source or "",
            path_key(doc, issue.path) if issue.path else (),
            issue.focus or "",
            _SEVERITY_RANK.get(issue.severity, 3),
            issue.message,
            json.dumps(issue.value, sort_keys=True, default=str),
        )

    return key


def _python(value: Node | None) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal):
        python = value.toPython()
        if value.datatype == XSD.decimal:
            return float(python)
        return python if isinstance(python, (int, float, str, bool)) else str(value)
    return str(value)


@cache
def get_validator() -> Validator:
    """The validator for the shipped shapes, built once per process."""
    return Validator()


def validate_file(path: Path) -> Report:
    """Read and validate one file.

    :raises OSError: when the file cannot be read.
    :raises InputError: when it is not well-formed JSON, JSON-LD or Turtle.
    """
    return get_validator().validate(load_path(path))


def validate_documents(documents: Iterable[Document]) -> Report:
    """Validate several documents in one run with the shipped shapes."""
    return get_validator().validate(list(documents))
