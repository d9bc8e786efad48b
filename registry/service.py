"""The registry itself: documents validated, stored, exported and deleted, on any store.

Core code: it raises the registry's own errors (:mod:`registry.errors`) and
knows nothing of HTTP or exit codes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef

import registry.ossr  # noqa: F401 - registers the reader of software records (codemeta.json, Zenodo)
from registry import needindex, planindex
from registry.errors import InputError, NotFound, QueryError, StoreError, ValidationFailed
from registry.export import Exporter
from registry.readers import Document, entry_iri, load_document, load_path
from registry.report import Issue, Report
from registry.resources import load_query
from registry.runtime import collector_paused
from registry.sparql import check_update, run_query
from registry.store import QueryResult, Solutions, Store
from registry.validation import Validator, get_validator
from registry.vocabulary import ESAP, SHAPES_GRAPH, VOCABULARY_GRAPH, Vocabulary, get_vocabulary

__all__ = ["BatchResult", "EntrySummary", "IngestResult", "Registry", "UpdateResult", "find_files"]

RDF_TYPE = RDF.type

#: File endings ingested from a directory.
INPUT_SUFFIXES = (".json", ".jsonld", ".yaml", ".yml", ".ttl", ".nt")


@dataclass(frozen=True)
class EntrySummary:
    """One line of the registry's listing."""

    iri: str
    kind: str  # "executable", "platform" or "dataset"
    uuid: str
    title: str | None
    type: str | None


@dataclass
class IngestResult:
    """What one atomic ingest stored."""

    executables: list[URIRef] = field(default_factory=list)
    platforms: list[URIRef] = field(default_factory=list)
    replaced: list[URIRef] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    records: list[URIRef] = field(default_factory=list)
    datasets: list[URIRef] = field(default_factory=list)
    #: the software records among ``records`` the registry held already
    replaced_records: list[URIRef] = field(default_factory=list)
    #: executables a software record of the ingest provided before and no longer does,
    #: removed in the same atomic step
    removed: list[URIRef] = field(default_factory=list)


@dataclass
class UpdateResult:
    """What a SPARQL Update changed (:meth:`Registry.update`)."""

    #: the entries' graphs it changed, validated and stored
    entries: list[URIRef] = field(default_factory=list)
    #: other graphs it changed (written as the update left them)
    graphs: list[URIRef] = field(default_factory=list)
    #: graphs it emptied (dropped)
    dropped: list[URIRef] = field(default_factory=list)
    report: Report = field(default_factory=Report)


@dataclass
class BatchResult:
    """What ingesting many files did: each file is stored whole or not at all."""

    files: int = 0
    stored_files: int = 0
    executables: int = 0
    platforms: int = 0
    replaced: int = 0
    records: int = 0
    datasets: int = 0
    #: executables removed because a software record stored no longer provides them
    removed: int = 0
    rejected: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, result: IngestResult) -> None:
        """Count one file (or record) stored whole."""
        self.stored_files += 1
        self.executables += len(result.executables)
        self.platforms += len(result.platforms)
        self.records += len(result.records)
        self.datasets += len(result.datasets)
        self.replaced += len(result.replaced)
        self.removed += len(result.removed)
        self.issues.extend(result.report.warnings)

    def summary(self) -> str:
        rate = (self.executables + self.platforms + self.datasets) / self.seconds if self.seconds else 0.0
        text = (
            f"{self.stored_files} of {self.files} file(s) stored: {self.executables} executable(s), "
            f"{self.platforms} platform(s) ({self.replaced} replaced) in {self.seconds:.2f} s ({rate:.0f} entries/s)"
        )
        if self.datasets:
            text += f"; {self.datasets} data set(s)"
        if self.records:
            text += f"; {self.records} software record(s)"
        if self.rejected:
            text += f"; {len(self.rejected)} file(s) rejected, nothing of them stored"
        return text


#: The entry classes, the kind names the listing uses for them, and each one's list in an IngestResult.
_KIND_NAMES = {ESAP.Executable: "executable", ESAP.Platform: "platform", ESAP.Dataset: "dataset"}
_KIND_CLASSES = {name: cls for cls, name in _KIND_NAMES.items()}
_KIND_LISTS: dict[URIRef, Callable[[IngestResult], list[URIRef]]] = {
    ESAP.Executable: lambda r: r.executables,
    ESAP.Platform: lambda r: r.platforms,
    ESAP.Dataset: lambda r: r.datasets,
}


class Registry:
    """The registry on a store.

    :param store: where entries are kept.
    :param vocabulary: the vocabulary (the shipped one by default).
    :param validator: the validator (the shipped shapes by default).
    """

    def __init__(self, store: Store, vocabulary: Vocabulary | None = None, validator: Validator | None = None) -> None:
        self.store = store
        self.vocabulary = vocabulary or get_vocabulary()
        self.validator = validator or get_validator()
        self.exporter = Exporter(self.vocabulary)
        self._prepared = False
        planindex.watch(store)
        needindex.watch(store)

    # -- the vocabulary graph ------------------------------------------------

    def prepare(self) -> bool:
        """Load the vocabulary, its closure and the shapes into their own named graphs,
        unless the store already holds this version.

        :returns: True when the vocabulary was (re)loaded.
        """
        if self._prepared:
            if planindex.stale(self.store):
                planindex.ensure(self.store)
            return False
        self._prepared = True
        current = self.store.query(
            load_query("vocabulary-version"),
            {"graph": VOCABULARY_GRAPH, "version": Literal(self.vocabulary.version)},
        )
        if current:
            planindex.ensure(self.store)
            return False
        self.store.replace_graphs({VOCABULARY_GRAPH: self.vocabulary.closure(), SHAPES_GRAPH: self.validator.shapes})
        planindex.ensure(self.store)
        return True

    # -- validating and storing ----------------------------------------------

    def validate(self, documents: Document | Sequence[Document]) -> Report:
        """Validate without storing."""
        return self.validator.validate(documents)

    def ingest(self, documents: Document | Sequence[Document]) -> IngestResult:
        """Validate documents and store all their entries in one atomic step: the write
        path of every document the registry stores (files, web requests, the OSSR import).

        Each entry replaces whatever the registry held under its IRI; the executables a
        software record among them provided before and no longer does are removed in the
        same step.

        :raises ValidationFailed: when any document has a violation; nothing is stored.
        :raises StoreError: when the store fails; nothing is stored.
        """
        docs = [documents] if isinstance(documents, Document) else list(documents)
        with collector_paused():
            return self._ingest(docs)

    def _ingest(self, docs: list[Document]) -> IngestResult:
        report = self.validate(docs)
        if not report.conforms:
            raise ValidationFailed(report)
        self.prepare()
        graphs: dict[URIRef, Graph] = {}
        result = IngestResult(report=report)
        for doc in docs:
            for entry, graph in doc.entries.items():
                graphs[entry] = graph
                kind = doc.kinds[entry]
                _KIND_LISTS.get(kind, lambda r: r.records)(result).append(entry)
        result.replaced = self._held(list(graphs))
        for record in result.records:
            present, provided = self._provided(record)
            if present:
                result.replaced_records.append(record)
            for executable in provided:
                if executable not in graphs:
                    result.removed.append(executable)
                    graphs[executable] = Graph()
        self.store.replace_graphs(graphs)
        return result

    def _provided(self, record: URIRef) -> tuple[bool, list[URIRef]]:
        """Whether the registry holds a software record, and the executables it provides there.

        :raises StoreError: when the store fails.
        """
        solutions = self.store.query(load_query("record-executables"), {"record": record})
        assert isinstance(solutions, Solutions)
        present = any(row["present"] is not None for row in solutions)
        return present, sorted({URIRef(str(e)) for e in solutions.values("executable") if e is not None})

    def _held(self, entries: list[URIRef]) -> list[URIRef]:
        """The entries among ``entries`` the registry holds already, in their order: one
        query, whose dataset's named graphs are the entries.

        :raises StoreError: when the store fails.
        """
        if not entries:
            return []
        solutions = self.store.query(load_query("replaced-entries"), named_graphs=entries)
        assert isinstance(solutions, Solutions)
        held = set(solutions.values("entry"))
        return [e for e in entries if e in held]

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        progress: Callable[[Path], None] | None = None,
        max_bytes: int | None = None,
    ) -> BatchResult:
        """Ingest files one by one, each whole or not at all; a bad file never stops the batch.

        :param progress: called after each file.
        :param max_bytes: the largest file read (a larger one is rejected unread); ``None`` for no limit.
        :raises StoreError: when the store fails; the files before it are stored, the one
            being stored is not, and the batch stops.
        """
        batch = BatchResult()
        started = time.perf_counter()
        for path in paths:
            batch.files += 1
            try:
                result = self.ingest(load_path(path, vocabulary=self.vocabulary, max_bytes=max_bytes))
            except ValidationFailed as exc:
                batch.rejected[str(path)] = str(exc)
                batch.issues.extend(exc.report.issues)
            except InputError as exc:
                batch.rejected[str(path)] = str(exc)
            except StoreError as exc:
                # The store itself failed (a full disk, a read-only directory): the batch stops.
                raise type(exc)(
                    f"{exc} (while storing {path}, nothing of it was stored; "
                    f"{batch.stored_files} earlier file(s) were stored whole)"
                ) from exc
            except OSError as exc:
                batch.rejected[str(path)] = f"{path}: {exc.strerror or exc}"
                batch.unreadable.append(str(path))
            else:
                batch.add(result)
            if progress:
                progress(path)
        batch.seconds = time.perf_counter() - started
        return batch

    # -- reading -------------------------------------------------------------

    def resolve(self, identifier: str) -> tuple[URIRef, URIRef]:
        """The IRI and kind of the entry with this uuid (or ``urn:uuid:`` IRI).

        :raises InputError: when the identifier is not a UUID.
        :raises NotFound: when there is no such entry.
        """
        text = identifier.strip()
        iri = entry_iri(text.removeprefix("urn:uuid:"))
        solutions = self.store.query(load_query("entry-kind"), {"entry": iri})
        assert isinstance(solutions, Solutions)
        if not solutions.rows:
            raise NotFound(text, "executable, platform or data set")
        return iri, URIRef(solutions.values("kind")[0])

    def entries(self, kind: URIRef | None = None) -> list[EntrySummary]:
        """Every entry, in uuid order (optionally of one kind)."""
        solutions = self.store.query(load_query("entries"))
        assert isinstance(solutions, Solutions)
        seen: dict[str, EntrySummary] = {}
        for row in solutions:
            if kind is not None and row["kind"] != kind:
                continue
            iri = str(row["entry"])
            if iri in seen:
                continue
            seen[iri] = EntrySummary(
                iri=iri,
                kind=_KIND_NAMES[URIRef(row["kind"])],
                uuid=str(row["uuid"]),
                title=str(row["title"]) if row["title"] is not None else None,
                type=str(row["type"]) if row["type"] is not None else None,
            )
        return list(seen.values())

    def entry_graph(self, identifier: str) -> Graph:
        """The triples of one entry.

        :raises NotFound: when there is no such entry.
        """
        iri, _ = self.resolve(identifier)
        return self.store.graph(iri)

    def delete(self, identifier: str) -> URIRef:
        """Remove an entry and all its triples.

        :raises NotFound: when there is no such entry.
        """
        iri, _ = self.resolve(identifier)
        self.store.drop_graphs([iri])
        return iri

    # -- export --------------------------------------------------------------

    def _selected(self, kind: URIRef | None, uuids: Sequence[str] | None) -> list[tuple[URIRef, URIRef]]:
        if uuids:
            return [self.resolve(u) for u in uuids]
        return [(URIRef(e.iri), _KIND_CLASSES[e.kind]) for e in self.entries(kind)]

    def export_manifest(
        self, *, kind: URIRef | None = None, uuids: Sequence[str] | None = None, jsonld: bool = False
    ) -> dict[str, Any]:
        """The registry (or some entries, in the order asked) as a manifest, or as JSON-LD.

        :raises NotFound: when a uuid asked for is not in the registry.
        """
        selected = self._selected(kind, uuids)
        return self.exporter.manifest(((iri, k, self.store.graph(iri)) for iri, k in selected), jsonld=jsonld)

    def export_rdf(self, format: str = "turtle", *, kind: URIRef | None = None, uuids: Sequence[str] | None = None) -> str:
        """The registry's entries as Turtle (one graph), TriG or N-Quads (a graph each)."""
        selected = self._selected(kind, uuids)
        if format in ("trig", "nquads"):
            dataset = self.exporter.dataset((iri, self.store.graph(iri)) for iri, _ in selected)
            return dataset.serialize(format=format)
        return self.exporter.graph(self.store.graph(iri) for iri, _ in selected).serialize(format=format)

    # -- SPARQL ----------------------------------------------------------------

    def update(self, text: str) -> UpdateResult:
        """A user's SPARQL Update, with the entries it changes validated and normalised as
        an ingest's are: it is first run on an in-memory copy of the store; each graph it
        changes that holds (or held) an executable or a platform is read back from the copy
        as a document and validated (its quantities' canonical numbers derived afresh); when
        every one conforms, the changed graphs are written to the store in one atomic step
        (emptied ones dropped). A store that changes between the copy and the write keeps
        the last writer's version of each graph.

        :raises QueryError: when the text is malformed, is a query, or calls ``SERVICE`` or ``LOAD``,
            or writes to the default graph (the registry keeps everything in named graphs).
        :raises ValidationFailed: when a changed entry does not conform; nothing is stored.
        :raises StoreError: when the store fails; nothing is stored.
        """
        import pyoxigraph as ox  # noqa: PLC0415 - the copy is an in-memory pyoxigraph store

        from registry.store.oxigraph import OxigraphStore  # noqa: PLC0415
        from registry.store.terms import from_oxigraph  # noqa: PLC0415

        check_update(text)
        self.prepare()
        copy = OxigraphStore(None)
        copy.load(self.store.dump("nquads"))
        raw = copy._store  # noqa: SLF001 - the copy is this method's own

        def by_graph() -> dict[Any, set[Any]]:
            graphs: dict[Any, set[Any]] = {}
            for quad in raw.quads_for_pattern(None, None, None, None):
                graphs.setdefault(quad.graph_name, set()).add(quad)
            return graphs

        before = by_graph()
        try:
            copy.update(text)
        except QueryError as exc:
            raise QueryError(f"malformed SPARQL Update: {exc}") from exc
        after = by_graph()
        changed = [g for g in before.keys() | after.keys() if before.get(g, set()) != after.get(g, set())]
        if any(isinstance(g, ox.DefaultGraph) for g in changed):
            raise QueryError(
                "the update writes to the default graph, which the registry does not keep: "
                "name the graph (GRAPH <urn:uuid:...> { ... }, or WITH); each entry's graph is its urn:uuid: IRI"
            )
        entry_types = {ox.NamedNode(str(ESAP.Executable)), ox.NamedNode(str(ESAP.Platform))}
        rdf_type = ox.NamedNode(str(RDF_TYPE))

        def holds_entry(quads: set[Any]) -> bool:
            return any(q.predicate == rdf_type and q.object in entry_types for q in quads)

        result = UpdateResult()
        graphs: dict[URIRef, Graph] = {}
        documents: list[Document] = []
        for name in sorted(changed, key=str):
            iri = URIRef(name.value)
            quads = after.get(name, set())
            if quads and (holds_entry(quads) or holds_entry(before.get(name, set()))):
                data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
                document = load_document(data or b"", source=str(iri), format="nt", vocabulary=self.vocabulary)
                documents.append(document)
                graphs[iri] = document.graph
                result.entries.append(iri)
            else:
                graph = Graph(bind_namespaces="none")
                for quad in quads:
                    graph.add((from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)))
                graphs[iri] = graph
                (result.graphs if quads else result.dropped).append(iri)
        if documents:
            result.report = self.validate(documents)
            if not result.report.conforms:
                raise ValidationFailed(result.report)
        self.store.replace_graphs(graphs)
        return result

    def query(self, text: str) -> QueryResult:
        """A user's SPARQL query, over the union of every graph (or its own ``FROM``).

        :raises QueryError: when the query is malformed, is an update, or calls ``SERVICE``.
        """
        self.prepare()
        return run_query(self.store, text)


def find_files(
    paths: Iterable[Path], *, suffixes: Sequence[str] = INPUT_SUFFIXES, exclude: Callable[[Path], bool] | None = None
) -> list[Path]:
    """Files named, and the input files found under directories named (sorted).

    :param suffixes: the file endings looked for under directories.
    :param exclude: files under directories it says yes to are left out (files named never are).
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in suffixes and not (exclude is not None and exclude(p))
            )
        else:
            found.append(path)
    return found
