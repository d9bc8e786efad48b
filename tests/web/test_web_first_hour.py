"""A newcomer's first hour on the web pages (issue 19, "The web"): a shared query link
opened in a browser, the vocabulary by Accept at /ontology, text search by words,
terms linked without a '#', the executables list, and entry pages in words a person
uses. (The W3C protocol cases are in test_w3c_protocol.py, the phone width in
test_web_phone.py.)"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from rdflib import OWL, RDF, Graph
from web_support import MYBINDER, NOTEBOOK

from registry.resources import load_query
from registry.vocabulary import ESAP, get_vocabulary
from registry.web.pages import ACCENTS, MAX_WORDS, fold_words

HTML = {"Accept": "text/html"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"}
TITLES = (
    "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
    "SELECT ?e ?title WHERE { ?e a esap:Executable ; esap:title ?title } ORDER BY ?title"
)
BROKEN = "SELECT ?x\nWHERE {\n  ?x ?y ?z .\n  FILTER(?x = ) }"
GAIA_HPC = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a06"


def titles(page: str) -> list[str]:
    return re.findall(r'class="entry" href="[^"]+">([^<]+)</a>', page)


# -- a shared /sparql?query= link in a browser --------------------------------------------------


def test_a_browser_following_a_query_link_gets_the_page_with_the_results(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": TITLES}, headers=BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'id="query-form"' in page
    textarea = page.split('<textarea id="query" name="query"', 1)[1].split(">", 1)[1].split("</textarea>")[0]
    assert textarea == TITLES.replace("<", "&lt;").replace(">", "&gt;")
    table = page.split('<table class="results">')[1].split("</table>")[0]
    assert table.count("<tr>") == 8  # the header and 7 executables
    assert "Find ESCAPE OSSR records" in table and f'href="/entries/{NOTEBOOK}"' in table
    assert '<p class="count">7 results</p>' in page


def test_clients_of_the_protocol_still_get_results(client: TestClient) -> None:
    for accept in ("*/*", "application/sparql-results+json", "application/xml", None):
        response = client.get("/sparql", params={"query": TITLES}, headers={"Accept": accept} if accept else {})
        assert response.status_code == 200 and not response.headers["content-type"].startswith("text/html"), accept


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("ASK { ?s a <https://w3id.org/esap-registry/vocab#Platform> }", '<p class="boolean">Answer: yes (true)</p>'),
        ("CONSTRUCT { <urn:a> <urn:b> 1 } WHERE {}", "ns1:a ns1:b 1 .\n\n</pre>"),
    ],
    ids=["ask", "construct"],
)
def test_a_query_link_of_another_form(client: TestClient, query: str, shown: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers=BROWSER)
    assert response.status_code == 200 and shown in response.text


def test_a_broken_query_link_shows_the_error_at_its_line_and_column(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": BROKEN}, headers=BROWSER)
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert '<p class="error-position">at line 4, column 18</p>' in response.text
    assert '<pre class="error-at">  FILTER(?x = ) }\n                 ^</pre>' in response.text


def test_query_errors_carry_their_line_and_column(client: TestClient) -> None:
    body = client.post("/sparql", data={"query": BROKEN}).json()
    assert body["error"] == "query" and (body["line"], body["column"]) == (4, 18)
    assert "line" not in client.post("/sparql", data={"query": "INSERT DATA {}"}).json()


def test_the_query_page_offers_json_and_keeps_the_query_in_its_address(client: TestClient) -> None:
    page = client.get("/sparql", headers=HTML).text
    assert '<option value="application/sparql-results+json">JSON</option>' in page
    assert '<form id="query-form" class="query" method="get" action="/sparql">' in page  # without scripts too
    script = client.get("/static/query.js").text
    assert 'history.replaceState(null, "", "/sparql?" + new URLSearchParams({ query: textarea.value })' in script


# -- the vocabulary ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
    ids=["turtle", "jsonld", "rdfxml", "ntriples"],
)
def test_ontology_answers_the_vocabulary_by_accept(client: TestClient, accept: str, fmt: str) -> None:
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=fmt)
    assert len(graph) == len(get_vocabulary().graph)
    assert (ESAP.minMemory, RDF.type, OWL.DatatypeProperty) in graph or (ESAP.minMemory, None, None) in graph
    assert client.get("/ontology", headers=HTML).headers["content-type"].startswith("text/html")


def test_terms_are_linked_by_their_name(client: TestClient) -> None:
    overview = client.get("/ontology", headers=HTML).text
    assert 'href="/ontology/minCores"' in overview and 'href="/ontology/Executable"' in overview
    assert "/ontology/term?iri=https%3A%2F%2Fw3id.org%2Fesap-registry%2Fvocab%23" not in overview
    assert 'href="/ontology/term?iri=urn%3Atypes%2Fjupyter-notebook"' in overview  # URNs have no '#'
    term = client.get("/ontology/minCores", headers=HTML).text
    assert "vocab%23" not in term and 'href="/ontology/ComputeRequirement"' in term
    script = client.get("/static/query.js").text
    assert 'return "/ontology/" + term[1];' in script


def test_a_term_by_name_is_its_page_and_its_rdf(client: TestClient) -> None:
    page = client.get("/ontology/minMemory", headers=HTML, follow_redirects=False)
    assert page.status_code == 200 and f"<code>{ESAP.minMemory}</code>" in page.text
    turtle = client.get("/ontology/minMemory", headers={"Accept": "text/turtle"})
    assert (ESAP.minMemory, None, None) in Graph().parse(data=turtle.text, format="turtle")
    assert client.get("/ontology/noSuchTerm", headers=HTML).status_code == 404


def test_an_iri_typed_with_its_fragment_is_explained(client: TestClient) -> None:
    # A browser sends only what comes before the '#': the vocabulary's own IRI.
    page = client.get("/ontology/term?iri=https://w3id.org/esap-registry/vocab#minMemory", headers=HTML)
    assert page.status_code == 200
    notice = page.text.split('<p class="notice" role="note">')[1].split("</p>")[0]
    assert "never reached the server" in notice and 'href="/ontology/minMemory"' in notice and "%23" in notice
    # The namespace itself, its '#' encoded: no term at all.
    empty = client.get("/ontology/term", params={"iri": str(ESAP)})
    assert empty.status_code == 422 and empty.json()["parameter"] == "iri"
    assert "/ontology/minMemory" in empty.json()["message"]
    # A real term's page has no such notice.
    assert 'class="notice"' not in client.get("/ontology/term", params={"iri": str(ESAP.minMemory)}, headers=HTML).text


# -- text search ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["gaia HDBSCAN", "HDBSCAN gaia", "hdbscan GAIA", "clústering gáia", "GAÏA  hdbscan"])
def test_search_takes_every_word_in_any_order_case_and_accents_aside(client: TestClient, text: str) -> None:
    page = client.get("/executables", params={"q": text}, headers=HTML).text
    assert titles(page) == ["Gaia HDBSCAN clustering", "Gaia HDBSCAN clustering on a subset"]


def test_search_reads_type_labels(client: TestClient) -> None:
    page = client.get("/executables", params={"q": "jupyter notebook"}, headers=HTML).text
    assert titles(page) == ["Find ESCAPE OSSR records", "Upload records on the OSSR"]
    assert titles(client.get("/executables", params={"q": "gaia notebook"}, headers=HTML).text) == []


def test_search_ranks_title_hits_first(client: TestClient) -> None:
    page = client.get("/platforms", params={"q": "binderhub"}, headers=HTML).text
    # MyBinder holds the word in its description and type label only.
    assert titles(page) == ["CSCS CTA BinderHub", "JIVE BinderHub", "SKAO BinderHub", "MyBinder"]


def test_search_with_too_many_words_is_422(client: TestClient) -> None:
    response = client.get("/executables", params={"q": " ".join(["gaia"] * (MAX_WORDS + 1))}, headers=HTML)
    assert response.status_code == 422 and f"at most {MAX_WORDS}" in response.text


def test_the_search_query_folds_accents_as_the_words_are_folded() -> None:
    """The letter classes written in search-entries.rq are exactly those fold_words takes off."""
    pairs = re.findall(r'REPLACE\(\?fold\d+, "\[([^\]]+)\]", "([a-z])"\)', load_query("search-entries"))
    written = {ord(char): base for chars, base in pairs for char in chars}
    assert written == ACCENTS and len(ACCENTS) > 100
    assert fold_words("Ĝaïa  CLÚSTERING") == ["gaia", "clustering"]


# -- the lists and entry pages --------------------------------------------------------------------


def test_executables_are_listed_by_title_with_type_labels_and_plans(client: TestClient) -> None:
    page = client.get("/executables", headers=HTML).text
    listed = titles(page)
    assert listed == sorted(listed, key=str.lower) and len(listed) == 7
    row = page.split(f'href="/executables/{NOTEBOOK}"')[1].split("</tr>")[0]
    assert '<a href="/ontology/term?iri=urn%3Atypes%2Fjupyter-notebook">Jupyter notebook</a>' in row
    assert f'<a class="plan" href="/plan/{NOTEBOOK}">plan</a>' in row
    assert "<th>Where it runs</th>" in page
    assert "<th>Where it runs</th>" not in client.get("/platforms", headers=HTML).text


def test_pool_table_headers_carry_units(client: TestClient) -> None:
    page = client.get(f"/platforms/{GAIA_HPC}", headers=HTML).text
    pools = page.split('<section class="resources" id="compute-resources">')[1].split("</section>")[0]
    headers = re.findall(r'<th title="([^"]+)">([^<]+)</th>', pools)
    assert headers == [
        ("nodes", "Nodes"),
        ("cores", "Cores per node"),
        ("memory", "Memory per node (GiB)"),
        ("maxwalltime", "Longest run (hours)"),
        ("gpus", "GPUs per node"),
    ]
    assert "<h2>Node pools <small><code>compute-resources</code></small></h2>" in pools


def test_entry_sections_are_titled_in_words(client: TestClient) -> None:
    page = client.get(f"/executables/{NOTEBOOK}", headers=HTML).text
    assert re.findall(r"<h2>([^<]+) <small><code>([a-z-]+)</code>", page)[0] == (
        "Compute it needs (least and most)",
        "compute-resources",
    )
    assert "<h2>compute-resources</h2>" not in page
    assert '<th title="minmemory">Memory, at least (GiB)</th>' in page
    platform = client.get(f"/platforms/{MYBINDER}", headers=HTML).text
    assert "<h2>Node pools" in platform


def test_wide_tables_sit_in_a_scrolling_box(client: TestClient) -> None:
    css = client.get("/static/style.css").text
    assert re.search(r"\.table-scroll \{[^}]*overflow-x: auto", css)
    for path in ("/executables", f"/platforms/{GAIA_HPC}", "/ontology", "/ontology/minCores", f"/sparql?query={quote(TITLES)}"):
        page = client.get(path, headers=HTML).text
        assert page.count("<table") == page.count('<div class="table-scroll">\n<table') + page.count(
            '<div class="table-scroll">\n  <table'
        ), path
