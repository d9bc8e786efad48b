"""Formats in: manifests, JSON-LD and Turtle become the same RDF; bad input is
refused with what, where and why."""

from __future__ import annotations

import gc
import json
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Literal, URIRef

from registry.errors import InputError
from registry.readers import entry_iri, load_document, load_documents, load_path
from registry.vocabulary import CONTEXT_IRI, ESAP

NOTEBOOK = URIRef("urn:uuid:5cec9f3d-79c0-49ad-9a5a-455596c55341")


def manifest(**entry: object) -> str:
    base = {"uuid": "5cec9f3d-79c0-49ad-9a5a-455596c55341", "type": "urn:types/jupyter-notebook", "title": "t"}
    base.update(entry)
    return json.dumps({"executables": [base]})


def test_an_entry_gets_its_urn_uuid_iri_and_class(examples_dir: Path) -> None:
    doc = load_path(examples_dir / "ossr-library-notebooks.json")
    assert doc.executables() == [NOTEBOOK, URIRef("urn:uuid:1d5e06cc-e1a9-4eb9-8d99-5e0b1a6f7c2d")]
    graph = doc.entries[NOTEBOOK]
    assert (NOTEBOOK, RDF.type, ESAP.Executable) in graph
    assert (NOTEBOOK, ESAP.executableType, URIRef("urn:types/jupyter-notebook")) in graph
    assert (NOTEBOOK, ESAP.title, Literal("Find ESCAPE OSSR records")) in graph
    pool = URIRef(f"{NOTEBOOK}#compute-resources-0")
    assert (NOTEBOOK, ESAP.computeRequirement, pool) in graph
    assert (pool, RDF.type, ESAP.ComputeRequirement) in graph
    assert (URIRef(f"{NOTEBOOK}#location"), RDF.type, ESAP.Location) in graph
    assert doc.paths[pool] == "executables[0].compute-resources[0]"
    assert not doc.problems


def test_upper_case_uuids_give_lower_case_iris_and_keep_the_written_uuid() -> None:
    doc = load_document(manifest(uuid="5CEC9F3D-79C0-49AD-9A5A-455596C55341"), source="m.json")
    assert doc.executables() == [NOTEBOOK]
    assert Literal("5CEC9F3D-79C0-49AD-9A5A-455596C55341") in set(doc.graph.objects(NOTEBOOK, ESAP.uuid))
    with pytest.raises(InputError):
        entry_iri("not-a-uuid")


def test_quantities_keep_the_given_value_and_gain_a_canonical_number() -> None:
    doc = load_document(
        manifest(**{"compute-resources": [{"mincores": 210, "minmemory": "344G", "maxmemory": 400, "walltime": "190h"}],
                    "data-resources": [{"size": "500MB"}]}),
        source="m.json",
    )
    pool = URIRef(f"{NOTEBOOK}#compute-resources-0")
    graph = doc.graph
    assert graph.value(pool, ESAP.minMemory) == Literal("344G")
    assert graph.value(pool, ESAP.minMemoryGiB) == Literal(Decimal(344), datatype=XSD.decimal)
    assert graph.value(pool, ESAP.maxMemory) == Literal(400)
    assert graph.value(pool, ESAP.maxMemoryGiB).toPython() == Decimal(400)
    assert graph.value(pool, ESAP.walltimeHours).toPython() == Decimal(190)
    assert graph.value(pool, ESAP.minCores) == Literal(210)
    data = URIRef(f"{NOTEBOOK}#data-resources-0")
    # 500 MB is 0.4656612873077392578125 GiB: the canonical number keeps 18 fractional digits,
    # the most the SPARQL engines' decimal arithmetic holds; the given value stays as it was.
    assert graph.value(data, ESAP.sizeGiB).toPython() == Decimal("0.465661287307739258")
    assert graph.value(data, ESAP.size) == Literal("500MB")


def test_a_value_that_does_not_parse_gets_no_canonical_number() -> None:
    doc = load_document(manifest(**{"compute-resources": [{"minmemory": "5 parsecs"}]}), source="m.json")
    pool = URIRef(f"{NOTEBOOK}#compute-resources-0")
    assert doc.graph.value(pool, ESAP.minMemory) == Literal("5 parsecs")
    assert doc.graph.value(pool, ESAP.minMemoryGiB) is None


def test_unknown_keys_are_named_with_their_path_and_a_suggestion() -> None:
    doc = load_document(manifest(**{"compute-resources": [{"mincore": 4}], "titel": "x"}), source="m.json")
    problems = {p.path: p.message for p in doc.problems}
    assert "did you mean 'mincores'" in problems["executables[0].compute-resources[0].mincore"]
    assert "did you mean 'title'" in problems["executables[0].titel"]


def test_the_same_uuid_twice_in_one_document_is_a_problem() -> None:
    entry = {"uuid": "5cec9f3d-79c0-49ad-9a5a-455596c55341", "type": "urn:types/jupyter-notebook", "title": "t"}
    doc = load_document(json.dumps({"executables": [entry, dict(entry, title="u")]}), source="m.json")
    assert [p.path for p in doc.problems] == ["executables[1].uuid"]
    assert "already used by executables[0]" in doc.problems[0].message


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"executables": {"uuid": "x"}}, "executables must be a list"),
        ({"executables": ["text"]}, "must be a JSON object"),
        ({"executables": [{"compute-resources": {"mincores": 1}}]}, "compute-resources must be a list"),
        ({"executables": [{"title": ["a", "b"]}]}, "title must be a single value"),
        ({"programs": []}, "unknown top-level key"),
    ],
    ids=["entries-not-a-list", "entry-not-an-object", "nested-not-a-list", "title-a-list", "top-level-key"],
)
def test_values_of_the_wrong_json_kind_are_problems(body: dict[str, object], fragment: str) -> None:
    doc = load_document(json.dumps(body), source="m.json")
    assert any(fragment in p.message for p in doc.problems), doc.problems


def test_malformed_json_names_line_and_column(data_dir: Path) -> None:
    with pytest.raises(InputError) as info:
        load_path(data_dir / "seeds" / "data-resources.json")
    error = info.value
    assert error.line == 13 and error.column == 11
    assert "Expecting ',' delimiter" in error.message
    assert str(error).startswith(str(data_dir / "seeds" / "data-resources.json") + ":13:11")


def test_duplicate_keys_and_non_utf8_bytes_are_input_errors() -> None:
    with pytest.raises(InputError, match="appears twice"):
        load_document('{"executables": [], "executables": []}', source="m.json")
    with pytest.raises(InputError, match="not UTF-8") as info:
        load_document(b'{"executables": [\n{"title": "\xff"}]}', source="m.json")
    assert info.value.line == 2


def test_a_remote_context_is_never_fetched() -> None:
    with pytest.raises(InputError) as info:
        load_document('{"@context": "https://example.org/ctx.jsonld", "@id": "urn:x"}', source="d.jsonld")
    assert "https://example.org/ctx.jsonld" in info.value.message
    assert info.value.json_path == "@context"
    with pytest.raises(InputError, match="@import"):
        load_document('{"@context": {"@import": "https://example.org/c"}, "@id": "urn:x"}', source="d.jsonld")


def test_json_ld_naming_the_registry_context_uses_the_local_copy() -> None:
    body = {
        "@context": CONTEXT_IRI,
        "@id": str(NOTEBOOK),
        "@type": "Executable",
        "uuid": "5cec9f3d-79c0-49ad-9a5a-455596c55341",
        "type": "urn:types/jupyter-notebook",
        "title": "t",
        "compute-resources": [{"mincores": 2, "minmemory": "4GiB"}],
    }
    doc = load_document(json.dumps(body), source="d.jsonld")
    assert doc.executables() == [NOTEBOOK]
    pool = doc.graph.value(NOTEBOOK, ESAP.computeRequirement)
    assert doc.graph.value(pool, ESAP.minMemoryGiB).toPython() == Decimal(4)


def test_turtle_is_accepted_and_canonical_values_written_by_authors_are_recomputed() -> None:
    turtle = f"""
    @prefix esap: <{ESAP}> .
    <{NOTEBOOK}> a esap:Executable ; esap:uuid "5cec9f3d-79c0-49ad-9a5a-455596c55341" ;
        esap:executableType <urn:types/jupyter-notebook> ; esap:title "t" ;
        esap:computeRequirement [ esap:minMemory "2G" ; esap:minMemoryGiB 999 ] .
    """
    doc = load_document(turtle, source="d.ttl")
    pool = doc.graph.value(NOTEBOOK, ESAP.computeRequirement)
    assert [o.toPython() for o in doc.graph.objects(pool, ESAP.minMemoryGiB)] == [Decimal(2)]
    assert len(doc.entries[NOTEBOOK]) == len(doc.graph)


def test_malformed_turtle_names_the_line() -> None:
    with pytest.raises(InputError) as info:
        load_document("@prefix esap: <urn:x#> .\n\n<urn:a> esap:p \"unterminated .\n", source="d.ttl")
    assert info.value.line == 3
    assert "Turtle" in info.value.message


def test_statements_about_no_entry_are_a_problem() -> None:
    doc = load_document(f"<urn:x> <{ESAP.title}> \"stray\" .", source="d.ttl")
    assert doc.entries == {}
    assert "belong to no executable, platform or data set" in doc.problems[0].message


def test_a_key_at_the_wrong_level_is_a_problem_that_says_where_it_belongs() -> None:
    doc = load_document(manifest(mincores=1, **{"compute-resources": [{"mincores": 1, "repository": "x"}]}), source="m.json")
    problems = {p.path: p.message for p in doc.problems}
    assert problems["executables[0].mincores"] == "'mincores' does not belong here: it is a key of the objects in compute-resources"
    assert "location" in problems["executables[0].compute-resources[0].repository"]
    platform = {"uuid": "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a01", "type": "urn:platforms/binderhub", "title": "p",
                "compute-resources": [{"nodes": 1, "cores": 1, "memory": 1, "mincores": 1}]}
    doc = load_document(json.dumps({"platforms": [platform]}), source="p.json")
    assert [p.path for p in doc.problems] == ["platforms[0].compute-resources[0].mincores"]


@pytest.mark.parametrize("collector", [True, False], ids=["collector-on", "collector-off"])
def test_load_documents_reads_a_batch_as_load_document_does_and_restores_the_collector(examples_dir: Path, collector: bool) -> None:
    paths = sorted(examples_dir.glob("*.json"))
    (gc.enable if collector else gc.disable)()
    try:
        batch = load_documents((path.read_bytes(), str(path)) for path in paths)
        assert gc.isenabled() is collector
    finally:
        gc.enable()
    one_by_one = [load_document(path.read_bytes(), source=str(path)) for path in paths]
    assert [d.source for d in batch] == [str(p) for p in paths]
    for got, expected in zip(batch, one_by_one, strict=True):
        assert got.kinds == expected.kinds
        assert {e: set(g) for e, g in got.entries.items()} == {e: set(g) for e, g in expected.entries.items()}


def test_load_documents_stops_at_the_first_unreadable_document_naming_it() -> None:
    good = json.dumps({"executables": []})
    with pytest.raises(InputError, match="second.json"):
        load_documents([(good, "first.json"), ("{not json", "second.json"), (good, "third.json")])
    assert gc.isenabled()
