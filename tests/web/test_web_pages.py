"""The ontology's pages and downloads, the registry's pages, and escaping."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, SKOS, Graph, URIRef
from web_support import AUTH, MYBINDER, NEW_UUID, NOTEBOOK, new_executable

from registry.vocabulary import ESAP, get_vocabulary
from registry.web.ontology_index import OntologyIndex

HTML = {"Accept": "text/html"}


def term_url(iri: str) -> str:
    return f"/ontology/term?iri={quote(iri, safe='')}"


# -- the ontology ----------------------------------------------------------------------------


def test_overview_lists_classes_properties_and_taxonomy_trees(client: TestClient) -> None:
    page = client.get("/ontology").text
    index = OntologyIndex(get_vocabulary())
    for cls in index.classes:
        assert f'id="{cls.removeprefix(str(ESAP))}"' in page
    assert 'id="minCores"' in page and 'id="runsExecutableType"' in page
    for scheme, roots in index.schemes:
        assert f'id="{scheme.removeprefix(str(ESAP))}"' in page and roots
    # a tree: Jupyter notebook sits under notebook, under interactive executable
    interactive = page.index(term_url("urn:types/interactive"))
    notebook = page.index(term_url("urn:types/notebook"), interactive)
    assert page.index(term_url("urn:types/jupyter-notebook"), notebook) > notebook


def test_every_term_dereferences_to_html_and_rdf(client: TestClient) -> None:
    index = OntologyIndex(get_vocabulary())
    assert len(index.terms) > 150
    for iri in sorted(index.terms):
        page = client.get(term_url(iri), headers=HTML)
        assert page.status_code == 200, iri
        assert f"<code>{iri}</code>" in page.text
        turtle = client.get(term_url(iri), headers={"Accept": "text/turtle"})
        assert turtle.headers["content-type"].startswith("text/turtle")
        assert (URIRef(iri), None, None) in Graph().parse(data=turtle.text, format="turtle"), iri


def test_term_page_of_a_taxonomy_term(client: TestClient) -> None:
    page = client.get(term_url("urn:types/notebook"), headers=HTML).text
    assert "interactive executable" in page.split('class="broader"')[1].split("</dd>")[0]
    assert "Jupyter notebook" in page.split('class="narrower"')[1].split("</dd>")[0]
    assert '<span class="usage-count">5</span> registry entries, 7 with its narrower terms' in page
    assert "/executables?type=urn%3Atypes%2Fnotebook" in page
    jupyter = client.get(term_url("urn:types/jupyter-notebook"), headers=HTML).text
    assert "skos:exactMatch" in jupyter and "ivoa" in jupyter.lower()


def test_term_page_of_a_property_and_a_class(client: TestClient) -> None:
    page = client.get(term_url(str(ESAP.minCores)), headers=HTML).text
    assert "compute requirement" in page and '<span class="usage-count">7</span>' in page
    cls = client.get(term_url(str(ESAP.Executable)), headers=HTML).text
    assert "registry entry" in cls and "schema.org" in cls.replace("http://schema.org/", "schema.org")


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("application/n-triples", "nt"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
    ids=["ntriples", "jsonld", "rdfxml"],
)
def test_term_as_rdf(client: TestClient, accept: str, fmt: str) -> None:
    response = client.get(term_url("urn:types/jupyter-notebook"), headers={"Accept": accept})
    graph = Graph().parse(data=response.content, format=fmt)
    assert (URIRef("urn:types/jupyter-notebook"), SKOS.broader, URIRef("urn:types/notebook")) in graph


def test_unknown_term_is_404(client: TestClient) -> None:
    assert client.get(term_url("urn:types/nothing")).status_code == 404
    page = client.get(term_url("urn:types/nothing"), headers=HTML)
    assert page.status_code == 404 and "no term urn:types/nothing" in page.text


def test_esap_names_are_their_term_page(client: TestClient) -> None:
    response = client.get("/ontology/minCores", headers=HTML, follow_redirects=False)
    assert response.status_code == 200 and f"<code>{ESAP.minCores}</code>" in response.text


@pytest.mark.parametrize(
    ("path", "accept", "fmt"),
    [
        ("/vocab", "text/turtle", "turtle"),
        ("/vocab", "application/ld+json", "json-ld"),
        ("/vocab", "application/rdf+xml", "xml"),
        ("/vocab", "*/*", "turtle"),
        ("/vocab.ttl", None, "turtle"),
        ("/vocab.jsonld", None, "json-ld"),
        ("/vocab.rdf", None, "xml"),
        ("/vocab.nt", None, "nt"),
    ],
    ids=["turtle", "jsonld", "rdfxml", "any", "ttl-file", "jsonld-file", "rdf-file", "nt-file"],
)
def test_vocabulary_downloads(client: TestClient, path: str, accept: str | None, fmt: str) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    assert len(graph) == len(get_vocabulary().graph)
    assert (ESAP.Executable, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph


def test_vocab_for_browsers_is_the_overview(client: TestClient) -> None:
    page = client.get("/vocab", headers=HTML)
    assert page.headers["content-type"].startswith("text/html") and 'id="minCores"' in page.text


@pytest.mark.parametrize(
    ("path", "fmt"),
    [("/shapes.ttl", "turtle"), ("/shapes.jsonld", "json-ld"), ("/shapes.rdf", "xml"), ("/shapes", "turtle")],
    ids=["ttl", "jsonld", "rdfxml", "negotiated"],
)
def test_shapes_downloads(client: TestClient, path: str, fmt: str) -> None:
    graph = Graph().parse(data=client.get(path).content, format=fmt)
    assert (None, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) in graph


def test_context_and_missing_downloads(client: TestClient) -> None:
    assert "@context" in client.get("/context.jsonld").json()
    assert client.get("/vocab.yaml").status_code == 404


# -- the registry's pages --------------------------------------------------------------------------


def test_list_page_with_search_and_type_filter(client: TestClient) -> None:
    everything = client.get("/platforms", headers=HTML).text
    assert everything.count('class="entry"') == 7
    binders = client.get("/platforms?type=urn%3Aplatforms%2Fbinderhub", headers=HTML).text
    assert binders.count('class="entry"') == 4 and "MyBinder</a>" in binders and "RenkuLab</a>" not in binders
    text = client.get("/executables?q=GAIA", headers=HTML).text
    assert text.count('class="entry"') == 2
    notebooks = client.get("/executables?type=urn%3Atypes%2Fnotebook", headers=HTML).text
    assert notebooks.count('class="entry"') == 2  # Jupyter notebooks are notebooks
    assert client.get("/executables?type=not%20an%20iri", headers=HTML).status_code == 422


def test_executable_page_shows_resources_and_where_it_runs(client: TestClient) -> None:
    page = client.get(f"/executables/{NOTEBOOK}", headers=HTML).text
    assert "compute-resources" in page and "Where it can run" in page
    assert f'href="/platforms/{MYBINDER}"' in page
    assert 'class="launch" href="https://mybinder.org/v2/git/' in page
    assert f'href="/plan/{NOTEBOOK}"' in page
    assert term_url("urn:types/jupyter-notebook") in page


def test_platform_page_and_plan_page(client: TestClient) -> None:
    page = client.get(f"/platforms/{MYBINDER}", headers=HTML).text
    assert "MyBinder" in page and term_url("urn:platforms/binderhub") in page
    plan = client.get(f"/plan/{NOTEBOOK}?at=max&cores=4", headers=HTML)
    assert plan.status_code == 200 and "Where Find ESCAPE OSSR records can run" in plan.text
    assert 'value="4"' in plan.text and "Why not the other" in plan.text


def test_home_and_docs(client: TestClient) -> None:
    assert "ESAP registry" in client.get("/", headers=HTML).text
    assert client.get("/").json()["sparql"] == "/sparql"
    docs = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/executables", "/executables/{uuid}", "/platforms", "/sparql", "/update", "/plan/{uuid}", "/plan", "/validate"} <= set(paths)


def test_what_users_wrote_is_escaped(write_client: TestClient) -> None:
    evil = "<script>alert('x')</script>"
    manifest = new_executable(title=evil, description='<img src=x onerror="alert(1)">')
    manifest["executables"][0]["location"] = {"repository": "javascript:alert(1)", "ref": "main", "path": "a.ipynb"}
    assert write_client.post("/executables", json=manifest, headers=AUTH).status_code == 201
    for path in ("/executables", f"/executables/{NEW_UUID}", "/executables?q=script", f"/plan/{NEW_UUID}"):
        page = write_client.get(path, headers=HTML).text
        assert evil not in page and "&lt;script&gt;" in page, path
        assert "<img src=x" not in page
        assert 'href="javascript:' not in page
    turtle = write_client.get(f"/executables/{NEW_UUID}?format=turtle").text
    assert "<script>" in turtle  # data formats give the text as written
    assert json.loads(write_client.get(f"/executables/{NEW_UUID}").text)["title"] == evil
