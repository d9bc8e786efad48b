"""Data-driven tests of the SHACL shapes, in the style of the GeoSPARQL test suite.

For every targeted node shape ``shapes:<Name>`` there is a folder
``tests/data/shapes/<Name>/`` holding

* ``valid.json``: a complete manifest that conforms (no violation);
* ``invalid.json``: a manifest whose problems exercise that shape's rules;
* ``invalid.expected.json``: the list of ``{"path": ..., "shape": ...}`` of every
  violation expected, ``path`` being the JSON path of the key at fault and
  ``shape`` the full IRI of the property shape that reports it.

The structural tests at the end need only rdflib: every shape is named by an
IRI and has a label and a message, and the unit patterns are the very ones of
:mod:`registry.units`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "shapes"
SHAPES_DIR = HERE.parent / "shapes"

SH = Namespace("http://www.w3.org/ns/shacl#")
ESAP = Namespace("https://w3id.org/esap-registry/vocab#")
SHAPES = Namespace("https://w3id.org/esap-registry/shapes#")
SHAPES_ONTOLOGY = URIRef("https://w3id.org/esap-registry/shapes")

CASES = sorted(p for p in DATA.iterdir() if p.is_dir()) if DATA.is_dir() else []
CASE_IDS = [p.name for p in CASES]


def _shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return _shapes_graph()


@pytest.fixture(scope="module")
def validate_file():
    """The registry's validator; imported here so that the structural tests run without it."""
    from registry.validation import validate_file

    return validate_file


def _violations(report) -> set[tuple[str | None, str | None]]:
    return {(issue.path, issue.shape) for issue in report.issues if issue.severity == "Violation"}


def _expected(case: Path) -> list[dict[str, str]]:
    return json.loads((case / "invalid.expected.json").read_text(encoding="utf-8"))


def _all_shapes(graph: Graph) -> set:
    """Every node that the shapes graph uses as a shape, wherever it appears."""
    shapes: set = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(graph.subjects(SH.path, None))
    for target in (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf):
        shapes |= set(graph.subjects(target, None))
    for link in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        shapes |= set(graph.objects(None, link))
    for logical in (SH["or"], SH["and"], SH.xone):
        for head in graph.objects(None, logical):
            shapes |= set(Collection(graph, head))
    return shapes


def _targeted_node_shapes(graph: Graph) -> set[str]:
    return {
        str(shape).removeprefix(str(SHAPES))
        for shape in graph.subjects(RDF.type, SH.NodeShape)
        if any((shape, target, None) in graph for target in (SH.targetClass, SH.targetObjectsOf))
    }


# --------------------------------------------------------------------------
# The shapes against manifests, through the registry's validator
# --------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_valid_manifest_conforms(case: Path, validate_file) -> None:
    report = validate_file(case / "valid.json")
    violations = [(i.path, i.shape, i.message) for i in report.issues if i.severity == "Violation"]
    assert violations == []
    assert report.conforms


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_invalid_manifest_reports_expected_violations(case: Path, validate_file) -> None:
    report = validate_file(case / "invalid.json")
    assert not report.conforms
    expected = {(item["path"], item["shape"]) for item in _expected(case)}
    got = _violations(report)
    assert sorted(got - expected, key=str) == [], "violations reported but not expected"
    assert sorted(expected - got, key=str) == [], "violations expected but not reported"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("which", ["valid.json", "invalid.json"])
def test_every_issue_has_a_message(case: Path, which: str, validate_file) -> None:
    report = validate_file(case / which)
    for issue in report.issues:
        assert isinstance(issue.message, str) and issue.message.strip(), issue


# --------------------------------------------------------------------------
# The test data itself
# --------------------------------------------------------------------------


def test_every_targeted_node_shape_has_test_data(shapes_graph: Graph) -> None:
    assert sorted(_targeted_node_shapes(shapes_graph)) == CASE_IDS


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_test_data_is_complete(case: Path, shapes_graph: Graph) -> None:
    for name in ("valid.json", "invalid.json", "invalid.expected.json"):
        assert (case / name).is_file(), f"{case.name}/{name} is missing"
    expected = _expected(case)
    assert expected, "an invalid manifest must expect at least one violation"
    pairs = [(item["path"], item["shape"]) for item in expected]
    assert len(pairs) == len(set(pairs)), "duplicate expectations"
    for path, shape in pairs:
        assert isinstance(path, str) and path
        assert (URIRef(shape), RDF.type, SH.PropertyShape) in shapes_graph, f"{shape} is not a property shape"
        assert (URIRef(shape), SH.severity, SH.Violation) in shapes_graph, f"{shape} does not report violations"


# --------------------------------------------------------------------------
# The shapes graph on its own (rdflib only)
# --------------------------------------------------------------------------


def test_shapes_files_exist() -> None:
    assert sorted(SHAPES_DIR.glob("*.ttl")), f"no shapes in {SHAPES_DIR}"


def test_shapes_ontology_header(shapes_graph: Graph) -> None:
    assert (SHAPES_ONTOLOGY, RDF.type, OWL.Ontology) in shapes_graph
    assert shapes_graph.value(SHAPES_ONTOLOGY, OWL.versionInfo) is not None
    assert shapes_graph.value(SHAPES_ONTOLOGY, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_every_shape_is_named_labelled_and_has_a_message(shapes_graph: Graph) -> None:
    shapes = _all_shapes(shapes_graph)
    assert shapes
    blank = [s for s in shapes if isinstance(s, BNode)]
    assert blank == [], f"{len(blank)} blank-node shapes"
    for shape in shapes:
        assert isinstance(shape, URIRef) and str(shape).startswith(str(SHAPES)), shape
        labels = [o for o in shapes_graph.objects(shape, RDFS.label) if isinstance(o, Literal) and str(o).strip()]
        messages = [o for o in shapes_graph.objects(shape, SH.message) if isinstance(o, Literal) and str(o).strip()]
        assert labels, f"{shape} has no rdfs:label"
        assert messages, f"{shape} has no sh:message"


def test_property_shapes_belong_to_a_node_shape_and_have_a_severity(shapes_graph: Graph) -> None:
    for shape in shapes_graph.subjects(RDF.type, SH.PropertyShape):
        assert any(shapes_graph.subjects(SH.property, shape)), f"{shape} is used by no node shape"
        assert shapes_graph.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape
        assert shapes_graph.value(shape, SH.path) is not None, shape


def test_nested_node_shapes_are_targeted_by_their_linking_property(shapes_graph: Graph) -> None:
    links = {
        "ComputeRequirement": ESAP.computeRequirement,
        "StorageRequirement": ESAP.storageRequirement,
        "DataRequirement": ESAP.dataRequirement,
        "Location": ESAP.location,
        "NodePool": ESAP.nodePool,
        "StorageOffer": ESAP.storageOffer,
        "DataCollection": ESAP.holdsData,
        "DataAccess": ESAP.access,
    }
    for name, link in links.items():
        assert (SHAPES[name], SH.targetObjectsOf, link) in shapes_graph, name
    for name in ("Executable", "Platform", "Dataset"):
        assert (SHAPES[name], SH.targetClass, ESAP[name]) in shapes_graph, name


def test_unit_patterns_are_those_of_registry_units(shapes_graph: Graph) -> None:
    from registry.units import DATA_SIZE_PATTERN, DURATION_PATTERN

    for shape, pattern in ((SHAPES.DataSizeString, DATA_SIZE_PATTERN), (SHAPES.DurationString, DURATION_PATTERN)):
        assert str(shapes_graph.value(shape, SH.pattern)) == pattern, shape
        assert str(shapes_graph.value(shape, SH.flags)) == "i", shape


def test_pyshacl_finds_the_same_constraint_parameters_by_hash() -> None:
    """registry.pyshacl_patch indexes pySHACL's parameter list: the same parameters, found
    by hash, and its advanced mode's copy-and-append still works."""
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
    from rdflib import SH

    from registry.pyshacl_patch import install_parameter_index

    install_parameter_index()

    parameters, mapping = pyshacl.shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
    assert list(parameters) == list(ALL_CONSTRAINT_PARAMETERS) and set(mapping) == set(ALL_CONSTRAINT_PARAMETERS)
    assert all(p in parameters for p in ALL_CONSTRAINT_PARAMETERS)
    assert SH.targetClass not in parameters and SH.expression not in parameters
    advanced = parameters.copy()
    advanced.append(SH.expression)
    assert SH.expression in advanced and SH.expression not in parameters
