"""The URN taxonomies, the restated SKOS terms and the alignments, checked as Turtle.

These tests read the files in ``ontology/`` directly with rdflib (no registry code),
so they check the vocabulary itself: every taxonomy term is complete and well placed,
the hierarchies have no cycles and reach their top concepts, the terms examples and
code rely on exist, and an OWL-RL closure of the vocabulary alone derives
``skos:broaderTransitive``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

ONTOLOGY = Path(__file__).parents[1] / "ontology"
TAXONOMY_DIR = ONTOLOGY / "taxonomies"

ESAP = Namespace("https://w3id.org/esap-registry/vocab#")
VOCAB = URIRef("https://w3id.org/esap-registry/vocab")
ALIGNMENTS = URIRef("https://w3id.org/esap-registry/alignments")
SKOS_CORE = URIRef("http://www.w3.org/2004/02/skos/core")
SCHEMA = Namespace("http://schema.org/")
CWL = Namespace("https://w3id.org/cwl/cwl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
QUDT_UNIT = Namespace("http://qudt.org/vocab/unit/")
IVOA_EXEC = Namespace("https://www.purl.org/ivoa.net/executable-types/")


@dataclass(frozen=True)
class Taxonomy:
    """One URN taxonomy: its file, the class and scheme of its terms, and how its IRIs look."""

    file: str
    cls: URIRef
    scheme: URIRef
    iri_prefix: str  # what every term IRI starts with; the rest is the notation


TAXONOMIES = {
    "executable-types": Taxonomy("executable-types.ttl", ESAP.ExecutableType, ESAP.ExecutableTypes, "urn:types/"),
    "platform-kinds": Taxonomy("platform-kinds.ttl", ESAP.PlatformKind, ESAP.PlatformKinds, "urn:platforms/"),
    "data-content": Taxonomy("data-content.ttl", ESAP.DataContent, ESAP.DataContents, "urn:"),
    "data-formats": Taxonomy("data-formats.ttl", ESAP.DataFormat, ESAP.DataFormats, "urn:"),
}
NAMES = sorted(TAXONOMIES)

#: Terms that examples and code use: (taxonomy, term, a term it must be (transitively) narrower than or None).
REQUIRED = [
    ("executable-types", "urn:types/interactive", None),
    ("executable-types", "urn:types/notebook", "urn:types/interactive"),
    ("executable-types", "urn:types/jupyter-notebook", "urn:types/notebook"),
    ("executable-types", "urn:types/container", None),
    ("executable-types", "urn:types/docker-container", "urn:types/container"),
    ("executable-types", "urn:types/singularity-container", "urn:types/container"),
    ("executable-types", "urn:types/batch-job", None),
    ("executable-types", "urn:types/slurm-job", "urn:types/batch-job"),
    ("executable-types", "urn:types/htcondor-job", "urn:types/batch-job"),
    ("executable-types", "urn:types/mpi-job", "urn:types/batch-job"),
    ("executable-types", "urn:types/workflow", None),
    ("executable-types", "urn:types/cwl-workflow", "urn:types/workflow"),
    ("executable-types", "urn:types/snakemake-workflow", "urn:types/workflow"),
    ("executable-types", "urn:types/nextflow-workflow", "urn:types/workflow"),
    ("executable-types", "urn:types/script", None),
    ("executable-types", "urn:types/python-script", "urn:types/script"),
    ("executable-types", "urn:types/voila-dashboard", "urn:types/interactive"),
    ("executable-types", "urn:types/streamlit-app", "urn:types/interactive"),
    ("platform-kinds", "urn:platforms/notebook-service", None),
    ("platform-kinds", "urn:platforms/binderhub", "urn:platforms/notebook-service"),
    ("platform-kinds", "urn:platforms/jupyterhub", "urn:platforms/notebook-service"),
    ("platform-kinds", "urn:platforms/renkulab", "urn:platforms/notebook-service"),
    ("platform-kinds", "urn:platforms/hpc-batch-cluster", None),
    ("platform-kinds", "urn:platforms/slurm-cluster", "urn:platforms/hpc-batch-cluster"),
    ("platform-kinds", "urn:platforms/htcondor-pool", "urn:platforms/batch-system"),
    ("platform-kinds", "urn:platforms/cloud", None),
    ("platform-kinds", "urn:platforms/kubernetes-cloud", "urn:platforms/cloud"),
    ("platform-kinds", "urn:platforms/openstack-cloud", "urn:platforms/cloud"),
    ("platform-kinds", "urn:platforms/grid-site", None),
    ("platform-kinds", "urn:platforms/wlcg-site", "urn:platforms/grid-site"),
    ("data-content", "urn:astronomy-observation", None),
    ("data-content", "urn:astronomy-image", "urn:astronomy-observation"),
    ("data-content", "urn:astronomy-spectrum", "urn:astronomy-observation"),
    ("data-content", "urn:astronomy-time-series", "urn:astronomy-observation"),
    ("data-content", "urn:radio-visibility", "urn:astronomy-observation"),
    ("data-content", "urn:gamma-ray-event-list", "urn:astronomy-observation"),
    ("data-content", "urn:astronomy-catalogue", None),
    ("data-content", "urn:astrometric-catalogue", "urn:astronomy-catalogue"),
    ("data-content", "urn:source-catalogue", "urn:astronomy-catalogue"),
    ("data-content", "urn:simulation", None),
    ("data-content", "urn:cosmological-simulation", "urn:simulation"),
    ("data-content", "urn:monte-carlo-simulation", "urn:simulation"),
    ("data-content", "urn:particle-physics-event", None),
    ("data-content", "urn:particle-physics-raw-event", "urn:particle-physics-event"),
    ("data-content", "urn:particle-physics-reconstructed-event", "urn:particle-physics-event"),
    ("data-content", "urn:neutrino-event", None),
    ("data-content", "urn:gravitational-wave-strain", None),
    ("data-content", "urn:instrument-response-function", "urn:calibration-data"),
    ("data-formats", "urn:tabular-format", None),
    ("data-formats", "urn:columnar-format", "urn:tabular-format"),
    ("data-formats", "urn:parquet-binary", "urn:columnar-format"),
    ("data-formats", "urn:arrow-binary", "urn:columnar-format"),
    ("data-formats", "urn:csv-text", "urn:tabular-format"),
    ("data-formats", "urn:votable-xml", "urn:tabular-format"),
    ("data-formats", "urn:ecsv-text", "urn:tabular-format"),
    ("data-formats", "urn:fits-binary", None),
    ("data-formats", "urn:hdf5-binary", None),
    ("data-formats", "urn:netcdf-binary", None),
    ("data-formats", "urn:root-binary", None),
    ("data-formats", "urn:zarr-binary", None),
    ("data-formats", "urn:asdf-binary", None),
    ("data-formats", "urn:measurement-set", None),
    ("data-formats", "urn:json-text", None),
    ("data-formats", "urn:gwf-binary", None),
]

MAPPING_PROPERTIES = {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch}
MERGING_PROPERTIES = {OWL.equivalentClass, OWL.equivalentProperty, OWL.sameAs}


# -- fixtures and helpers ------------------------------------------------------


def _parse(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def taxonomy_graphs() -> dict[str, Graph]:
    """Each taxonomy file parsed on its own."""
    return {name: _parse(TAXONOMY_DIR / tax.file) for name, tax in TAXONOMIES.items()}


@pytest.fixture(scope="module")
def esap_graph() -> Graph:
    return _parse(ONTOLOGY / "esap.ttl")


@pytest.fixture(scope="module")
def external_graph() -> Graph:
    return _parse(ONTOLOGY / "external.ttl")


@pytest.fixture(scope="module")
def alignments_graph() -> Graph:
    return _parse(ONTOLOGY / "alignments.ttl")


@pytest.fixture(scope="module")
def vocabulary(esap_graph, taxonomy_graphs, external_graph, alignments_graph) -> Graph:
    """The whole vocabulary: esap.ttl, the taxonomies, external.ttl and alignments.ttl."""
    graph = Graph()
    access_types = _parse(TAXONOMY_DIR / ACCESS_TYPES.file)
    for part in (esap_graph, *taxonomy_graphs.values(), access_types, external_graph, alignments_graph):
        for triple in part:
            graph.add(triple)
    return graph


@pytest.fixture(scope="module")
def closure(vocabulary) -> Graph:
    """The OWL-RL closure of the vocabulary alone (its time: ``bench/bench_limits.py``)."""
    graph = Graph()
    for triple in vocabulary:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def terms(graph: Graph, tax: Taxonomy) -> set[URIRef]:
    """Every term a taxonomy file describes: the subjects typed skos:Concept or its class."""
    found = set(graph.subjects(RDF.type, SKOS.Concept)) | set(graph.subjects(RDF.type, tax.cls))
    return {t for t in found if isinstance(t, URIRef)}


def broader_map(graph: Graph, tax: Taxonomy) -> dict[URIRef, set[URIRef]]:
    return {t: {URIRef(b) for b in graph.objects(t, SKOS.broader)} for t in terms(graph, tax)}


def ancestors(term: URIRef, parents: dict[URIRef, set[URIRef]]) -> set[URIRef]:
    """Every term reachable from ``term`` by skos:broader (not including the term, unless in a cycle)."""
    seen: set[URIRef] = set()
    stack = list(parents.get(term, ()))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(parents.get(node, ()))
    return seen


def english(graph: Graph, subject: URIRef, prop: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, prop) if isinstance(o, Literal) and o.language == "en"]


# -- every file parses and says what it is ----------------------------------------

#: The access types: four flat terms, one per way of reaching a data set (too few for the size test).
ACCESS_TYPES = Taxonomy("access-types.ttl", ESAP.AccessType, ESAP.AccessTypes, "urn:access/")
VOCAB_FILES = [
    "esap.ttl",
    "external.ttl",
    "alignments.ttl",
    *(f"taxonomies/{t.file}" for t in TAXONOMIES.values()),
    f"taxonomies/{ACCESS_TYPES.file}",
]


@pytest.mark.parametrize("relative", VOCAB_FILES, ids=VOCAB_FILES)
def test_file_parses_and_has_a_header_comment(relative):
    path = ONTOLOGY / relative
    graph = _parse(path)
    assert len(graph) > 0
    first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
    assert first.startswith("#"), f"{relative} should open with a comment explaining it"


# -- the taxonomy terms -----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_taxonomy_is_a_realistic_size(taxonomy_graphs, name):
    count = len(terms(taxonomy_graphs[name], TAXONOMIES[name]))
    assert 15 <= count <= 40, f"{name} has {count} terms"


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_terms_are_typed_and_in_their_scheme(taxonomy_graphs, name):
    tax, graph = TAXONOMIES[name], taxonomy_graphs[name]
    problems = []
    for term in sorted(terms(graph, tax)):
        if (term, RDF.type, SKOS.Concept) not in graph:
            problems.append(f"{term} is not a skos:Concept")
        if (term, RDF.type, tax.cls) not in graph:
            problems.append(f"{term} is not a {tax.cls}")
        if set(graph.objects(term, SKOS.inScheme)) != {tax.scheme}:
            problems.append(f"{term} is not (only) in {tax.scheme}")
        if set(graph.objects(term, RDFS.isDefinedBy)) != {VOCAB}:
            problems.append(f"{term} is not rdfs:isDefinedBy the vocabulary")
        if not str(term).startswith(tax.iri_prefix):
            problems.append(f"{term} does not start with {tax.iri_prefix}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_terms_have_labels_definitions_and_notation(taxonomy_graphs, name):
    tax, graph = TAXONOMIES[name], taxonomy_graphs[name]
    problems = []
    for term in sorted(terms(graph, tax)):
        pref = english(graph, term, SKOS.prefLabel)
        if len(list(graph.objects(term, SKOS.prefLabel))) != 1 or len(pref) != 1:
            problems.append(f"{term} needs exactly one skos:prefLabel, in English")
            continue
        if english(graph, term, RDFS.label) != pref:
            problems.append(f"{term}: rdfs:label should repeat the prefLabel {pref[0]!r}")
        definition = english(graph, term, SKOS.definition)
        comment = english(graph, term, RDFS.comment)
        if len(definition) != 1 or comment != definition:
            problems.append(f"{term} needs one English skos:definition, repeated as rdfs:comment")
        elif not (str(definition[0])[:1].isupper() and str(definition[0]).endswith(".") and len(definition[0].split()) >= 6):
            problems.append(f"{term}: the definition should be a sentence: {definition[0]!r}")
        notation = [str(n) for n in graph.objects(term, SKOS.notation)]
        if notation != [str(term).removeprefix(tax.iri_prefix)]:
            problems.append(f"{term}: skos:notation {notation} is not its short name")
        alt = {str(a) for a in graph.objects(term, SKOS.altLabel)}
        if str(pref[0]) in alt:
            problems.append(f"{term}: an altLabel repeats the prefLabel")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_preferred_labels_and_notations_are_unique(taxonomy_graphs, name):
    tax, graph = TAXONOMIES[name], taxonomy_graphs[name]
    labels = [str(graph.value(t, SKOS.prefLabel)).casefold() for t in terms(graph, tax)]
    notations = [str(graph.value(t, SKOS.notation)) for t in terms(graph, tax)]
    assert len(labels) == len(set(labels)), sorted(lab for lab in labels if labels.count(lab) > 1)
    assert len(notations) == len(set(notations))


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_only_broader_is_asserted(taxonomy_graphs, name):
    graph = taxonomy_graphs[name]
    for prop in (SKOS.narrower, SKOS.broaderTransitive, SKOS.narrowerTransitive):
        assert not list(graph.triples((None, prop, None))), f"{name} asserts {prop}"


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_broader_targets_are_terms_of_the_same_scheme(taxonomy_graphs, name):
    tax, graph = TAXONOMIES[name], taxonomy_graphs[name]
    own = terms(graph, tax)
    bad = [(s, o) for s, o in graph.subject_objects(SKOS.broader) if o not in own or s not in own or s == o]
    assert not bad, bad


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_hierarchy_has_no_cycle(taxonomy_graphs, name):
    parents = broader_map(taxonomy_graphs[name], TAXONOMIES[name])
    cyclic = sorted(t for t in parents if t in ancestors(t, parents))
    assert not cyclic, f"terms on a skos:broader cycle: {cyclic}"


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_top_concepts_are_declared_both_ways(taxonomy_graphs, esap_graph, name):
    tax, graph = TAXONOMIES[name], taxonomy_graphs[name]
    assert (tax.scheme, RDF.type, SKOS.ConceptScheme) in esap_graph, f"{tax.scheme} is declared in esap.ttl"
    parents = broader_map(graph, tax)
    roots = {t for t, p in parents.items() if not p}
    assert roots, f"{name} has no top concept"
    assert set(graph.subjects(SKOS.topConceptOf, tax.scheme)) == roots
    assert set(graph.objects(tax.scheme, SKOS.hasTopConcept)) == roots


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_every_term_reaches_a_top_concept(taxonomy_graphs, name):
    tax, graph = TAXONOMIES[name], taxonomy_graphs[name]
    parents = broader_map(graph, tax)
    tops = set(graph.subjects(SKOS.topConceptOf, tax.scheme))
    stranded = sorted(t for t, p in parents.items() if p and not (ancestors(t, parents) & tops))
    assert not stranded, stranded


def test_no_term_is_in_two_taxonomies(taxonomy_graphs):
    seen: dict[URIRef, str] = {}
    for name in NAMES:
        for term in terms(taxonomy_graphs[name], TAXONOMIES[name]):
            assert term not in seen, f"{term} is in both {seen[term]} and {name}"
            seen[term] = name


@pytest.mark.parametrize(("name", "term", "under"), REQUIRED, ids=[t for _, t, _ in REQUIRED])
def test_required_term_exists(taxonomy_graphs, name, term, under):
    tax, graph = TAXONOMIES[name], taxonomy_graphs[name]
    iri = URIRef(term)
    assert iri in terms(graph, tax), f"{term} is missing from {tax.file}"
    if under is not None:
        assert URIRef(under) in ancestors(iri, broader_map(graph, tax)), f"{term} should be narrower than {under}"


# -- the OWL-RL closure of the vocabulary -------------------------------------------


@pytest.mark.parametrize(
    ("narrower", "broader"),
    [
        ("urn:types/jupyter-notebook", "urn:types/interactive"),
        ("urn:types/docker-container", "urn:types/container"),
        ("urn:parquet-binary", "urn:tabular-format"),
        ("urn:gamma-ray-event-list", "urn:astronomy-observation"),
        ("urn:platforms/binderhub", "urn:platforms/notebook-service"),
    ],
    ids=["jupyter-notebook", "docker-container", "parquet-binary", "gamma-ray-event-list", "binderhub"],
)
def test_closure_derives_broader_transitive(closure, narrower, broader):
    graph = closure
    assert (URIRef(narrower), SKOS.broaderTransitive, URIRef(broader)) in graph
    assert (URIRef(broader), SKOS.narrowerTransitive, URIRef(narrower)) in graph


def test_closure_matches_the_asserted_hierarchy(closure, taxonomy_graphs):
    """broaderTransitive in the closure is exactly the transitive skos:broader of the files: no
    alignment or external term leaks into the taxonomies."""
    graph = closure
    expected = set()
    for name in NAMES:
        parents = broader_map(taxonomy_graphs[name], TAXONOMIES[name])
        expected |= {(t, a) for t in parents for a in ancestors(t, parents)}
    derived = set(graph.subject_objects(SKOS.broaderTransitive))
    assert derived == expected


def test_closure_does_not_make_other_vocabularies_terms_concepts(closure, taxonomy_graphs):
    graph = closure
    ours = set().union(*(terms(taxonomy_graphs[n], TAXONOMIES[n]) for n in NAMES))
    ours |= terms(_parse(TAXONOMY_DIR / ACCESS_TYPES.file), ACCESS_TYPES)
    concepts = {c for c in graph.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef)}
    assert concepts == ours


# -- the terms of esap.ttl ----------------------------------------------------------


def test_every_esap_term_has_a_label_and_a_comment(esap_graph):
    defined = sorted(set(esap_graph.subjects(RDFS.isDefinedBy, VOCAB)))
    assert len(defined) > 40
    missing = [t for t in defined if not english(esap_graph, t, RDFS.label) or not english(esap_graph, t, RDFS.comment)]
    assert not missing, missing


# -- external.ttl -------------------------------------------------------------------


def test_external_terms_are_skos_restated(external_graph):
    subjects = {s for s in external_graph.subjects() if isinstance(s, URIRef)}
    assert subjects and all(str(s).startswith(str(SKOS)) for s in subjects)
    for term in subjects:
        assert (term, RDFS.isDefinedBy, SKOS_CORE) in external_graph, term
        assert english(external_graph, term, RDFS.label), term
        assert english(external_graph, term, RDFS.comment), term
    assert (SKOS.Concept, RDF.type, OWL.Class) in external_graph
    assert (SKOS.broader, RDFS.subPropertyOf, SKOS.broaderTransitive) in external_graph
    assert (SKOS.broaderTransitive, RDF.type, OWL.TransitiveProperty) in external_graph
    assert (SKOS.broaderTransitive, OWL.inverseOf, SKOS.narrowerTransitive) in external_graph
    assert (SKOS.narrower, OWL.inverseOf, SKOS.broader) in external_graph


def test_external_terms_do_not_tie_mappings_to_the_hierarchy(external_graph):
    for prop in MAPPING_PROPERTIES:
        supers = set(external_graph.objects(prop, RDFS.subPropertyOf))
        assert not supers & {SKOS.broader, SKOS.narrower, SKOS.related, SKOS.semanticRelation}, prop


# -- alignments.ttl -----------------------------------------------------------------


def test_alignments_header(alignments_graph):
    g = alignments_graph
    assert (ALIGNMENTS, RDF.type, OWL.Ontology) in g
    assert (ALIGNMENTS, OWL.imports, VOCAB) in g
    assert g.value(ALIGNMENTS, OWL.versionIRI) is not None
    assert (ALIGNMENTS, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert english(g, ALIGNMENTS, DCTERMS.title) and english(g, ALIGNMENTS, DCTERMS.description)


def test_alignments_never_merge_terms(alignments_graph):
    used = set(alignments_graph.predicates())
    assert not used & MERGING_PROPERTIES


def test_alignments_map_only_our_terms(alignments_graph, vocabulary):
    ours = set(vocabulary.subjects(RDFS.isDefinedBy, VOCAB))
    stray = [(s, p, o) for s, p, o in alignments_graph if p in MAPPING_PROPERTIES and s not in ours]
    assert not stray, stray
    assert not [o for o in alignments_graph.objects() if isinstance(o, URIRef) and str(o).startswith(str(ESAP)) and o not in ours]


@pytest.mark.parametrize(
    ("subject", "target"),
    [
        ("urn:types/jupyter-notebook", IVOA_EXEC["jupyter-notebook"]),
        ("urn:types/docker-container", IVOA_EXEC["docker-container"]),
        ("urn:types/singularity-container", IVOA_EXEC["singularity-container"]),
        (ESAP.Executable, SCHEMA.SoftwareApplication),
        (ESAP.Executable, SCHEMA.SoftwareSourceCode),
        (ESAP.minMemory, SCHEMA.memoryRequirements),
        (ESAP.minCores, SCHEMA.processorRequirements),
        (ESAP.minSize, SCHEMA.storageRequirements),
        (ESAP.repository, SCHEMA.codeRepository),
        (ESAP.ComputeRequirement, CWL.ResourceRequirement),
        (ESAP.minCores, URIRef(CWL + "ResourceRequirement/coresMin")),
        (ESAP.maxCores, URIRef(CWL + "ResourceRequirement/coresMax")),
        (ESAP.minMemoryGiB, URIRef(CWL + "ResourceRequirement/ramMin")),
        (ESAP.maxMemoryGiB, URIRef(CWL + "ResourceRequirement/ramMax")),
        (ESAP.minSizeGiB, URIRef(CWL + "ResourceRequirement/outdirMin")),
        (ESAP.minSizeGiB, URIRef(CWL + "ResourceRequirement/tmpdirMin")),
        (ESAP.DataCollection, DCAT.Dataset),
        (ESAP.sizeGiB, DCAT.byteSize),
        (ESAP.dataFormat, DCTERMS["format"]),
        (ESAP.dataFormat, DCAT.mediaType),
        (ESAP.title, DCTERMS.title),
        (ESAP.description, DCTERMS.description),
        (ESAP.GibiByte, QUDT_UNIT.GibiBYTE),
        (ESAP.Hour, QUDT_UNIT.HR),
        (ESAP.One, QUDT_UNIT.NUM),
    ],
    ids=lambda v: re.sub(r".*[#/]", "", str(v)),
)
def test_required_alignment(alignments_graph, subject, target):
    subject = URIRef(subject)
    linked = {p for p in alignments_graph.predicates(subject, target)}
    assert linked & MAPPING_PROPERTIES, f"no SKOS mapping from {subject} to {target}"


def test_glue2_alignments_use_one_namespace(alignments_graph):
    glue = {str(o) for o in alignments_graph.objects() if "schemas.ogf.org/glue" in str(o)}
    names = {g.rsplit("#", 1)[1] for g in glue}
    assert len({g.rsplit("#", 1)[0] for g in glue}) == 1
    assert {"ComputingService", "ExecutionEnvironment", "ComputingShare", "StorageService"} <= names
    assert {"ComputingShare.MaxWallTime", "ExecutionEnvironment.LogicalCPUs", "ExecutionEnvironment.MainMemorySize"} <= names


def test_cwl_memory_mappings_state_the_unit(alignments_graph):
    g = alignments_graph
    for field in ("ramMin", "ramMax"):
        axioms = list(g.subjects(OWL.annotatedTarget, URIRef(CWL + f"ResourceRequirement/{field}")))
        assert axioms, field
        assert any("MiB" in str(c) for a in axioms for c in g.objects(a, RDFS.comment)), field


# -- access types -------------------------------------------------------------------


def test_access_types_are_complete_and_aligned_to_the_execution_broker(alignments_graph):
    graph = _parse(TAXONOMY_DIR / ACCESS_TYPES.file)
    kinds = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/data/"
    expected = {"url": "simple-data-resource", "s3": "S3-data-resource", "rucio": "rucio-data-resource", "ivoa": "ivoa-data-resource"}
    assert terms(graph, ACCESS_TYPES) == {URIRef(ACCESS_TYPES.iri_prefix + n) for n in expected}
    for name, kind in expected.items():
        term = URIRef(ACCESS_TYPES.iri_prefix + name)
        assert (term, RDF.type, SKOS.Concept) in graph and set(graph.objects(term, SKOS.inScheme)) == {ACCESS_TYPES.scheme}
        assert [str(n) for n in graph.objects(term, SKOS.notation)] == [name]
        assert len(english(graph, term, SKOS.prefLabel)) == 1 and english(graph, term, SKOS.definition) == english(graph, term, RDFS.comment)
        assert (term, RDFS.isDefinedBy, VOCAB) in graph
        assert (term, SKOS.exactMatch, URIRef(kinds + kind)) in alignments_graph
    assert (URIRef(ACCESS_TYPES.iri_prefix + "rucio"), SKOS.narrowMatch, URIRef(kinds + "skao-data-resource")) in alignments_graph
    assert (ESAP.Dataset, SKOS.closeMatch, DCAT.Dataset) in alignments_graph
    assert (ESAP.DataAccess, SKOS.closeMatch, DCAT.Distribution) in alignments_graph
    assert (ESAP.accessURL, SKOS.exactMatch, DCAT.accessURL) in alignments_graph
