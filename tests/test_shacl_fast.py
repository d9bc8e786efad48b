"""The fast SHACL checker (registry.shacl_fast) against pySHACL itself.

The checker may only say "no result at all" when pySHACL finds none (and raises
nothing): every test here puts the same documents to both. Data-driven over the shape
test data, the examples, the bad-input corpus, hand-written Turtle with what is unusual
(ill-typed literals, blank nodes where numbers are compared, subclasses in the data) and
the benchmark's synthetic manifests; a property test mutates valid manifests. The
checker must also really be used: it says "no result" for every document pySHACL finds
none in. And a shapes graph with a feature it does not compile makes it refuse, the
validator then running pySHACL for everything.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path

import pyshacl
import pytest
from bad_input_corpus import ALL, case_bytes
from hypothesis import given
from hypothesis import strategies as st
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, RDFS, SH, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from support.strategies import manifests, mutated
from support.synthetic import executables, platforms

from registry.errors import InputError, OssrError, ShapesUnsupported
from registry.ossr.records import RecordDocuments, build_record
from registry.readers import Document, load_document, load_path
from registry.shacl_fast import compile_shapes
from registry.validation import Validator, get_validator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


OSSR = HERE / "data" / "ossr"
OSSR_FILES = sorted(p for sub in ("codemeta", "synthetic", "zenodo") for p in (OSSR / sub).glob("*.json"))
SHAPE_FILES = sorted(p for p in (HERE / "data" / "shapes").glob("*/*.json") if not p.name.endswith(".expected.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
SHAPES = "https://w3id.org/esap-registry/shapes#"
ESAP = "https://w3id.org/esap-registry/vocab#"
PREFIXES = f"""@prefix esap: <{ESAP}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
"""
EXECUTABLE = """<urn:uuid:0b5c3a4e-1111-4222-8333-944455556666> a esap:Executable ;
    esap:uuid "0b5c3a4e-1111-4222-8333-944455556666" ; esap:title "t" ; esap:description "d" ;
    esap:executableType <urn:types/jupyter-notebook> ;
    esap:location [ esap:repository "https://example.org/r" ] ;
"""
#: Hand-written Turtle, checked as parsed (not through the loader, which derives the GiB and
#: hours values itself): what manifests cannot say. Name -> (text, pySHACL finds no result).
TURTLE = {
    "clean": (EXECUTABLE + 'esap:computeRequirement [ esap:minCores 2 ; esap:minMemory 4 ; esap:minMemoryGiB 4.0 ] .', True),
    "ill-typed-integer": (EXECUTABLE + 'esap:computeRequirement [ esap:minCores "two"^^xsd:integer ; esap:minMemory 4 ] .', False),
    "ill-typed-decimal-giB": (EXECUTABLE + 'esap:computeRequirement [ esap:minCores 2 ; esap:minMemory 4 ; esap:minMemoryGiB "x"^^xsd:decimal ] .', False),
    "blank-node-compared": (EXECUTABLE + 'esap:computeRequirement [ esap:minCores [ esap:title "x" ] ; esap:minMemory 4 ] .', False),
    "blank-node-compared-to": (EXECUTABLE + 'esap:computeRequirement [ esap:minCores 2 ; esap:maxCores [ esap:title "x" ] ; esap:minMemory 4 ] .', False),
    "string-compared": (EXECUTABLE + 'esap:computeRequirement [ esap:minCores 2 ; esap:maxCores "8" ; esap:minMemory 4 ] .', False),
    "double-nan": (EXECUTABLE + 'esap:computeRequirement [ esap:minCores 2 ; esap:minMemory 4 ; esap:minMemoryGiB "NaN"^^xsd:double ] .', False),
    "literal-computeRequirement": (EXECUTABLE + 'esap:computeRequirement "lots" .', False),
    "language-title": (EXECUTABLE.replace('esap:title "t"', 'esap:title "t"@en') + 'esap:computeRequirement [ esap:minCores 2 ; esap:minMemory 4 ] .', False),
    "typed-string-title": (EXECUTABLE.replace('esap:title "t"', 'esap:title "t"^^xsd:string') + 'esap:computeRequirement [ esap:minCores 2 ; esap:minMemory 4 ] .', True),
    "subclass-targeted": (
        "ex:Notebook rdfs:subClassOf esap:Executable .\n<urn:uuid:0b5c3a4e-1111-4222-8333-944455556667> a ex:Notebook ; esap:title \"t\" .",
        False,
    ),
    "subclass-typed-term": (
        "ex:Nb rdfs:subClassOf esap:ExecutableType .\n<urn:ex:nb> a ex:Nb .\n"
        + EXECUTABLE.replace("<urn:types/jupyter-notebook>", "<urn:ex:nb>")
        + "esap:computeRequirement [ esap:minCores 2 ; esap:minMemory 4 ] .",
        True,
    ),
    "unknown-type": (EXECUTABLE.replace("<urn:types/jupyter-notebook>", "<urn:types/nope>") + 'esap:computeRequirement [ esap:minCores 2 ; esap:minMemory 4 ] .', False),
}


def pyshacl_clean(validator: Validator, docs: Sequence[Document]) -> bool:
    """pySHACL's own verdict, on the data graph the validator gives it: no result at all."""
    return pyshacl_clean_graphs(validator, [g for doc in docs for g in doc.entries.values()])


def pyshacl_clean_graphs(validator: Validator, graphs: Sequence[Graph]) -> bool:
    """pySHACL's verdict on the union of graphs and the term typings: no result, no error."""
    data = Graph(bind_namespaces="none")
    for graph in graphs:
        for triple in graph:
            data.add(triple)
    if len(data) == 0:
        return True
    for triple in validator.vocabulary.term_types():
        data.add(triple)
    try:
        _, results, _ = pyshacl.validate(
            data, shacl_graph=validator.shapes, inference="none", advanced=True, inplace=True, allow_warnings=True
        )
    except ReportableRuntimeError:
        return False
    return not any(results.triples((None, SH.result, None)))


def fast_clean(validator: Validator, docs: Sequence[Document]) -> bool:
    assert validator.fast is not None
    return validator.fast.clean([g for doc in docs for g in doc.entries.values()])


@pytest.fixture(scope="module")
def validator() -> Validator:
    return get_validator()


@pytest.fixture(scope="module")
def slow_validator() -> Validator:
    """The validator as it was before the fast checker: pySHACL for everything."""
    slow = Validator()
    slow.fast = None
    return slow


def assert_sound(
    validator: Validator, slow_validator: Validator, docs: Sequence[Document], *, clean: bool | None = None, exact: bool = True
) -> None:
    """The fast verdict "no result" implies pySHACL's, and the validator's report is the one
    pySHACL's gives.

    :param clean: what pySHACL must say of the documents, when the test knows it.
    :param exact: the fast verdict must also be "no result" whenever pySHACL's is (the fast
        path is taken): asked of fixed data; random data may take the slow path needlessly.
    """
    fast = fast_clean(validator, docs)
    slow = pyshacl_clean(validator, docs)
    if fast:
        assert slow, "the fast checker said 'no result' but pySHACL finds one"
    if exact:
        assert fast == slow, "pySHACL finds no result, yet the fast path was not taken"
    if clean is not None:
        assert slow == clean
    assert validator.validate(list(docs)).to_dict() == slow_validator.validate(list(docs)).to_dict()


def test_the_shipped_shapes_compile(validator: Validator) -> None:
    assert validator.fast_refused is None
    assert validator.fast is not None
    targeted = {str(s.node).removeprefix(SHAPES) for s in validator.fast.shapes}
    assert {"Executable", "Platform", "ComputeRequirement", "SoftwareRecord", "RecordFile"} <= targeted


@pytest.mark.parametrize("path", SHAPE_FILES, ids=[f"{p.parent.name}/{p.name}" for p in SHAPE_FILES])
def test_shape_test_data(path: Path, validator: Validator, slow_validator: Validator) -> None:
    document = load_path(path)
    assert_sound(validator, slow_validator, [document], clean=False if path.name == "invalid.json" else None)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples(path: Path, validator: Validator, slow_validator: Validator) -> None:
    assert_sound(validator, slow_validator, [load_path(path)], clean=True)


def test_examples_in_one_batch(validator: Validator, slow_validator: Validator) -> None:
    assert_sound(validator, slow_validator, [load_path(p) for p in EXAMPLES], clean=True)


#: The bad-input corpus split by its own expectations: the "malformed" cases, which the
#: reader refuses (nothing to validate), and the "invalid" ones, read and then compared.
REFUSED = sorted(name for name, (_, expected) in ALL.items() if expected["kind"] == "malformed")
COMPARED = sorted(name for name, (_, expected) in ALL.items() if expected["kind"] == "invalid")


def test_the_bad_input_corpus_is_all_compared_or_refused() -> None:
    """Each case is either compared or refused by the reader, none dropped: 32 and 26."""
    assert sorted(REFUSED + COMPARED) == sorted(ALL)
    assert (len(COMPARED), len(REFUSED)) == (32, 26)


@pytest.mark.parametrize("name", REFUSED, ids=REFUSED)
def test_bad_input_corpus_refused_by_the_reader(name: str) -> None:
    with pytest.raises(InputError):
        load_document(case_bytes(name), source=name)


@pytest.mark.parametrize("name", COMPARED, ids=COMPARED)
def test_bad_input_corpus(name: str, validator: Validator, slow_validator: Validator) -> None:
    document = load_document(case_bytes(name), source=name)
    assert_sound(validator, slow_validator, [document])


@pytest.mark.parametrize("name", sorted(TURTLE), ids=sorted(TURTLE))
def test_turtle(name: str, validator: Validator) -> None:
    text, clean = TURTLE[name]
    graph = Graph().parse(data=PREFIXES + text, format="turtle")
    assert validator.fast is not None
    assert pyshacl_clean_graphs(validator, [graph]) == clean
    assert validator.fast.clean([graph]) == clean


@pytest.mark.parametrize("name", sorted(TURTLE), ids=sorted(TURTLE))
def test_turtle_documents(name: str, validator: Validator, slow_validator: Validator) -> None:
    """Every hand-written case is read as a document (none refused), then compared."""
    document = load_document(PREFIXES + TURTLE[name][0], source=f"{name}.ttl", format="turtle")
    assert_sound(validator, slow_validator, [document])


#: The OSSR test files that are no record (not JSON, no JSON-LD context, not a Zenodo
#: record): refused when read, so not compared.
NOT_RECORDS = [
    "codemeta/KM3NeT-not-json.codemeta.json",
    "synthetic/no-context.codemeta.json",
    "zenodo/zenodo_record_4790629.codemeta.json",
]
OSSR_RECORDS = [p for p in OSSR_FILES if f"{p.parent.name}/{p.name}" not in NOT_RECORDS]


def _build_record(path: Path) -> RecordDocuments:
    tree = json.loads(path.read_text(encoding="utf-8"))
    which = "zenodo" if path.parent.name == "zenodo" else "codemeta"
    return build_record(source=str(path), **{which: tree})


def test_the_ossr_files_are_all_compared_or_refused() -> None:
    assert len(OSSR_RECORDS) + len(NOT_RECORDS) == len(OSSR_FILES)
    assert (len(OSSR_RECORDS), len(NOT_RECORDS)) == (10, 3)


@pytest.mark.parametrize("name", NOT_RECORDS, ids=NOT_RECORDS)
def test_ossr_files_refused_as_records(name: str) -> None:
    with pytest.raises((ValueError, OssrError)):
        _build_record(OSSR / name)


@pytest.mark.parametrize("path", OSSR_RECORDS, ids=[f"{p.parent.name}/{p.name}" for p in OSSR_RECORDS])
def test_ossr_records(path: Path, validator: Validator, slow_validator: Validator) -> None:
    """Software records (shapes/software-shapes.ttl) and the executables they provide."""
    built = _build_record(path)
    assert_sound(validator, slow_validator, built.documents)
    assert_sound(validator, slow_validator, [built.merged()])


@pytest.fixture(scope="module")
def synthetic_executables() -> list[Document]:
    return [load_document(json.dumps({"executables": [e]}), source=f"e{i}.json") for i, e in enumerate(executables(120)["executables"])]


@pytest.fixture(scope="module")
def synthetic_platforms() -> list[Document]:
    return [load_document(json.dumps({"platforms": [p]}), source=f"p{i}.json") for i, p in enumerate(platforms(40)["platforms"])]


def test_synthetic_executables_take_the_fast_path(synthetic_executables: list[Document], validator: Validator, slow_validator: Validator) -> None:
    for document in synthetic_executables[:30]:
        assert_sound(validator, slow_validator, [document], clean=True)
    assert_sound(validator, slow_validator, synthetic_executables, clean=True)


def test_synthetic_platforms(synthetic_platforms: list[Document], validator: Validator, slow_validator: Validator) -> None:
    """Synthetic platforms lack a description (a warning): never the fast path, same reports."""
    for document in synthetic_platforms[:10]:
        assert_sound(validator, slow_validator, [document])
    assert_sound(validator, slow_validator, synthetic_platforms)


def test_one_bad_document_sends_the_batch_to_pyshacl(synthetic_executables: list[Document], validator: Validator, slow_validator: Validator) -> None:
    bad = load_path(HERE / "data" / "shapes" / "ComputeRequirement" / "invalid.json")
    batch = [*synthetic_executables[:20], bad, *synthetic_executables[20:40]]
    assert_sound(validator, slow_validator, batch, clean=False)


def test_a_uuid_repeated_across_the_batch(validator: Validator, slow_validator: Validator) -> None:
    """Two documents saying things of the same entry: results only their union has."""
    entry = executables(1)["executables"][0]
    other = {**copy.deepcopy(entry), "title": "another title"}
    docs = [load_document(json.dumps({"executables": [e]}), source=f"{i}.json") for i, e in enumerate((entry, other))]
    assert_sound(validator, slow_validator, docs[:1], clean=True)
    assert_sound(validator, slow_validator, docs, clean=False)


@given(manifest=manifests)
def test_generated_valid_manifests(manifest: dict, validator: Validator, slow_validator: Validator) -> None:
    document = load_document(json.dumps(manifest).encode(), source="generated.json")
    assert_sound(validator, slow_validator, [document])


@given(manifest=mutated())
def test_mutated_manifests(manifest: dict, validator: Validator, slow_validator: Validator) -> None:
    try:
        document = load_document(json.dumps(manifest).encode(), source="mutated.json")
    except InputError:
        return
    assert_sound(validator, slow_validator, [document], exact=False)


# -- triples mutated one at a time: what no manifest can say ---------------------------------------

VOCAB = Namespace(ESAP)
#: Objects a triple may be given instead of its own: literals of every kind (ill-typed, NaN,
#: language-tagged), blank nodes, IRIs (taxonomy terms, classes, nonsense).
TERMS = st.one_of(
    st.text(max_size=6).map(Literal),
    st.builds(
        lambda text, datatype: Literal(text, datatype=datatype),
        st.sampled_from(["1", "0", "-1", "1.5", "2.0", "abc", "NaN", "INF", "-INF", "", " 2", "1e3", "true", "2021-06-10"]),
        st.sampled_from([XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.string, XSD.boolean, XSD.date, XSD.long, RDF.langString]),
    ),
    st.builds(lambda text, lang: Literal(text, lang=lang), st.text(max_size=4), st.sampled_from(["en", "de-CH"])),
    st.integers(-3, 10**20).map(Literal),
    st.floats().map(Literal),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(Literal),
    st.builds(BNode),
    st.sampled_from([
        URIRef("urn:types/jupyter-notebook"), URIRef("urn:types/nope"), URIRef("urn:astronomy-catalogue"), URIRef("urn:x"),
        VOCAB.Executable, VOCAB.ComputeRequirement, VOCAB.Location, VOCAB.ExecutableType, RDFS.Class,
    ]),
)
#: Predicates a triple may be given instead of its own: the ones the shapes look at.
PREDICATES = st.sampled_from([
    RDF.type, RDFS.subClassOf, VOCAB.uuid, VOCAB.title, VOCAB.description, VOCAB.executableType, VOCAB.location,
    VOCAB.computeRequirement, VOCAB.minCores, VOCAB.maxCores, VOCAB.minMemory, VOCAB.minMemoryGiB, VOCAB.maxMemoryGiB,
    VOCAB.nodes, VOCAB.maxNodes, VOCAB.walltime, VOCAB.walltimeHours, VOCAB.repository, VOCAB.ref, VOCAB.path,
    VOCAB.dataRequirement, VOCAB.dataContent, VOCAB.dataFormat, VOCAB.size, VOCAB.sizeGiB,
])


@pytest.fixture(scope="module")
def executable_triples() -> list[list[tuple]]:
    """The triples of a few synthetic executables (notebooks, batch jobs, containers)."""
    manifest = executables(12)
    found = []
    for entry in manifest["executables"]:
        document = load_document(json.dumps({"executables": [entry]}), source="t.json")
        found.append([t for g in document.entries.values() for t in g])
    return found


@given(data=st.data())
def test_mutated_triples(data: st.DataObject, executable_triples: list[list[tuple]], validator: Validator) -> None:
    triples = list(data.draw(st.sampled_from(executable_triples)))
    for _ in range(data.draw(st.integers(1, 2))):
        i = data.draw(st.integers(0, len(triples) - 1))
        s, p, o = triples[i]
        change = data.draw(st.sampled_from(["object", "object", "predicate", "delete", "add"]))
        if change == "object":
            triples[i] = (s, p, data.draw(TERMS))
        elif change == "predicate":
            triples[i] = (s, data.draw(PREDICATES), o)
        elif change == "delete":
            del triples[i]
        else:
            subject = data.draw(st.sampled_from([t[0] for t in triples] + [URIRef("urn:types/jupyter-notebook"), VOCAB.Executable]))
            triples.append((subject, data.draw(PREDICATES), data.draw(TERMS)))
        if not triples:
            return
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    assert validator.fast is not None
    if validator.fast.clean([graph]):
        assert pyshacl_clean_graphs(validator, [graph]), "the fast checker said 'no result' but pySHACL finds one"


# -- features the checker does not compile -------------------------------------------------------


def _with(change: str) -> Graph:
    """The shipped shapes with one change: Turtle added, or a shape's property removed."""
    graph = Graph()
    for triple in get_validator().shapes:
        graph.add(triple)
    graph.parse(data=f"@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix shapes: <{SHAPES}> .\n"
                     f"@prefix esap: <{ESAP}> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n{change}",
                format="turtle")
    return graph


UNSUPPORTED = {
    "minLength": "shapes:Executable-title sh:minLength 3 .",
    "hasValue": "shapes:Executable-title sh:hasValue \"x\" .",
    "node": "shapes:Executable sh:node shapes:Location .",
    "sparql": "shapes:Executable sh:sparql [ sh:select \"SELECT $this WHERE { }\" ] .",
    "rule": "shapes:Executable sh:rule [ a sh:TripleRule ] .",
    "inverse-path": "shapes:X a sh:PropertyShape ; sh:path [ sh:inversePath esap:location ] ; sh:targetClass esap:Location ; sh:maxCount 1 .",
    "implicit-class-target": "shapes:Executable a rdfs:Class .",
    "recursive": "shapes:Loop a sh:NodeShape ; sh:targetClass esap:Executable ; sh:or ( shapes:Loop ) .",
    "flags-x": "shapes:Y a sh:PropertyShape ; sh:path esap:title ; sh:pattern \"a\" ; sh:flags \"x\" ; sh:targetClass esap:Executable .",
    "two-min-counts": "shapes:Executable-title sh:minCount 2 .",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED), ids=sorted(UNSUPPORTED))
def test_an_unsupported_feature_is_refused(name: str) -> None:
    with pytest.raises(ShapesUnsupported):
        compile_shapes(_with(UNSUPPORTED[name]))


def test_the_validator_falls_back_to_pyshacl(validator: Validator) -> None:
    """sh:minLength is not compiled: the validator runs pySHACL, which reports it."""
    shapes = _with("shapes:Executable-title sh:minLength 100 .")
    fallback = Validator(shapes=shapes)
    assert fallback.fast is None
    assert isinstance(fallback.fast_refused, ShapesUnsupported)
    document = load_path(ROOT / "examples" / "gaia-hdbscan.json")
    assert validator.validate(document).conforms
    report = fallback.validate(document)
    assert not report.conforms
    assert {i.shape for i in report.violations} == {SHAPES + "Executable-title"}


def test_a_deactivated_shape_is_skipped(validator: Validator) -> None:
    shapes = _with("shapes:Executable-title sh:deactivated true . shapes:Executable-uuid sh:deactivated true .")
    checker = compile_shapes(shapes, validator.vocabulary.term_types())
    entry = executables(1)["executables"][0]
    del entry["title"]
    document = load_document(json.dumps({"executables": [entry]}), source="untitled.json")
    assert not fast_clean(validator, [document])
    assert checker.clean(list(document.entries.values()))


def test_shapes_graph_is_read_not_copied(validator: Validator) -> None:
    """The checker follows the shapes graph: a stricter shape there is a stricter check."""
    shapes = _with("shapes:Executable-title sh:pattern \"^zzz\" .")
    checker = compile_shapes(shapes, validator.vocabulary.term_types())
    document = load_path(ROOT / "examples" / "gaia-hdbscan.json")
    assert fast_clean(validator, [document])
    assert not checker.clean(list(document.entries.values()))


def test_every_sh_list_in_the_shipped_shapes_is_well_formed(validator: Validator) -> None:
    for head in validator.shapes.objects(None, SH["or"]):
        assert len(list(Collection(validator.shapes, head))) >= 2
    assert all(isinstance(s, (URIRef, BNode, Literal)) for s in validator.shapes.subjects(RDF.type, SH.NodeShape))


def test_validate_does_not_run_pyshacl_on_clean_documents(
    monkeypatch: pytest.MonkeyPatch, synthetic_executables: list[Document], validator: Validator
) -> None:
    import registry.validation

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pySHACL ran on documents the fast checker passed")

    monkeypatch.setattr(registry.validation.pyshacl, "validate", refuse)
    assert validator.validate(synthetic_executables).issues == []


def test_a_fault_in_the_checker_leaves_it_to_pyshacl(
    monkeypatch: pytest.MonkeyPatch, synthetic_executables: list[Document], slow_validator: Validator
) -> None:
    broken = Validator()
    assert broken.fast is not None

    def fail(graphs: object) -> bool:
        raise RuntimeError("a bug in the checker")

    monkeypatch.setattr(broken.fast, "clean", fail)
    bad = load_path(HERE / "data" / "shapes" / "Executable" / "invalid.json")
    for docs in (synthetic_executables[:5], [bad]):
        assert broken.validate(docs).to_dict() == slow_validator.validate(docs).to_dict()


def test_unstorable_iris_are_reported_every_time(validator: Validator) -> None:
    """IRIs found storable are remembered by their text; an unstorable one never is."""
    document = load_document(case_bytes("jsonld-invalid-iri.jsonld"), source="jsonld-invalid-iri.jsonld")
    first = validator.validate(document).to_dict()
    assert any("not a valid IRI" in issue["message"] for issue in first["issues"])
    assert validator.validate(document).to_dict() == first
    assert Validator().validate(document).to_dict() == first
