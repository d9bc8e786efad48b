"""Formats out: the registry's RDF back to the manifest JSON ESAP reads at the
known location, to JSON-LD, and to Turtle or TriG.

The manifest JSON is rebuilt from the values as the user gave them (a size
written ``"5TB"`` comes back as ``"5TB"``), through the inverse of the same
JSON-LD context that read it; canonical numbers and types, which the registry
derives, are left out. Lists of objects keep their order (their IRIs carry
their position); lists of terms are sets and come back sorted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from typing import Any

from rdflib import RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from registry.vocabulary import ESAP, Vocabulary

__all__ = ["Exporter", "entry_key_order"]

#: Keys written first, in this order; the rest follow in the context's order.
entry_key_order = ["uuid", "type", "title", "description", "url", "location"]

_CLASS_TERMS = {"Executable": "executables", "Platform": "platforms", "Dataset": "datasets"}


def _natural(node: Node) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(node))]


class Exporter:
    """Writes entries out in the formats users read.

    :param vocabulary: the vocabulary whose context defines the JSON keys.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.context = vocabulary.context

    @cached_property
    def _order(self) -> dict[str, int]:
        keys = list(entry_key_order)
        for name, definition in self.context.items():
            if isinstance(definition, dict) and "@context" in definition:
                keys += [k for k in definition["@context"] if k not in keys]
            elif not name.startswith("@") and name not in keys:
                keys.append(name)
        return {k: i for i, k in enumerate(keys)}

    def _scope(self, class_term: str | None) -> dict[URIRef, tuple[str, dict[str, Any]]]:
        terms: dict[str, Any] = {k: v for k, v in self.context.items() if not k.startswith("@") and not k[:1].isupper()}
        if class_term and isinstance(self.context.get(class_term), dict):
            terms.update(self.context[class_term].get("@context", {}))
        inverse: dict[URIRef, tuple[str, dict[str, Any]]] = {}
        for key, definition in terms.items():
            iri = definition if isinstance(definition, str) else definition.get("@id", "")
            if ":" in iri and not iri.startswith("http"):
                inverse[self.vocabulary.expand(iri)] = (key, definition if isinstance(definition, dict) else {})
        return inverse

    @cached_property
    def _class_terms(self) -> dict[URIRef, str]:
        result: dict[URIRef, str] = {}
        for name, definition in self.context.items():
            if name[:1].isupper():
                iri = definition if isinstance(definition, str) else definition.get("@id", "")
                result[self.vocabulary.expand(iri)] = name
        return result

    # -- manifest JSON and JSON-LD -------------------------------------------

    def entry(self, graph: Graph, entry: URIRef, *, jsonld: bool = False) -> dict[str, Any]:
        """One entry as a manifest object (with ``@id`` and ``@type`` when ``jsonld``)."""
        types = [t for t in graph.objects(entry, RDF.type) if t in self._class_terms]
        class_term = next((self._class_terms[t] for t in types if self._class_terms[t] in _CLASS_TERMS), None)
        return self._node(graph, entry, class_term, jsonld, seen=set())

    def _node(self, graph: Graph, node: Node, class_term: str | None, jsonld: bool, seen: set[Node]) -> dict[str, Any]:
        seen = seen | {node}
        scope = self._scope(class_term)
        result: dict[str, Any] = {}
        if jsonld:
            if isinstance(node, URIRef):
                result["@id"] = str(node)
            types = sorted(self._class_terms.get(t, str(t)) for t in graph.objects(node, RDF.type))
            if types:
                result["@type"] = types[0] if len(types) == 1 else types
        grouped: dict[str, tuple[dict[str, Any], list[Node]]] = {}
        for prop, value in graph.predicate_objects(node):
            if prop == RDF.type or prop in self.vocabulary.given_property:
                continue
            if prop not in scope:
                continue
            key, definition = scope[prop]
            grouped.setdefault(key, (definition, []))[1].append(value)
        for prop in graph.objects(node, ESAP.emptyList):  # a list given empty comes back empty
            if prop in scope and scope[prop][0] not in grouped:
                grouped[scope[prop][0]] = (scope[prop][1], [])
        for key in sorted(grouped, key=lambda k: self._order.get(k, len(self._order))):
            definition, values = grouped[key]
            if not values:
                result[key] = []
                continue
            converted = [self._value(graph, v, definition, jsonld, seen) for v in self._sorted(graph, values)]
            if definition.get("@container") == "@set" or len(converted) > 1:
                result[key] = converted
            else:
                result[key] = converted[0]
        return result

    def _sorted(self, graph: Graph, values: list[Node]) -> list[Node]:
        if all(isinstance(v, URIRef) for v in values):
            return sorted(values, key=_natural)
        if all(isinstance(v, Literal) for v in values):
            return sorted(values, key=str)
        return sorted(values, key=lambda v: (0, _natural(v)) if isinstance(v, URIRef) else (1, repr(sorted(graph.predicate_objects(v)))))

    def _value(self, graph: Graph, value: Node, definition: dict[str, Any], jsonld: bool, seen: set[Node]) -> Any:
        if isinstance(value, Literal):
            return _literal(value)
        if definition.get("@type") == "@id" or (isinstance(value, URIRef) and not any(graph.predicate_objects(value))):
            return str(value)
        if value in seen:
            return {"@id": str(value)} if jsonld else str(value)
        # A nested object's keys are those of its class's context (an access's "type").
        class_term = next((self._class_terms[t] for t in graph.objects(value, RDF.type) if t in self._class_terms), None)
        return self._node(graph, value, class_term, jsonld, seen)

    def manifest(self, entries: Iterable[tuple[URIRef, URIRef, Graph]], *, jsonld: bool = False) -> dict[str, Any]:
        """A whole manifest from ``(entry, kind, graph)`` triples, in the order given.

        Keys ``executables``, ``platforms`` and ``datasets`` appear only when there are such entries,
        except that an empty registry gives ``{"executables": []}``.
        """
        result: dict[str, Any] = {}
        if jsonld:
            result["@context"] = copy.deepcopy(self.context)
        for entry, kind, graph in entries:
            key = _CLASS_TERMS[self._class_terms[kind]]
            result.setdefault(key, []).append(self.entry(graph, entry, jsonld=jsonld))
        if not any(k in result for k in _CLASS_TERMS.values()):
            result["executables"] = []
        return result

    # -- RDF ---------------------------------------------------------------

    def graph(self, graphs: Iterable[Graph]) -> Graph:
        """Every entry's triples in one graph, with the usual prefixes bound."""
        merged = Graph()
        self._bind(merged)
        for graph in graphs:
            for triple in graph:
                merged.add(triple)
        return merged

    def dataset(self, graphs: Iterable[tuple[URIRef, Graph]]) -> Dataset:
        """Every entry in its named graph."""
        dataset = Dataset()
        self._bind(dataset)
        for name, graph in graphs:
            target = dataset.graph(name)
            for triple in graph:
                target.add(triple)
        return dataset

    def _bind(self, graph: Graph) -> None:
        graph.bind("esap", ESAP)
        graph.bind("xsd", XSD)


def _literal(value: Literal) -> Any:
    python = value.toPython()
    if isinstance(python, bool):
        return python
    if isinstance(python, Decimal):
        return int(python) if python == python.to_integral_value() else float(python)
    if isinstance(python, (int, float, str)):
        return python
    return str(value)
