"""Markup in what users write (titles, descriptions, locations, data titles, search
text, parameters) is shown as text on every page, never run as markup: each HTML
page that can show it is fetched and searched for the raw markup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from web_support import AUTH, TOKEN, running

from registry.store import Store, open_store
from registry.web import Settings, create_app

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(2)>'
QUOTE = "' onmouseover='alert(3)"
#: What must never be found as it is in a page: each payload, and the tags they open.
RAW = [SCRIPT, IMAGE, QUOTE, "<img src=x", "<script>alert", "onmouseover='alert"]
EXE = "0b5c3a4e-aaaa-4222-8333-944455556666"
PLATFORM = "0b5c3a4e-bbbb-4222-8333-944455556666"
HTML = {"Accept": "text/html"}


def executable() -> dict[str, Any]:
    return {
        "uuid": EXE,
        "type": "urn:types/jupyter-notebook",
        "title": f"Notebook {SCRIPT}",
        "description": f"Described {IMAGE} and {QUOTE}",
        "location": {"repository": f"https://example.org/{quote(IMAGE)}.git", "ref": f"main{QUOTE}", "path": f"nb{SCRIPT}.ipynb"},
        "compute-resources": [{"mincores": 1, "minmemory": "1GiB"}],
        "storage-resources": [{"title": f"scratch {SCRIPT}", "minsize": 1}],
        "data-resources": [
            {
                "title": f"data {IMAGE}",
                "data-content": "urn:astronomy-catalogue",
                "data-format": "urn:parquet-binary",
                "size": 1,
            }
        ],
    }


def platform() -> dict[str, Any]:
    return {
        "uuid": PLATFORM,
        "type": "urn:platforms/binderhub",
        "title": f"Binder {IMAGE}",
        "description": f"Runs {SCRIPT} {QUOTE}",
        "url": "https://binder.example.org/",
        "executable-types": ["urn:types/notebook"],
        "compute-resources": [{"nodes": 1, "cores": 4, "memory": 8, "maxwalltime": 6}],
        "storage-resources": [{"size": 10, "title": f"disk {QUOTE}"}],
        "data-resources": [
            {
                "title": f"local {SCRIPT}",
                "data-content": "urn:astronomy-catalogue",
                "data-format": "urn:parquet-binary",
                "size": 1,
            }
        ],
        "launch": "{url}v2/git/{repository}/{ref}?urlpath=" + quote(SCRIPT) + "{path}",
    }


@pytest.fixture(scope="module")
def marked(example_quads: bytes) -> Iterator[tuple[TestClient, Store]]:
    """An app whose store holds the examples and one executable and one platform full of markup."""
    store = open_store("memory")
    store.load(example_quads, "nquads")
    with TestClient(create_app(Settings(token=TOKEN), store=store)) as client:
        for collection, entry in (("executables", executable()), ("platforms", platform())):
            response = client.post(f"/{collection}", json={collection: [entry]}, headers=AUTH)
            assert response.status_code == 201, response.text
        yield client, store
    store.close()


def assert_no_raw_markup(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{raw!r} appears unescaped in {where}"
    for href in re.findall(r"""(?:href|src|action)\s*=\s*["']?([^"' >]*)""", html, re.IGNORECASE):
        assert not href.strip().lower().startswith(("javascript:", "data:", "vbscript:")), f"{href!r} in {where}"


PAGES = [
    "/",
    "/executables",
    f"/executables?q={quote('Notebook <script>')}",
    f"/executables?q={quote(SCRIPT)}",
    f"/executables?q={quote(IMAGE)}",
    f"/executables/{EXE}",
    "/platforms",
    f"/platforms?q={quote('Binder')}",
    f"/platforms/{PLATFORM}",
    f"/plan/{EXE}",
    f"/plan/{EXE}?at=max&cores=2",
    f"/entries/{EXE}",
    f"/entries/{PLATFORM}",
    "/ontology",
    "/ontology/term?iri=urn%3Atypes%2Fjupyter-notebook",
    "/ontology/term?iri=urn%3Aplatforms%2Fbinderhub",
    "/sparql",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_show_markup_as_text(marked: tuple[TestClient, Store], path: str) -> None:
    client, _ = marked
    response = client.get(path, headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert_no_raw_markup(response.text, path)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"/executables/{EXE}", ["Notebook &lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;", "scratch &lt;script&gt;"]),
        (f"/platforms/{PLATFORM}", ["Binder &#34;&gt;&lt;img", "Runs &lt;script&gt;", "local &lt;script&gt;"]),
        ("/executables", ["Notebook &lt;script&gt;alert(1)&lt;/script&gt;"]),
        ("/platforms", ["Binder &#34;&gt;&lt;img src=x onerror=alert(2)&gt;"]),
        (f"/plan/{EXE}", ["Notebook &lt;script&gt;", "Binder &#34;&gt;&lt;img"]),
        (f"/executables?q={quote(SCRIPT)}", ["value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""]),
    ],
)
def test_the_markup_is_there_escaped(marked: tuple[TestClient, Store], path: str, shown: list[str]) -> None:
    html = marked[0].get(path, headers=HTML).text
    for text in shown:
        assert text in html, f"{text!r} not in {path}"


ERROR_PAGES = [
    f"/executables/{quote(SCRIPT, safe='')}",
    f"/platforms/{quote(IMAGE, safe='')}",
    f"/entries/{quote(SCRIPT, safe='')}",
    f"/plan/{quote(IMAGE, safe='')}",
    f"/plan/{EXE}?cores={quote(SCRIPT)}",
    f"/plan/{EXE}?memory={quote(IMAGE)}",
    f"/plan/{EXE}?at={quote(QUOTE)}",
    f"/executables?type={quote(SCRIPT)}",
    f"/executables?format={quote(IMAGE)}",
    f"/ontology/term?iri={quote(SCRIPT)}",
    f"/ontology/term?iri={quote('urn:' + IMAGE)}",
    f"/sparql?query={quote('SELECT ' + SCRIPT)}",
    f"/sparql?query={quote('SELECT * WHERE { ?s ?p ' + chr(34) + IMAGE)}",
    f"/executables/00000000-0000-4000-8000-000000000000?format=html&x={quote(SCRIPT)}",
]


@pytest.mark.parametrize("path", ERROR_PAGES)
def test_error_pages_show_markup_as_text(marked: tuple[TestClient, Store], path: str) -> None:
    client, _ = marked
    response = client.get(path, headers=HTML)
    assert 400 <= response.status_code < 500, response.status_code
    assert_no_raw_markup(response.text, path)
    json_answer = client.get(path, headers={"Accept": "application/json"})
    assert json_answer.headers["content-type"].startswith("application/json")  # raw text only where it is not HTML


def test_the_json_keeps_the_text_as_written(marked: tuple[TestClient, Store]) -> None:
    client, _ = marked
    entry = client.get(f"/executables/{EXE}").json()
    assert entry["title"] == f"Notebook {SCRIPT}" and entry["description"] == f"Described {IMAGE} and {QUOTE}"


# -- in a real browser: nothing runs ------------------------------------------------------------

@pytest.mark.slow
def test_a_browser_runs_none_of_it(example_quads: bytes, browser: Any) -> None:
    """Chromium opens each page and runs a query on the query page whose results hold the
    markup: no dialog opens, no image is requested, no element is made from it."""
    store = open_store("memory")
    store.load(example_quads, "nquads")
    app = create_app(Settings(token=TOKEN), store=store)
    dialogs: list[str] = []
    requests: list[str] = []
    try:
        with running(app) as base_url:
            for collection, entry in (("executables", executable()), ("platforms", platform())):
                stored = httpx.post(f"{base_url}/{collection}", json={collection: [entry]}, headers=AUTH, timeout=30)
                assert stored.status_code == 201, stored.text
            context = browser.new_context(base_url=base_url)
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("request", lambda request: requests.append(request.url))
            for path in PAGES + ERROR_PAGES[:6]:
                page.goto(path)
                assert page.locator("img").count() == 0, path
                assert page.locator("script:not([src])").count() <= 1, path  # only the query page's JSON data block
            page.goto("/sparql")
            page.fill("#query", "PREFIX esap: <https://w3id.org/esap-registry/vocab#>\n"
                      "SELECT ?title WHERE { ?e esap:title ?title } ORDER BY ?title")
            page.get_by_role("button", name="Run").click()
            page.locator("#results table").wait_for()
            cells = page.locator("#results td").all_inner_texts()
            assert f"Notebook {SCRIPT}" in cells and f"Binder {IMAGE}" in cells
            assert page.locator("#results img, #results script").count() == 0
            context.close()
    finally:
        store.close()
    assert dialogs == [], f"alerts ran: {dialogs}"
    assert not [r for r in requests if r.split("?", 1)[0].endswith("/x")], f"an image was requested: {requests}"
