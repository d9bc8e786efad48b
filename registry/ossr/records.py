"""Software records and the executables they provide, as documents the registry stores.

A software record is read from a ``codemeta.json``, a Zenodo record, or both
(a Zenodo record and the ``codemeta.json`` deposited with it). It is stored in a
named graph of its own, named by its IRI ``urn:uuid:<uuid5>``: the version 5
UUID, in :data:`RECORD_NAMESPACE`, of its identifier as a URL (its concept DOI, else its
DOI, else its code repository; see :func:`record_identifier`). Importing the
same software again therefore replaces its record.

Its executables come from, in this order:

1. an ``esap-executables.json`` published with the software: a manifest in the
   seed format (``{"executables": [...]}``) at the root of its repository, or
   among the files of its Zenodo record;
2. else ESAP's rule: ``jupyter-notebook`` among its keywords gives one notebook
   executable (``urn:types/jupyter-notebook``) located at its code repository,
   whose uuid is the version 5 UUID of that repository URL, so that importing it
   again replaces it. CodeMeta's free-text ``memoryRequirements``,
   ``processorRequirements`` and ``storageRequirements`` become its
   ``minmemory``, ``mincores`` and ``minsize`` where they read as quantities
   (``"2GB"``, ``"4 cores"``, ``"500MB"``); otherwise they stay as text on the record.

Each executable is an ordinary entry in its own named graph, checked by the
same shapes as any manifest's, plus ``esap:providedBy`` its record; the record
says ``esap:provides`` each of them.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from registry.errors import OssrError, UnitError
from registry.ossr.codemeta import SCHEMA, read_codemeta
from registry.ossr.zenodo import ZenodoRecord, is_zenodo_record, normalise_doi, read_zenodo
from registry.readers import load_document
from registry.readers.model import Document, Problem
from registry.units import parse_count, parse_data_size
from registry.vocabulary import ESAP, Vocabulary, get_vocabulary

__all__ = [
    "EXECUTABLES_FILE",
    "NOTEBOOK_KEYWORD",
    "NOTEBOOK_TYPE",
    "RECORD_NAMESPACE",
    "RecordDocuments",
    "build_record",
    "notebook_uuid",
    "record_identifier",
    "record_iri",
]

#: The name of the seed-format list of executables published with the software.
EXECUTABLES_FILE = "esap-executables.json"
#: The CodeMeta keyword by which ESAP recognises software that is a notebook.
NOTEBOOK_KEYWORD = "jupyter-notebook"
#: The executable type of the notebooks ESAP's rule derives.
NOTEBOOK_TYPE = "urn:types/jupyter-notebook"

#: The namespace of the name-based UUIDs of software records: the version 5 UUID, in the
#: URL namespace, of the IRI of the class esap:SoftwareRecord.
RECORD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://w3id.org/esap-registry/vocab#SoftwareRecord")

_CORES = re.compile(r"^\s*([0-9]+)\s*(?:cores?|cpus?|vcpus?|processors?|threads?)?\s*$", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def _normalise_repository(url: str) -> str:
    text = url.strip().rstrip("/")
    return text[:-4] if text.endswith(".git") else text


def record_identifier(*, zenodo: dict[str, Any] | None, codemeta: dict[str, Any] | None, source: str) -> str:
    """The URL a software record is named by: ``https://doi.org/`` and the Zenodo concept
    DOI, else the Zenodo DOI, else the DOI among the CodeMeta ``identifier``\\ s, else the
    CodeMeta ``codeRepository`` (without a trailing slash or ``.git``).

    :raises OssrError: when there is none of these.
    """
    if zenodo is not None:
        metadata = zenodo.get("metadata") if isinstance(zenodo.get("metadata"), dict) else {}
        for value in (zenodo.get("conceptdoi"), zenodo.get("doi"), metadata.get("doi")):
            doi = normalise_doi(value)
            if doi:
                return "https://doi.org/" + doi
    if codemeta is not None:
        for value in _identifiers(codemeta.get("identifier")):
            doi = normalise_doi(value)
            if doi:
                return "https://doi.org/" + doi
        repository = _first_string(codemeta.get("codeRepository"))
        if repository:
            return _normalise_repository(repository)
    raise OssrError(
        "the record cannot be named: give its DOI (CodeMeta identifier) or its codeRepository",
        source=source,
        json_path="identifier",
    )


def record_iri(identifier: str) -> URIRef:
    """The IRI (and graph name) of the record with this identifier URL: ``urn:uuid:`` and
    the version 5 UUID of the URL in :data:`RECORD_NAMESPACE` (not the URL namespace, so
    that a record named by its repository never takes the IRI of the notebook derived
    from that same repository)."""
    return URIRef(f"urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, identifier)}")


def notebook_uuid(repository: str) -> str:
    """The uuid of the notebook executable ESAP's rule derives for a repository URL."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, _normalise_repository(repository)))


def _identifiers(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _identifiers(item)
    elif isinstance(value, dict):
        for key in ("@id", "value", "url", "identifier"):
            if isinstance(value.get(key), str):
                yield value[key]


def _first_string(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list):
        return next((v.strip() for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict) and isinstance(value.get("@id"), str):
        return value["@id"].strip()
    return None


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        return [k for item in value for k in _keywords(item)]
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return [value["name"].strip()]
    return []


def _plain(text: str | None) -> str | None:
    if text is None:
        return None
    plain = re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", text))).strip()
    return plain or None


@dataclass
class RecordDocuments:
    """One software record ready to be validated and stored.

    :param record: the record's IRI (also its graph's name).
    :param identifier: the URL its IRI is derived from.
    :param documents: the record's document first, then the document of its executables (if any).
    :param derived: how its executables were found: ``esap-executables.json``, ``keywords`` or None.
    """

    record: URIRef
    identifier: str
    documents: list[Document] = field(default_factory=list)
    derived: str | None = None

    @property
    def executables(self) -> list[URIRef]:
        """The IRIs of the executables the record provides."""
        return [e for doc in self.documents for e in doc.executables()]

    def merged(self) -> Document:
        """Everything as one document (for the registry's plain ``validate`` and ``ingest``)."""
        first, *rest = self.documents
        for doc in rest:
            for triple in doc.graph:
                first.graph.add(triple)
            first.entries.update(doc.entries)
            first.kinds.update(doc.kinds)
            first.paths.update(doc.paths)
            first.objects.update(doc.objects)
            first.problems.extend(doc.problems)
        self.documents = [first]
        return first


def build_record(
    *,
    source: str,
    codemeta: Any = None,
    zenodo: Any = None,
    executables: Any = None,
    executables_source: str | None = None,
    notes: Sequence[Problem] = (),
    vocabulary: Vocabulary | None = None,
) -> RecordDocuments:
    """Turn a ``codemeta.json``, a Zenodo record, or both, into a record and its executables.

    :param source: the name of the input, for messages.
    :param codemeta: the parsed ``codemeta.json``, if any.
    :param zenodo: the parsed Zenodo record, if any.
    :param executables: the parsed ``esap-executables.json`` published with the software, if any.
    :param executables_source: where that came from.
    :param notes: problems found while fetching it, reported with the record's own.
    :raises OssrError: when an input cannot be read as what it should be.
    """
    if codemeta is None and zenodo is None:
        raise OssrError("nothing to import: give a codemeta.json or a Zenodo record", source=source)
    if zenodo is not None and not is_zenodo_record(zenodo):
        raise OssrError("not a Zenodo record: expected id, doi and metadata", source=source, json_path="$")
    if codemeta is not None and not isinstance(codemeta, dict):
        raise OssrError("a codemeta.json is a JSON object", source=source, json_path="$")
    vocabulary = vocabulary or get_vocabulary()
    identifier = record_identifier(zenodo=zenodo, codemeta=codemeta, source=source)
    record = record_iri(identifier)
    graph = Graph()
    problems: list[Problem] = list(notes)
    paths: dict[Node, str] = {record: "$"}
    z: ZenodoRecord | None = None
    if codemeta is not None:
        read = read_codemeta(codemeta, source=source, record=record)
        graph += read.graph
        problems += read.problems
    if zenodo is not None:
        z = read_zenodo(zenodo, source=source, record=record)
        _add_zenodo(graph, record, z.graph, has_codemeta=codemeta is not None)
        problems += z.problems
        paths.update(z.paths)
    graph.add((record, ESAP.recordIdentifier, Literal(identifier, datatype=XSD.anyURI)))
    if codemeta is not None and zenodo is None:
        for value in _identifiers(codemeta.get("identifier")):
            doi = normalise_doi(value)
            if doi:
                graph.add((record, ESAP.doi, Literal(doi)))
                break
    record_doc = Document(
        source=source,
        format="codemeta" if codemeta is not None else "zenodo",
        graph=graph,
        entries={record: graph},
        kinds={record: ESAP.SoftwareRecord},
        paths=paths,
        problems=problems,
    )
    result = RecordDocuments(record=record, identifier=identifier, documents=[record_doc])
    facts = _facts(codemeta, z)
    if executables is not None:
        doc = _seed_executables(executables, executables_source or f"{source} ({EXECUTABLES_FILE})", vocabulary)
        result.derived = EXECUTABLES_FILE
    else:
        manifest = _notebook_rule(facts, problems)
        if manifest is None:
            return result
        doc = load_document(
            _dumps(manifest), source=source, format="json", vocabulary=vocabulary
        )
        _rename_paths(doc, "executables", "derived-executables")
        result.derived = "keywords"
    for entry in doc.executables():
        doc.entries[entry].add((entry, ESAP.providedBy, record))
        doc.graph.add((entry, ESAP.providedBy, record))
        graph.add((record, ESAP.provides, entry))
    result.documents.append(doc)
    return result


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _add_zenodo(graph: Graph, record: URIRef, zenodo: Graph, *, has_codemeta: bool) -> None:
    """Add what Zenodo says; where the codemeta.json already says something, it wins."""
    if not has_codemeta:
        graph += zenodo
        return
    said = set(graph.predicates(record, None))
    author = URIRef(SCHEMA + "author")
    skipped: set[Node] = set()
    if author in said:
        for head in zenodo.objects(record, author):
            skipped |= _owned(zenodo, head)
    typed = any(t != ESAP.SoftwareRecord for t in graph.objects(record, RDF.type))
    for s, p, o in zenodo:
        if s in skipped:
            continue
        if s == record and p == RDF.type and o != ESAP.SoftwareRecord and typed:
            continue
        if s == record and p != RDF.type and p in said and not str(p).startswith(str(ESAP)):
            continue
        graph.add((s, p, o))


def _owned(graph: Graph, start: Node) -> set[Node]:
    """The nodes reachable from ``start`` (a list of creators, its people, their affiliations)."""
    seen: set[Node] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if node in seen or isinstance(node, Literal):
            continue
        seen.add(node)
        todo.extend(o for p, o in graph.predicate_objects(node) if p != RDF.type)
    return seen


@dataclass
class _Facts:
    name: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    repository: str | None = None
    fallback_repository: str | None = None
    memory: Any = None
    processor: Any = None
    storage: Any = None


def _facts(codemeta: dict[str, Any] | None, zenodo: ZenodoRecord | None) -> _Facts:
    facts = _Facts()
    if codemeta is not None:
        facts.name = _first_string(codemeta.get("name")) or _first_string(codemeta.get("title"))
        description = codemeta.get("description")
        facts.description = description.strip() if isinstance(description, str) and description.strip() else None
        facts.keywords = _keywords(codemeta.get("keywords", codemeta.get("controlledTerms")))
        facts.repository = _first_string(codemeta.get("codeRepository"))
        facts.memory = codemeta.get("memoryRequirements")
        facts.processor = codemeta.get("processorRequirements")
        facts.storage = codemeta.get("storageRequirements")
    if zenodo is not None:
        facts.name = facts.name or zenodo.title
        facts.description = facts.description or zenodo.description
        facts.keywords = facts.keywords + [k for k in zenodo.keywords if k not in facts.keywords]
        doi = zenodo.concept_doi or zenodo.doi
        facts.fallback_repository = "https://doi.org/" + doi if doi else None
    return facts


def _notebook_rule(facts: _Facts, problems: list[Problem]) -> dict[str, Any] | None:
    """ESAP's rule: a notebook executable when the keywords include jupyter-notebook."""
    if not any(k.strip().lower() == NOTEBOOK_KEYWORD for k in facts.keywords):
        return None
    repository = facts.repository or facts.fallback_repository
    if repository is None:
        problems.append(
            Problem(
                f"the keywords include {NOTEBOOK_KEYWORD} but there is no codeRepository (nor a DOI) to launch it from: "
                "no executable is derived",
                "codeRepository",
                None,
                "Warning",
            )
        )
        return None
    executable: dict[str, Any] = {
        "uuid": notebook_uuid(repository),
        "type": NOTEBOOK_TYPE,
        "title": facts.name or repository,
    }
    description = _plain(facts.description)
    if description:
        executable["description"] = description
    executable["location"] = {"repository": _normalise_repository(repository)}
    compute: dict[str, Any] = {}
    cores = _cores(facts.processor, problems)
    if cores is not None:
        compute["mincores"] = cores
    memory = _size(facts.memory, "memoryRequirements", problems)
    if memory is not None:
        compute["minmemory"] = memory
    if compute:
        executable["compute-resources"] = [compute]
    storage = _size(facts.storage, "storageRequirements", problems)
    if storage is not None:
        executable["storage-resources"] = [{"minsize": storage}]
    return {"executables": [executable]}


def _size(value: Any, key: str, problems: list[Problem]) -> Any:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, str)):
        try:
            if parse_data_size(value) > 0:
                return value
        except UnitError:
            pass
    problems.append(
        Problem(f"{key} {value!r} is not a size such as 2GB: it stays as text on the record", key, value, "Info")
    )
    return None


def _cores(value: Any, problems: list[Problem]) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and _CORES.match(value):
        try:
            count = parse_count(_CORES.match(value).group(1))  # type: ignore[union-attr]
        except UnitError:
            count = 0
        if count > 0:
            return count
    problems.append(
        Problem(
            f"processorRequirements {value!r} is not a number of cores such as '4 cores': it stays as text on the record",
            "processorRequirements",
            value,
            "Info",
        )
    )
    return None


def _seed_executables(tree: Any, source: str, vocabulary: Vocabulary) -> Document:
    """The seed-format manifest published with the software, read like any manifest.

    :raises OssrError: when it is not a manifest of executables.
    """
    if not isinstance(tree, dict) or "executables" not in tree:
        raise OssrError(
            f'{EXECUTABLES_FILE} must be a manifest {{"executables": [...]}} in the seed format', source=source, json_path="$"
        )
    doc = load_document(_dumps(tree), source=source, format="json", vocabulary=vocabulary)
    if doc.platforms():
        doc.problems.append(Problem(f"{EXECUTABLES_FILE} lists platforms: it may list executables only", "platforms"))
    if doc.datasets():
        doc.problems.append(Problem(f"{EXECUTABLES_FILE} lists data sets: it may list executables only", "datasets"))
    return doc


def _rename_paths(doc: Document, old: str, new: str) -> None:
    def rename(path: str | None) -> str | None:
        return new + path[len(old):] if path is not None and path.startswith(old) else path

    doc.paths = {node: rename(path) or path for node, path in doc.paths.items()}
    doc.objects = {rename(path) or path: value for path, value in doc.objects.items()}
    doc.problems = [Problem(p.message, rename(p.path), p.value, p.severity) for p in doc.problems]
