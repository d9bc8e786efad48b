"""The plan a person reads on the web: pools and allocations with units, rejections as a
table with "would fit" links that plan again, a bad value shown beside its field, the
reverse plan on a platform's page, the no-platform message, ``POST /plan?uuid=``; and in
Chromium at 1280 and 390 pixels wide, nothing cut off."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import NOTEBOOK, LiveServer

from registry.store import open_store
from registry.web.app import create_app
from registry.web.settings import Settings

GAIA = "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"
CLOUD = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a07"
CLUSTER = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a06"
HTML = {"Accept": "text/html"}
LONG_DECIMAL = re.compile(r"\d\.\d{4,}")


def _text(page: str) -> str:
    """What a person reads: the markup without tags, scripts and attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_plan_page_shows_the_pool_as_it_is_and_the_allocation_apart(client: TestClient) -> None:
    page = client.get(f"/plan/{GAIA}", headers=HTML)
    assert page.status_code == 200
    text = " ".join(_text(page.text).split())
    assert "20 nodes x 16 cores x 64 GiB" in text and "14 nodes: 224 cores, 896 GiB" in text
    assert "64 nodes x 64 cores x 512 GiB, up to 240 h" in text and "8 nodes: 512 cores, 4 TiB" in text
    assert "186 GiB of working storage" in text and "4.55 TiB" in text
    assert "8 to 64 nodes, 210 cores, 344 GiB of memory, 190 h" in text
    assert not LONG_DECIMAL.search(text), LONG_DECIMAL.findall(text)
    assert "['" not in text  # no Python list


def test_a_rejection_links_to_the_plan_with_what_would_fit(client: TestClient) -> None:
    page = client.get(f"/plan/{GAIA}", params={"nodes": "8"}, headers=HTML)
    text = " ".join(_text(page.text).split())
    assert "cores 210 cores 128 cores at 8 nodes" in text
    links = re.findall(r'<td rowspan="\d+" class="would-fit"><a href="([^"]+)">([^<]+)</a>', page.text)
    assert (html.escape(f"/plan/{GAIA}?nodes=8&max-nodes=14"), "--max-nodes 14") in links
    again = client.get(f"/plan/{GAIA}", params={"nodes": "8", "max-nodes": "14"}).json()
    assert CLOUD in [m["platform"] for m in again["matches"]]
    # The form stays filled with what was asked.
    assert re.search(r'name="nodes" value="8"', page.text)
    # A platform failing on its type gets no suggestion; the type is shown by its label.
    assert "does not run" not in text and "batch job" in text


def test_a_bad_value_is_shown_beside_its_field_with_the_form_filled(client: TestClient) -> None:
    page = client.get(f"/plan/{GAIA}", params={"cores": "many", "memory": "300GiB"}, headers=HTML)
    assert page.status_code == 422
    assert re.search(r'name="cores" value="many" size="6" aria-invalid="true" aria-describedby="error-cores"', page.text)
    assert re.search(r'<span class="field-error" id="error-cores">cores: not a count', page.text)
    assert 'name="memory" value="300GiB"' in page.text
    assert "Not planned: correct the value marked above." in page.text
    empty_range = client.get(f"/plan/{GAIA}", params={"max-nodes": "2"}, headers=HTML)
    assert empty_range.status_code == 422 and 'id="error-max-nodes"' in empty_range.text
    assert client.get(f"/plan/{GAIA}", params={"cores": "many"}).status_code == 422  # JSON as before


def test_every_plan_page_and_entry_page_keeps_numbers_short(client: TestClient) -> None:
    for path in (f"/plan/{GAIA}", f"/plan/{NOTEBOOK}", f"/executables/{GAIA}", f"/platforms/{CLUSTER}",
                 f"/plan/{GAIA}?at=max", f"/plan/{GAIA}?data-size=333.3333GB&nodes=3"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
        text = _text(page.text)
        assert not LONG_DECIMAL.search(text), (path, LONG_DECIMAL.findall(text))


def test_a_platform_page_lists_what_can_run_there(client: TestClient) -> None:
    page = client.get(f"/platforms/{CLUSTER}", headers=HTML)
    assert "What can run here" in page.text
    assert f'<a href="/executables/{GAIA}">Gaia HDBSCAN clustering</a>' in page.text
    assert f'<a href="/plan/{GAIA}">plan</a>' in page.text
    runnable = client.get(f"/platforms/{CLUSTER}/runnable").json()["executables"]
    listed = re.findall(r'<td><a href="/executables/([0-9a-f-]+)">', page.text)
    assert listed == [e["executable"] for e in runnable] and listed


@pytest.fixture
def lonely_client() -> Iterator[TestClient]:
    """A registry holding one executable and no platform."""
    store = open_store("memory")
    app = create_app(Settings(token="t" * 32), store=store)
    with TestClient(app) as client:
        manifest = json.loads((Path(__file__).resolve().parents[2] / "examples" / "gaia-hdbscan.json").read_text())
        put = client.post("/executables", json=manifest, headers={"Authorization": "Bearer " + "t" * 32})
        assert put.status_code in (200, 201), put.text
        yield client
    store.close()


def test_no_platforms_say_so_and_how_to_add_them(lonely_client: TestClient) -> None:
    plan = lonely_client.get(f"/plan/{GAIA}").json()
    assert plan["summary"]["platforms"] == 0
    assert plan["summary"]["message"] == "No platforms are registered. Add some with: esap-registry ingest examples/platforms.json"
    page = lonely_client.get(f"/plan/{GAIA}", headers=HTML).text
    assert "No platforms are registered. Add some with: esap-registry ingest examples/platforms.json" in page


def test_post_plan_picks_one_executable_of_several(client: TestClient, examples_dir: Path) -> None:
    body = (examples_dir / "gaia-hdbscan.json").read_bytes()
    refused = client.post("/plan", content=body, headers={"Content-Type": "application/json"})
    assert refused.status_code == 400
    assert f"holds 2 executables: name the one to plan with --uuid (?uuid= on the web): {GAIA}" in refused.text
    subset = "c3e9a2d4-6f1b-4a8e-b7c5-0d2e9f4a6b18"
    planned = client.post(f"/plan?uuid={subset}", content=body, headers={"Content-Type": "application/json"})
    assert planned.status_code == 200 and planned.json()["executable"] == subset
    unknown = client.post(f"/plan?uuid={NOTEBOOK}", content=body, headers={"Content-Type": "application/json"})
    assert unknown.status_code == 422 and "is not the uuid of an executable in" in unknown.text


# -- in a real browser ---------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [1280, 390])
def test_the_plan_page_in_chromium(browser: Any, live_server: LiveServer, width: int) -> None:
    """Nothing is cut off: the page is no wider than the screen (wide tables scroll in
    their own box); a "would fit" link plans again with it filled in."""
    context = browser.new_context(base_url=live_server.base_url, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"/plan/{GAIA}?nodes=8")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for box in page.locator(".table-scroll").all():
            assert box.evaluate("e => e.getBoundingClientRect().right") <= width + 0.5
        page.locator("details.rejected summary").click()
        page.get_by_role("link", name="--max-nodes 14").click()
        page.wait_for_url(re.compile(r"nodes=8&max-nodes=14$"))
        assert page.locator("input[name=max-nodes]").input_value() == "14"
        assert "ESCAPE Kubernetes cloud" in page.locator("table.matches").inner_text()
        assert not LONG_DECIMAL.search(page.locator("main").inner_text())
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


@pytest.mark.parametrize(("limit", "status"), [("all", 200), ("2", 200), ("0", 422), ("many", 422)])
def test_the_limit_on_the_web(client: TestClient, limit: str, status: int) -> None:
    response = client.get(f"/plan/{NOTEBOOK}", params={"limit": limit})
    assert response.status_code == status, response.text
    if status == 200:
        body = response.json()
        assert len(body["matches"]) == (5 if limit == "all" else 2) and body["summary"]["matches"] == 5
    else:
        assert response.json()["parameter"] == "limit"
