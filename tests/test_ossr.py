"""The OSSR import: software records from CodeMeta and Zenodo, and the executables they provide.

The fixtures under tests/data/ossr/ are real files (codemeta/, zenodo/, repository/codemeta.json;
see tests/data/ossr/README.md) and a few written for these tests (synthetic/,
repository/esap-executables.json). Nothing here touches the network.
"""

from __future__ import annotations

import json
import socket
import sys
import types
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import RDF, Literal, URIRef

from registry.cli.main import cli
from registry.errors import OssrError
from registry.ossr.importer import OssrImporter, companion, find_inputs
from registry.ossr.records import NOTEBOOK_TYPE, build_record, notebook_uuid, record_iri
from registry.readers import load_path
from registry.resources import load_query
from registry.service import Registry
from registry.store import Solutions, Store
from registry.units import canonical
from registry.vocabulary import ESAP

OSSR = Path(__file__).resolve().parent / "data" / "ossr"
SCHEMA = "http://schema.org/"
AGNPY_REPOSITORY = "https://github.com/cosimoNigro/agnpy"
TEMPLATE_REPOSITORY = "https://gitlab.in2p3.fr/escape2020/wp3/template_project_escape"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _select(registry: Registry, name: str, **bindings: URIRef) -> list[dict[str, Any]]:
    solutions = registry.store.query(load_query(name), dict(bindings))
    assert isinstance(solutions, Solutions)
    return [{k: (None if v is None else str(v)) for k, v in row.items()} for row in solutions]


@pytest.fixture
def importer(registry: Registry) -> OssrImporter:
    return OssrImporter(registry)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection beyond this machine fails the test: contexts are
    local, tests are offline (the remote store backend talks to a server on the loopback)."""

    create_connection, connect = socket.create_connection, socket.socket.connect
    loopback = ("127.", "localhost", "::1")

    def local(address: Any) -> bool:
        return isinstance(address, tuple) and str(address[0]).startswith(loopback) or isinstance(address, str)

    def guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        assert local(address), f"a test tried to reach the network: {address!r}"
        return create_connection(address, *args, **kwargs)

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        assert local(address), f"a test tried to reach the network: {address!r}"
        return connect(self, address)

    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


# -- real CodeMeta files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "version", "software"),
    [
        ("agnpy.codemeta.json", "2.0", "agnpy"),
        ("gammapy.codemeta.json", "2.0", "Gammapy: Python toolbox for gamma-ray astronomy"),
        ("FairMQ.codemeta.json", "2.0", "FairMQ"),
        ("eossr-test-v3.codemeta.json", "3.0", "eOSSR test"),
    ],
    ids=["agnpy", "gammapy", "FairMQ", "eossr-v3"],
)
def test_real_codemeta_files_become_records(importer: OssrImporter, name: str, version: str, software: str) -> None:
    batch = importer.import_files([OSSR / "codemeta" / name])
    assert batch.rejected == {}
    assert batch.records == 1
    graph = _record_graph(importer.registry, OSSR / "codemeta" / name)
    record = next(graph.subjects(RDF.type, ESAP.SoftwareRecord))
    assert str(graph.value(record, URIRef(SCHEMA + "name"))) == software
    assert str(graph.value(record, ESAP.codemetaVersion)) == version
    assert (record, RDF.type, URIRef(SCHEMA + "SoftwareSourceCode")) in graph


def _record_graph(registry: Registry, path: Path) -> Any:
    """The stored graph of the record a codemeta.json describes."""
    built = build_record(source=str(path), codemeta=_json(path))
    return registry.store.graph(built.record)


def test_codemeta_values_the_context_types_as_iris_stay_text_when_they_are_not_urls(importer: OssrImporter) -> None:
    importer.import_files([OSSR / "codemeta" / "FairMQ.codemeta.json", OSSR / "codemeta" / "agnpy.codemeta.json"])
    fairmq = _record_graph(importer.registry, OSSR / "codemeta" / "FairMQ.codemeta.json")
    record = next(fairmq.subjects(RDF.type, ESAP.SoftwareRecord))
    assert fairmq.value(record, URIRef(SCHEMA + "license")) == Literal("./COPYRIGHT")
    assert fairmq.value(record, URIRef(SCHEMA + "codeRepository")) == URIRef("https://github.com/FairRootGroup/FairMQ/")
    agnpy = _record_graph(importer.registry, OSSR / "codemeta" / "agnpy.codemeta.json")
    record = next(agnpy.subjects(RDF.type, ESAP.SoftwareRecord))
    assert agnpy.value(record, URIRef(SCHEMA + "identifier")) == Literal("10.5281/zenodo.4055175")
    assert str(agnpy.value(record, ESAP.doi)) == "10.5281/zenodo.4055175"
    assert str(agnpy.value(record, ESAP.recordIdentifier)) == "https://doi.org/10.5281/zenodo.4055175"


# -- executables derived from a record -------------------------------------------------------


def test_the_jupyter_notebook_keyword_gives_a_notebook_at_the_code_repository(importer: OssrImporter) -> None:
    batch = importer.import_files([OSSR / "codemeta" / "agnpy.codemeta.json"])
    assert (batch.executables, batch.from_keywords, batch.from_file) == (1, 1, 0)
    expected = URIRef(f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, AGNPY_REPOSITORY)}")
    assert notebook_uuid(AGNPY_REPOSITORY + "/") == str(expected).removeprefix("urn:uuid:")
    manifest = importer.registry.export_manifest(uuids=[str(expected)])
    (executable,) = manifest["executables"]
    assert executable["type"] == NOTEBOOK_TYPE
    assert executable["title"] == "agnpy"
    assert executable["location"] == {"repository": AGNPY_REPOSITORY}
    record = _record_graph(importer.registry, OSSR / "codemeta" / "agnpy.codemeta.json")
    record_node = next(record.subjects(RDF.type, ESAP.SoftwareRecord))
    assert (expected, ESAP.providedBy, record_node) in importer.registry.store.graph(expected)
    assert (record_node, ESAP.provides, expected) in record


def test_importing_again_replaces_rather_than_duplicates(importer: OssrImporter) -> None:
    first = importer.import_files([OSSR / "codemeta" / "agnpy.codemeta.json"])
    again = importer.import_files([OSSR / "codemeta" / "agnpy.codemeta.json"])
    assert (first.replaced, again.replaced) == (0, 1)
    assert len(importer.registry.entries(ESAP.Executable)) == 1
    assert again.removed == 0


def test_software_without_the_keyword_provides_no_executable(importer: OssrImporter) -> None:
    batch = importer.import_files([OSSR / "codemeta" / "gammapy.codemeta.json"])
    assert (batch.records, batch.executables) == (1, 0)
    assert importer.registry.entries(ESAP.Executable) == []


def test_codemeta_requirements_become_numbers_where_they_read_and_stay_text_where_not(importer: OssrImporter) -> None:
    path = OSSR / "synthetic" / "requirements.codemeta.json"
    batch = importer.import_files([path])
    assert batch.rejected == {} and batch.executables == 1
    built = build_record(source=str(path), codemeta=_json(path))
    (executable,) = built.executables
    stored = importer.registry.store.graph(executable)
    compute = stored.value(executable, ESAP.computeRequirement)
    storage = stored.value(executable, ESAP.storageRequirement)
    assert str(stored.value(compute, ESAP.minMemory)) == "2GB"
    assert Decimal(str(stored.value(compute, ESAP.minMemoryGiB))) == canonical(Decimal(2 * 10**9) / Decimal(2**30))  # 18 fractional digits
    assert stored.value(compute, ESAP.minCores) is None
    assert str(stored.value(storage, ESAP.minSize)) == "500MB"
    record = importer.registry.store.graph(built.record)
    assert record.value(built.record, URIRef(SCHEMA + "processorRequirements")) == Literal("x86_64")
    infos = [i for i in batch.issues if i.severity == "Info"]
    assert [i.path for i in infos] == ["processorRequirements"]
    assert "x86_64" in infos[0].message


@pytest.mark.parametrize(
    ("processor", "cores"),
    [("4 cores", 4), ("8", 8), (2, 2), ("16 CPUs", 16), ("x86_64", None), ("64 bit", None)],
    ids=["4-cores", "bare-number", "json-number", "cpus", "architecture", "64-bit"],
)
def test_processor_requirements_read_as_cores(processor: Any, cores: int | None) -> None:
    codemeta = _json(OSSR / "synthetic" / "requirements.codemeta.json")
    codemeta["processorRequirements"] = processor
    built = build_record(source="requirements", codemeta=codemeta)
    (executable,) = built.executables
    graph = built.documents[1].entries[executable]
    compute = graph.value(executable, ESAP.computeRequirement)
    found = graph.value(compute, ESAP.minCores)
    assert (found.toPython() if found is not None else None) == cores


def test_an_esap_executables_file_beside_the_codemeta_wins_over_the_keyword(importer: OssrImporter) -> None:
    path = OSSR / "repository" / "codemeta.json"
    assert companion(path, "esap-executables.json") == OSSR / "repository" / "esap-executables.json"
    batch = importer.import_files(find_inputs([OSSR / "repository"]))
    assert batch.inputs == 1
    assert (batch.executables, batch.from_file, batch.from_keywords) == (2, 2, 0)
    titles = sorted(e.title or "" for e in importer.registry.entries(ESAP.Executable))
    assert titles == ["ESCAPE template: Singularity image", "ESCAPE template: example notebook"]
    record = build_record(source=str(path), codemeta=_json(path)).record
    for entry in importer.registry.entries(ESAP.Executable):
        rows = _select(importer.registry, "executable-record", executable=URIRef(entry.iri))
        assert [r["record"] for r in rows] == [str(record)]


def test_executables_a_record_no_longer_provides_are_removed(importer: OssrImporter, tmp_path: Path) -> None:
    codemeta = (OSSR / "repository" / "codemeta.json").read_text(encoding="utf-8")
    seed = _json(OSSR / "repository" / "esap-executables.json")
    (tmp_path / "codemeta.json").write_text(codemeta, encoding="utf-8")
    (tmp_path / "esap-executables.json").write_text(json.dumps(seed), encoding="utf-8")
    assert importer.import_files([tmp_path / "codemeta.json"]).executables == 2
    seed["executables"] = seed["executables"][:1]
    (tmp_path / "esap-executables.json").write_text(json.dumps(seed), encoding="utf-8")
    again = importer.import_files([tmp_path / "codemeta.json"])
    assert (again.executables, again.removed, again.replaced) == (1, 1, 1)
    assert [e.uuid for e in importer.registry.entries(ESAP.Executable)] == [seed["executables"][0]["uuid"]]


def test_a_bad_esap_executables_file_rejects_its_record_only(importer: OssrImporter, tmp_path: Path) -> None:
    (tmp_path / "a.codemeta.json").write_text((OSSR / "codemeta" / "agnpy.codemeta.json").read_text(), encoding="utf-8")
    (tmp_path / "a.esap-executables.json").write_text('{"executables": [{"uuid": "x", "type": "urn:types/nope"}]}')
    (tmp_path / "b.codemeta.json").write_text((OSSR / "codemeta" / "gammapy.codemeta.json").read_text(), encoding="utf-8")
    batch = importer.import_files(find_inputs([tmp_path]))
    assert list(batch.rejected) == [str(tmp_path / "a.codemeta.json")]
    assert batch.records == 1
    assert {i.source for i in batch.issues if i.severity == "Violation"} == {str(tmp_path / "a.esap-executables.json")}


# -- Zenodo records --------------------------------------------------------------------------


def test_a_zenodo_record_gives_dois_versions_files_and_the_binder_url() -> None:
    built = build_record(source="z", zenodo=_json(OSSR / "zenodo" / "zenodo_record_4790629.json"))
    assert built.identifier == "https://doi.org/10.5281/zenodo.3572654"
    assert built.record == record_iri(built.identifier)
    graph = built.documents[0].entries[built.record]
    r = built.record
    assert str(graph.value(r, ESAP.doi)) == "10.5281/zenodo.4790629"
    assert str(graph.value(r, ESAP.conceptDoi)) == "10.5281/zenodo.3572654"
    assert str(graph.value(r, URIRef(SCHEMA + "version"))) == "v2.1"
    assert graph.value(r, ESAP.isLatestVersion) == Literal(True)
    assert graph.value(r, ESAP.versionCount) == Literal(4)
    assert str(graph.value(r, ESAP.binderUrl)) == "https://mybinder.org/v2/zenodo/10.5281/zenodo.4790629"
    assert str(graph.value(r, ESAP.community)) == "escape2020"
    names = sorted(str(graph.value(f, ESAP.fileName)) for f in graph.objects(r, ESAP.file))
    assert names == ["Singularity", "Singularity.simg", "codemeta.json", "template_project_escape-v2.1.zip"]
    sizes = {str(graph.value(f, ESAP.fileName)): graph.value(f, ESAP.byteSize).toPython() for f in graph.objects(r, ESAP.file)}
    assert sizes["Singularity.simg"] == 283996191
    assert built.executables == []  # Zenodo's own keywords are ["ESCAPE"]


def test_a_zenodo_record_and_its_codemeta_are_one_record(importer: OssrImporter) -> None:
    path = OSSR / "zenodo" / "zenodo_record_4790629.json"
    batch = importer.import_files(find_inputs([OSSR / "zenodo"]))
    assert batch.inputs == 2  # the companion codemeta.json is not imported on its own
    assert batch.rejected == {}
    built = build_record(
        source=str(path), zenodo=_json(path), codemeta=_json(companion(path, "codemeta.json"))
    )
    rows = _select(importer.registry, "executable-record", executable=built.executables[0])
    (row,) = rows
    assert row["name"] == "ESCAPE template project"  # the codemeta.json's, not Zenodo's
    assert row["doi"] == "10.5281/zenodo.4790629"
    assert row["conceptDoi"] == "10.5281/zenodo.3572654"
    assert row["codeRepository"] == TEMPLATE_REPOSITORY
    assert row["binderUrl"] == "https://mybinder.org/v2/zenodo/10.5281/zenodo.4790629"
    assert set(row["keywords"].split(", ")) == {"ESCAPE", "jupyter-notebook"}
    authors = _select(importer.registry, "record-authors", record=built.record)
    assert [(a["givenName"], a["familyName"]) for a in authors] == [("Enrique", "Garcia")]


def test_zenodo_creators_keep_their_order(importer: OssrImporter) -> None:
    path = OSSR / "zenodo" / "zenodo_record_4687123.json"
    built = build_record(source=str(path), zenodo=_json(path))
    importer.store(built)
    authors = _select(importer.registry, "record-authors", record=built.record)
    names = [a["name"] for a in authors]
    creators = [c["name"] for c in _json(path)["metadata"]["creators"]]
    assert names == creators
    assert [int(a["position"]) for a in authors] == list(range(len(creators)))


# -- the query from an executable to its record, on every backend -------------------------------


def test_an_executable_reaches_its_record_on_every_store(store: Store) -> None:
    registry = Registry(store)
    batch = OssrImporter(registry).import_files([OSSR / "codemeta" / "agnpy.codemeta.json"])
    assert batch.records == 1
    executable = URIRef(f"urn:uuid:{notebook_uuid(AGNPY_REPOSITORY)}")
    (row,) = _select(registry, "executable-record", executable=executable)
    assert row["name"] == "agnpy"
    assert row["version"] == "0.5.0"
    assert row["doi"] == "10.5281/zenodo.4055175"
    assert row["readme"] == "https://agnpy.readthedocs.io/en/latest/"
    assert "jupyter-notebook" in row["keywords"].split(", ")
    authors = _select(registry, "record-authors", record=URIRef(row["record"]))
    assert [a["familyName"] for a in authors] == ["Nigro"]
    # A user's SPARQL over the union of graphs sees the same link.
    result = registry.query(
        "PREFIX esap: <https://w3id.org/esap-registry/vocab#> PREFIX schema: <http://schema.org/> "
        "SELECT ?name WHERE { ?e esap:providedBy ?r . ?r schema:name ?name }"
    )
    assert isinstance(result, Solutions)
    assert [str(v) for v in result.values("name")] == ["agnpy"]


def test_an_executable_from_no_record_reaches_none(registry: Registry, examples_dir: Path) -> None:
    registry.ingest_paths([examples_dir / "ossr-library-notebooks.json"])
    entry = registry.entries(ESAP.Executable)[0]
    assert _select(registry, "executable-record", executable=URIRef(entry.iri)) == []


# -- bad input ---------------------------------------------------------------------------------


def test_codemeta_that_is_not_json_ld_is_rejected_naming_the_context() -> None:
    with pytest.raises(OssrError) as info:
        build_record(source="n", codemeta=_json(OSSR / "synthetic" / "no-context.codemeta.json"))
    assert info.value.json_path == "@context"
    assert "not JSON-LD" in info.value.message


#: A codemeta.json that gives a notebook (its keyword), with a fault at line 5, column 3 (or 13).
_FAULTY_CODEMETA = {
    "duplicate": (
        '{\n  "@context": "https://w3id.org/codemeta/3.0",\n  "name": "Twice",\n'
        '  "codeRepository": "https://example.org/twice",\n  "name": "Again",\n  "keywords": ["jupyter-notebook"]\n}\n',
        "5:3",
        "the key 'name' appears twice in one object",
    ),
    "nan": (
        '{\n  "@context": "https://w3id.org/codemeta/3.0",\n  "name": "Not a number",\n'
        '  "codeRepository": "https://example.org/nan",\n  "version": NaN,\n  "keywords": ["jupyter-notebook"]\n}\n',
        "5:14",
        "NaN is not a JSON number",
    ),
}


@pytest.mark.parametrize("fault", sorted(_FAULTY_CODEMETA))
def test_a_codemeta_json_is_read_as_strictly_as_a_manifest(importer: OssrImporter, tmp_path: Path, fault: str) -> None:
    """A key twice or a NaN: the file is refused at the line and column of the fault, and
    nothing of the record (nor of the notebook it would give) is stored."""
    text, position, message = _FAULTY_CODEMETA[fault]
    path = tmp_path / "faulty.codemeta.json"
    path.write_text(text, encoding="utf-8")
    batch = importer.import_files([path])
    assert (batch.inputs, batch.records) == (1, 0)
    assert f"{path}:{position}: not well-formed JSON: {message}" in batch.rejected[str(path)]
    lenient = json.loads(text)  # Python's own reader takes both faults
    assert build_record(source=str(path), codemeta=lenient).executables  # so the record would give a notebook
    assert len(importer.registry.store.graph(build_record(source=str(path), codemeta=lenient).record)) == 0
    assert importer.registry.entries() == []


def test_a_duplicate_key_in_the_esap_executables_companion_refuses_the_record(importer: OssrImporter, tmp_path: Path) -> None:
    (tmp_path / "codemeta.json").write_text((OSSR / "repository" / "codemeta.json").read_text(encoding="utf-8"), encoding="utf-8")
    seed = (OSSR / "repository" / "esap-executables.json").read_text(encoding="utf-8")
    (tmp_path / "esap-executables.json").write_text(seed.replace('"executables": [', '"executables": [], "executables": [', 1), encoding="utf-8")
    batch = importer.import_files([tmp_path / "codemeta.json"])
    (reason,) = batch.rejected.values()
    assert f"{tmp_path / 'esap-executables.json'}:" in reason and "'executables' appears twice" in reason
    assert batch.records == 0 and importer.registry.entries() == []


def test_one_rule_tells_a_codemeta_json_for_the_importer_and_the_plain_reader(importer: OssrImporter) -> None:
    """A codemeta.json without @context is refused for the same reason by both."""
    path = OSSR / "synthetic" / "no-context.codemeta.json"
    with pytest.raises(OssrError) as info:
        load_path(path)
    assert (info.value.json_path, "not JSON-LD" in info.value.message) == ("@context", True)
    batch = importer.import_files([path])
    assert batch.rejected == {str(path): str(info.value)}


def test_the_plain_ingest_removes_what_a_record_no_longer_provides_too(importer: OssrImporter, tmp_path: Path) -> None:
    """Both writers share the registry's write path: storing a record again by the plain
    ingest (which reads no companion file) removes the executables it no longer provides."""
    (tmp_path / "codemeta.json").write_text((OSSR / "repository" / "codemeta.json").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "esap-executables.json").write_text((OSSR / "repository" / "esap-executables.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert importer.import_files([tmp_path / "codemeta.json"]).from_file == 2
    batch = importer.registry.ingest_paths([tmp_path / "codemeta.json"])
    assert (batch.records, batch.executables, batch.removed) == (1, 1, 2)
    (notebook,) = importer.registry.entries(ESAP.Executable)
    assert notebook.type == NOTEBOOK_TYPE


def test_an_unknown_remote_context_is_refused_and_never_fetched() -> None:
    with pytest.raises(OssrError, match="not a CodeMeta context"):
        build_record(source="u", codemeta={"@context": "https://example.org/ctx", "name": "x", "codeRepository": "https://e.org/x"})


def test_unknown_keys_are_warnings_naming_the_key_with_a_suggestion(importer: OssrImporter) -> None:
    batch = importer.import_files([OSSR / "synthetic" / "unknown-keys.codemeta.json"])
    assert batch.records == 1
    unknown = {i.path: i.message for i in batch.issues if "unknown key" in i.message}
    assert set(unknown) == {"continuousIntegration", "licence", "author[0].orcidd"}
    assert "did you mean 'contIntegration'" in unknown["continuousIntegration"]
    assert "did you mean 'license'" in unknown["licence"]


def test_keys_the_ossr_requires_are_warnings_and_a_missing_name_is_a_violation(importer: OssrImporter) -> None:
    batch = importer.import_files([OSSR / "synthetic" / "unknown-keys.codemeta.json"])
    missing = sorted(i.message.split(" ")[0] for i in batch.issues if "required by the OSSR" in i.message)
    assert missing == ["datePublished", "description", "license", "maintainer", "readme", "softwareVersion"]
    codemeta = _json(OSSR / "synthetic" / "unknown-keys.codemeta.json")
    del codemeta["name"]
    report = importer.registry.validate(build_record(source="x", codemeta=codemeta).documents)
    assert [(i.path, i.shape) for i in report.violations] == [
        ("$", "https://w3id.org/esap-registry/shapes#SoftwareRecord-name")
    ]


def test_an_orcid_with_a_space_is_a_warning_not_a_crash(importer: OssrImporter) -> None:
    batch = importer.import_files([OSSR / "synthetic" / "KM3NeT-mended.codemeta.json"])
    assert batch.rejected == {}
    (issue,) = [i for i in batch.issues if "not a valid IRI" in i.message]
    assert issue.path == "contributor[1].@id"


def test_a_record_with_no_identifier_is_rejected() -> None:
    with pytest.raises(OssrError, match="identifier"):
        build_record(source="x", codemeta={"@context": "https://w3id.org/codemeta/3.0", "name": "Nameless"})


def test_codemeta_1_0_keys_are_read(importer: OssrImporter) -> None:
    path = OSSR / "synthetic" / "codemeta-1.0.json"
    batch = importer.import_files([path])
    assert batch.rejected == {} and batch.from_keywords == 1
    built = build_record(source=str(path), codemeta=_json(path))
    graph = importer.registry.store.graph(built.record)
    assert graph.value(built.record, URIRef(SCHEMA + "license")) == URIRef("https://spdx.org/licenses/Apache-2.0")
    assert str(graph.value(built.record, ESAP.codemetaVersion)) == "1.0"
    authors = _select(importer.registry, "record-authors", record=built.record)
    assert [a["familyName"] for a in authors] == ["Hopper"]
    assert built.record != URIRef(f"urn:uuid:{notebook_uuid('https://example.org/codemeta-one')}")


def test_one_bad_file_never_stops_a_batch(importer: OssrImporter) -> None:
    batch = importer.import_files(find_inputs([OSSR]))
    assert sorted(Path(p).name for p in batch.rejected) == ["KM3NeT-not-json.codemeta.json", "no-context.codemeta.json"]
    assert "13:164" in batch.rejected[str(OSSR / "codemeta" / "KM3NeT-not-json.codemeta.json")]
    assert batch.records == batch.inputs - 2 == 11
    summary = batch.summary()
    assert "11 of 13 record(s) stored" in summary
    assert f"{batch.executables} executable(s) derived" in summary
    assert f"{batch.warnings} warning(s)" in summary and "records/s" in summary


# -- the plain validate and ingest commands read records too --------------------------------------


def test_load_path_reads_a_codemeta_file_as_a_record_with_its_notebook() -> None:
    doc = load_path(OSSR / "codemeta" / "agnpy.codemeta.json")
    assert sorted(str(k) for k in doc.kinds.values()) == sorted([str(ESAP.Executable), str(ESAP.SoftwareRecord)])


def test_ingest_counts_records(registry: Registry) -> None:
    batch = registry.ingest_paths([OSSR / "codemeta" / "agnpy.codemeta.json"])
    assert (batch.records, batch.executables, batch.platforms) == (1, 1, 0)


# -- the command line ------------------------------------------------------------------------------


def test_cli_imports_a_directory_with_a_summary(runner: CliRunner, store_path: Path) -> None:
    result = runner.invoke(cli, ["ossr", "import", "--store", str(store_path), str(OSSR / "codemeta")])
    assert result.exit_code == 1  # the KM3NeT file is not JSON
    assert "4 of 5 record(s) stored" in result.output
    assert "rejected" in result.stderr and "KM3NeT-not-json" in result.stderr
    listed = runner.invoke(cli, ["list", "--store", str(store_path), "--kind", "executables"])
    assert "agnpy" in listed.output


def test_cli_exit_0_when_all_are_stored(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ossr", "import", "--store", "memory", "-q", str(OSSR / "repository")])
    assert result.exit_code == 0, result.output
    assert "1 of 1 record(s) stored" in result.output
    assert "2 from esap-executables.json" in result.output


def test_cli_needs_files_or_an_online_choice(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ossr", "import", "--store", "memory"])
    assert result.exit_code == 2
    assert "--record" in result.stderr


def test_cli_online_without_eossr_says_how_to_install_it(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "eossr", None)
    result = runner.invoke(cli, ["ossr", "import", "--store", "memory", "--record", "4790629"])
    assert result.exit_code == 2
    assert "eossr" in result.stderr and "esap-registry[ossr]" in result.stderr


class _HTTPStatusError(Exception):
    pass


def _fake_eossr(monkeypatch: pytest.MonkeyPatch, records: dict[str, dict[str, Any]], codemeta: dict[str, Any] | None, *, down: bool = False) -> dict[str, float]:
    """Stand-ins for the eossr modules the online import uses; they record the timeout in force."""
    seen: dict[str, float] = {}
    zenodo_module = types.ModuleType("eossr.api.zenodo.zenodo")
    zenodo_module._default_timeout = 35  # type: ignore[attr-defined]

    class Record:
        def __init__(self, data: dict[str, Any]) -> None:
            self.data = data

        def get_codemeta(self) -> dict[str, Any]:
            if codemeta is None:
                raise FileNotFoundError("no codemeta.json")
            return codemeta

    def get_record(record_id: str) -> Record:
        seen["timeout"] = zenodo_module._default_timeout  # type: ignore[attr-defined]
        seen["socket"] = socket.getdefaulttimeout() or 0.0
        if down:
            raise ConnectionError("Name or service not known")
        if record_id not in records:
            raise _HTTPStatusError(f"404 record {record_id} not found")
        return Record(records[record_id])

    zenodo_module.get_record = get_record  # type: ignore[attr-defined]
    status = types.ModuleType("eossr.api.zenodo.http_status")
    status.HTTPStatusError = _HTTPStatusError  # type: ignore[attr-defined]
    package = types.ModuleType("eossr.api.zenodo")
    package.zenodo = zenodo_module  # type: ignore[attr-defined]
    package.http_status = status  # type: ignore[attr-defined]
    ossr_module = types.ModuleType("eossr.api.ossr")
    ossr_module.get_ossr_records = lambda: [Record(r) for r in records.values()]  # type: ignore[attr-defined]
    api = types.ModuleType("eossr.api")
    api.zenodo = package  # type: ignore[attr-defined]
    api.ossr = ossr_module  # type: ignore[attr-defined]
    root = types.ModuleType("eossr")
    root.api = api  # type: ignore[attr-defined]
    for name, module in {
        "eossr": root,
        "eossr.api": api,
        "eossr.api.zenodo": package,
        "eossr.api.zenodo.zenodo": zenodo_module,
        "eossr.api.zenodo.http_status": status,
        "eossr.api.ossr": ossr_module,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    return seen


def test_cli_online_imports_a_record_and_its_codemeta(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    record = _json(OSSR / "zenodo" / "zenodo_record_4790629.json")
    codemeta = _json(OSSR / "zenodo" / "zenodo_record_4790629.codemeta.json")
    seen = _fake_eossr(monkeypatch, {"4790629": record}, codemeta)
    result = runner.invoke(cli, ["ossr", "import", "--store", "memory", "--timeout", "7", "--record", "4790629", "--record", "1"])
    assert result.exit_code == 1, result.output  # record 1 does not exist
    assert "1 of 2 record(s) stored" in result.output
    assert "1 by the jupyter-notebook keyword" in result.output  # the keyword is in the codemeta.json only
    assert "Zenodo refused record 1" in result.stderr
    assert seen == {"timeout": 7.0, "socket": 7.0}
    assert socket.getdefaulttimeout() is None


def test_cli_online_all_records(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    records = {r["id"]: r for r in (_json(OSSR / "zenodo" / n) for n in ("zenodo_record_4790629.json", "zenodo_record_4687123.json"))}
    _fake_eossr(monkeypatch, {str(k): v for k, v in records.items()}, None)
    result = runner.invoke(cli, ["ossr", "import", "--store", "memory", "--all"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 record(s) stored" in result.output
    assert "the record has no codemeta.json" in result.stderr


def test_cli_online_when_zenodo_cannot_be_reached(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_eossr(monkeypatch, {}, None, down=True)
    result = runner.invoke(cli, ["ossr", "import", "--store", "memory", "--record", "4790629"])
    assert result.exit_code == 2
    assert "Zenodo cannot be reached" in result.stderr
