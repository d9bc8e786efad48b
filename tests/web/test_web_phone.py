"""The site on a phone, 390 pixels wide, in a real browser (Debian's Chromium, driven
by Playwright) on the real server: every page fits the width (the page itself never
scrolls sideways), the navigation wraps with every link on screen, and wide tables
scroll in a box of their own (``.table-scroll``). And the query page's shareable
address, its JSON results and its syntax errors, as a browser sees them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from web_support import CHROMIUM, MYBINDER, NO_CHROMIUM, NOTEBOOK, LiveServer

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

PHONE = {"width": 390, "height": 844}
TITLES = (
    "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
    "SELECT ?e ?title ?description WHERE { ?e a esap:Executable ; esap:title ?title ; esap:description ?description }"
    " ORDER BY ?title"
)
PAGES = [
    "/",
    "/executables",
    "/platforms",
    f"/executables/{NOTEBOOK}",
    f"/platforms/{MYBINDER}",
    "/platforms/f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a06",
    f"/plan/{NOTEBOOK}",
    "/ontology",
    "/ontology/minCores",
    "/ontology/term?iri=urn%3Atypes%2Fjupyter-notebook",
    "/sparql",
    f"/sparql?query={quote(TITLES)}",
    "/executables/00000000-0000-4000-8000-000000000000",  # the error page
]


def _page(browser: Any, live_server: LiveServer, **options: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.base_url, **options)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"script errors: {errors}"


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    yield from _page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    yield from _page(browser, live_server)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_fits_a_phone(phone: Any, path: str) -> None:
    phone.goto(path)
    phone.locator("footer").wait_for()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide: the page scrolls sideways"
    # Every link of the navigation is on screen, none cut off at the right.
    links = phone.locator("header.top a")
    assert links.count() == 7  # the brand and the six sections
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, links.nth(i).inner_text())
    # Nothing of the page's main part reaches past the right edge.
    overflowing = phone.evaluate(
        """(limit) => Array.from(document.querySelectorAll('main *'))
             .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > limit + 0.5
                            && !e.closest('.table-scroll') && !e.closest('main table') && !e.closest('pre'); })
             .map(e => e.tagName + '.' + e.className)""",
        PHONE["width"],
    )
    assert not overflowing, f"{path}: {overflowing[:5]}"


def test_wide_tables_scroll_in_their_own_box(phone: Any) -> None:
    phone.goto(f"/sparql?query={quote(TITLES)}")
    box = phone.locator("#results .table-scroll")
    box.wait_for()
    sizes = box.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth, right: e.getBoundingClientRect().right})")
    assert sizes["scroll"] > sizes["client"], "the results table fits without scrolling: no test of the box"
    assert sizes["right"] <= PHONE["width"]
    box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert box.evaluate("e => e.scrollLeft") > 0
    assert phone.evaluate("window.scrollX") == 0


def test_the_navigation_wraps_and_works_on_a_phone(phone: Any) -> None:
    phone.goto("/")
    brand = phone.locator("header.top a.brand").bounding_box()
    last = phone.locator("header.top nav a").last.bounding_box()
    assert brand is not None and last is not None
    assert last["x"] + last["width"] <= PHONE["width"], "the last link of the navigation is cut off"
    assert phone.evaluate("window.scrollX") == 0
    phone.get_by_role("link", name="SPARQL", exact=True).click()
    phone.wait_for_url("**/sparql")
    phone.locator("#run").click()
    phone.locator("table.results").wait_for()


def test_a_shared_query_link_opens_with_its_results(page: Any) -> None:
    page.goto(f"/sparql?query={quote(TITLES)}")
    assert page.locator("#query").input_value() == TITLES
    assert page.locator("table.results tbody tr").count() == 7
    assert page.locator("table.results th").all_inner_texts() == ["e", "title", "description"]
    assert page.locator("table.results td a").first.get_attribute("href").startswith("/entries/")


def test_the_query_page_keeps_the_query_in_its_address(page: Any) -> None:
    page.goto("/sparql")
    query = "ASK { ?s ?p ?o }"
    page.fill("#query", query)
    page.locator("#run").click()
    page.locator("p.boolean").wait_for()
    assert page.url.endswith("/sparql?" + "query=ASK+%7B+%3Fs+%3Fp+%3Fo+%7D")
    page.reload()
    assert page.locator("#query").input_value() == query
    assert "true" in page.locator("p.boolean").inner_text()


def test_the_query_page_offers_json(page: Any) -> None:
    page.goto("/sparql")
    page.fill("#query", TITLES)
    page.select_option("#accept", label="JSON")
    page.locator("#run").click()
    page.locator("#results pre").wait_for()
    data = json.loads(page.locator("#results pre").inner_text())
    assert data["head"]["vars"] == ["e", "title", "description"] and len(data["results"]["bindings"]) == 7


def test_a_syntax_error_shows_its_line_and_column(page: Any) -> None:
    page.goto("/sparql")
    page.fill("#query", "SELECT ?x\nWHERE {\n  ?x ?y ?z .\n  FILTER(?x = ) }")
    page.locator("#run").click()
    page.locator("#results p.error-position").wait_for()
    assert page.locator("#results p.error-position").inner_text() == "at line 4, column 18"
    assert page.locator("#results pre.error-at").inner_text() == "  FILTER(?x = ) }\n                 ^"
    # The same from a shared link, drawn by the server.
    page.goto("/sparql?query=" + quote("SELECT ?x\nWHERE {\n  ?x ?y ?z .\n  FILTER(?x = ) }"))
    assert page.locator("#results p.error-position").inner_text() == "at line 4, column 18"
    assert re.search(r"Error 400", page.locator("#results p.error").inner_text())
