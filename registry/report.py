"""Validation reports: each thing validation (or reading) found, told in the user's own
terms (the JSON path and value they wrote, and the shape's message), and the report of
one or more documents as text, JSON or a SHACL validation report in RDF.

:mod:`registry.validation` makes them; :class:`registry.errors.ValidationFailed` carries
one; the CLI and the web layer print them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef

from registry.vocabulary import ESAP

__all__ = ["SEVERITY", "Issue", "Report"]

#: A SHACL severity -> its name in an :class:`Issue`.
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_IRI = {v: k for k, v in SEVERITY.items()}


@dataclass(frozen=True)
class Issue:
    """One thing validation found, told as the user wrote it.

    :param severity: ``Violation`` (the document is refused), ``Warning`` or ``Info``.
    :param message: what is wrong, in plain words.
    :param path: the JSON path of the offending key or value in the user's file, when the input was a manifest.
    :param value: the offending value as the user wrote it.
    :param shape: the IRI of the SHACL shape that reported it (None for faults found while reading).
    :param focus: the IRI of the node the issue is about.
    :param property: the IRI of the property the issue is about.
    :param source: the file (or request) the document came from.
    """

    severity: str
    message: str
    path: str | None = None
    value: Any = None
    shape: str | None = None
    focus: str | None = None
    property: str | None = None
    source: str | None = None

    def where(self) -> str:
        """``file: path`` or ``file: <node> property`` for messages."""
        place = self.path or " ".join(p for p in (self.focus, self.property) if p)
        return f"{self.source}: {place}" if self.source else place


@dataclass
class Report:
    """The outcome of validating one or more documents."""

    issues: list[Issue] = field(default_factory=list)

    @property
    def violations(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "Violation"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings do not stop a document)."""
        return not self.violations

    def extend(self, other: Report) -> None:
        self.issues.extend(other.issues)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON (``--format json`` and the API's 422 body)."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "issues": [{k: v for k, v in asdict(issue).items()} for issue in self.issues],
        }

    def to_text(self) -> str:
        """The report for people, one issue a line."""
        lines = []
        for issue in self.issues:
            value = f" (value: {json.dumps(issue.value, ensure_ascii=False)})" if issue.value is not None else ""
            lines.append(f"{issue.severity.lower()}: {issue.where()}: {issue.message}{value}")
        lines.append(
            ("conforms" if self.conforms else "does not conform")
            + f": {len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        )
        return "\n".join(lines)

    def to_graph(self) -> Graph:
        """The report as a SHACL validation report in RDF, with each result's JSON path."""
        graph = Graph()
        graph.bind("sh", SH)
        graph.bind("esap", ESAP)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for issue in self.issues:
            result = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            graph.add((result, SH.resultSeverity, _SEVERITY_IRI[issue.severity]))
            graph.add((result, SH.resultMessage, Literal(issue.message)))
            if issue.focus:
                graph.add((result, SH.focusNode, URIRef(issue.focus)))
            if issue.property:
                graph.add((result, SH.resultPath, URIRef(issue.property)))
            if issue.shape:
                graph.add((result, SH.sourceShape, URIRef(issue.shape)))
            if issue.value is not None:
                graph.add((result, SH.value, Literal(json.dumps(issue.value, ensure_ascii=False))))
            if issue.path:
                graph.add((result, ESAP.jsonPath, Literal(issue.path)))
            if issue.source:
                graph.add((result, ESAP.source, Literal(issue.source)))
        return graph
