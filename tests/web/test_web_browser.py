"""A real browser (Debian's Chromium, driven by Playwright) on the real server:
the ontology overview to a term, an executable to its plan and on to a platform,
and a query run on the query page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from web_support import CHROMIUM, MYBINDER, NO_CHROMIUM, NOTEBOOK, LiveServer

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.base_url)
    opened = context.new_page()
    # Nothing but the server under test: any other request would mean a CDN or a leak.
    outside: list[str] = []
    opened.on("request", lambda request: None if request.url.startswith(live_server.base_url) else outside.append(request.url))
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not outside, f"requests outside the server: {outside}"
    assert not errors, f"script errors: {errors}"


def test_ontology_overview_to_a_term(page: Any) -> None:
    page.goto("/ontology")
    assert page.title().startswith("Ontology")
    page.locator("section.taxonomy").first.wait_for()
    page.get_by_role("link", name="Jupyter notebook", exact=True).first.click()
    page.wait_for_url(re.compile(r"/ontology/term\?iri=urn%3Atypes%2Fjupyter-notebook"))
    assert page.locator("h1").inner_text() == "Jupyter notebook"
    assert "notebook" in page.locator("dd.broader").inner_text()
    page.locator("dd.broader a").first.click()
    page.wait_for_url(re.compile(r"iri=urn%3Atypes%2Fnotebook$"))
    assert page.locator(".usage-count").inner_text() == "5"


def test_executable_to_its_plan_and_on_to_a_platform(page: Any) -> None:
    page.goto("/executables")
    page.get_by_role("link", name="Find ESCAPE OSSR records").click()
    page.wait_for_url(f"**/executables/{NOTEBOOK}")
    assert page.locator("h1").inner_text() == "Find ESCAPE OSSR records"
    launch = page.locator("table.matches a.launch").first.get_attribute("href")
    assert launch and launch.startswith("https://mybinder.org/v2/git/")
    page.locator("a.plan-link").click()
    page.wait_for_url(f"**/plan/{NOTEBOOK}")
    page.select_option("select[name=at]", "max")
    page.fill("input[name=cores]", "2")
    page.get_by_role("button", name="Plan").click()
    page.wait_for_url(re.compile(r"at=max.*cores=2"))
    assert "RenkuLab" in page.locator("table.matches").inner_text()
    page.locator("details.rejected summary").click()
    assert "MyBinder" in page.locator("details.rejected").inner_text()  # 1 core: fewer than the 2 asked
    page.locator("table.matches a.platform", has_text="RenkuLab").click()
    page.wait_for_url("**/platforms/f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a02")
    assert page.locator("h1").inner_text() == "RenkuLab"


def test_search_and_filter_the_platforms(page: Any) -> None:
    page.goto("/platforms")
    page.select_option("select[name=type]", "urn:platforms/binderhub")
    page.fill("input[name=q]", "cta")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=cta"))
    assert page.locator("a.entry").all_inner_texts() == ["CSCS CTA BinderHub"]
    assert MYBINDER not in page.content()


def test_executable_to_its_shopping_list_and_on_to_a_data_set(page: Any) -> None:
    page.goto("/executables/7f2a9c4e-1d3b-4f6a-8e5c-9b0d2f4a6c31")
    page.locator("a.shopping-link").click()
    page.wait_for_url("**/executables/7f2a9c4e-1d3b-4f6a-8e5c-9b0d2f4a6c31/shopping-list")
    assert "CSCS CTA BinderHub" in page.locator("p.held-by").inner_text()
    page.locator("table.datasets a.dataset").first.click()
    page.wait_for_url("**/datasets/b4d6f8a0-2c4e-4a6b-8d0f-1e3a5c7e9b42")
    assert page.locator("h1").inner_text() == "H.E.S.S. DL3 public data release 1"


def test_query_page_runs_a_query(page: Any) -> None:
    page.goto("/sparql")
    page.locator("#query").wait_for()
    page.locator("#run").click()
    page.locator("table.results").wait_for()
    assert page.locator("table.results tbody tr").count() == 7
    assert page.locator("table.results th").all_inner_texts() == ["executable", "title", "type", "typeLabel"]
    page.select_option("#examples", label="Is there a platform with GPUs?")
    page.locator("#query").press("Control+Enter")
    page.locator("p.boolean").wait_for()
    assert "true" in page.locator("p.boolean").inner_text()
    page.fill("#query", "SELECT ?x WHERE { ?x ?y }")
    page.locator("#run").click()
    page.locator("#results p.error").wait_for()
    assert "Error 400" in page.locator("#results p.error").inner_text()
    page.fill("#query", "SELECT ?e WHERE { ?e a <https://w3id.org/esap-registry/vocab#Platform> } ORDER BY ?e")
    page.select_option("#accept", "text/csv")
    page.locator("#run").click()
    # the error shown before holds a <pre> too (the query): wait until the answer replaces it
    page.locator("#results p.error").wait_for(state="detached")
    page.locator("#results pre").wait_for()
    assert page.locator("#results pre").inner_text().splitlines()[0] == "e"


def test_api_docs_work_offline(page: Any) -> None:
    page.goto("/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15000)
    assert page.locator(".opblock-summary-path", has_text="/sparql").count() >= 2
