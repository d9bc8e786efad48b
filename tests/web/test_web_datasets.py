"""Data sets on the web: the /datasets list and pages, their REST routes, and the data
shopping list of an executable (JSON, HTML by Accept) linked from its page and its plan."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from web_support import AUTH

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
GAIA = "401f6251-be15-4f8a-bad7-38ef4d6cb7c1"
HESS = "b4d6f8a0-2c4e-4a6b-8d0f-1e3a5c7e9b42"
GAMMAPY = "7f2a9c4e-1d3b-4f6a-8e5c-9b0d2f4a6c31"
KM3NET = "2d4f6a8c-0e2b-4d6f-9a1c-3e5b7d9f1a63"
OSSR_NOTEBOOK = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
CSCS = "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a03"
NEW = "6c1f0a2e-7b3d-4e5f-8a9b-0c1d2e3f4a51"


def _dataset(url: str = "https://archive.example.org/new/", kind: str = "urn:access/url") -> dict[str, object]:
    return {"datasets": [{
        "uuid": NEW,
        "title": "A new data set",
        "description": "Posted by a test.",
        "data-content": "urn:source-catalogue",
        "data-format": "urn:parquet-binary",
        "access": [{"type": kind, "url": url}],
    }]}


def test_the_known_location_lists_the_data_sets(client: TestClient) -> None:
    body = client.get("/datasets", headers=JSON).json()
    assert {d["uuid"] for d in body["datasets"]} >= {GAIA, HESS} and len(body["datasets"]) == 4
    turtle = client.get("/datasets", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and "esap:Dataset" in turtle.text and "esap:Platform" not in turtle.text
    assert client.get("/health").json()["datasets"] == 4
    assert client.get("/", headers=JSON).json()["datasets"] == "/datasets"


def test_the_list_page_filters_by_content_narrower_included(client: TestClient) -> None:
    page = client.get("/datasets", headers=HTML).text
    assert f'href="/datasets/{GAIA}"' in page and f'href="/datasets/{HESS}"' in page
    catalogues = client.get("/datasets?type=urn:astronomy-catalogue", headers=HTML).text
    assert f'href="/datasets/{GAIA}"' in catalogues and f'href="/datasets/{HESS}"' not in catalogues
    assert 'href="/datasets"' in client.get("/", headers=HTML).text


def test_a_data_set_page_and_its_formats(client: TestClient) -> None:
    page = client.get(f"/datasets/{GAIA}", headers=HTML)
    assert page.status_code == 200
    assert "Gaia DR3 source catalogue (gaia_source)" in page.text
    assert '<a href="https://cdn.gea.esac.esa.int/Gaia/gdr3/gaia_source/">' in page.text  # an http(s) access is linked
    assert "ivo://esavo/gaia/tap" in page.text
    entry = client.get(f"/datasets/{GAIA}", headers=JSON).json()
    assert entry["uuid"] == GAIA and entry["access"][0] == {"type": "urn:access/url", "url": "https://cdn.gea.esac.esa.int/Gaia/gdr3/gaia_source/"}
    assert client.get(f"/datasets/{GAIA}?format=jsonld").json()["datasets"][0]["@type"] == "Dataset"
    assert client.get(f"/entries/{GAIA}", follow_redirects=False).headers["location"] == f"/datasets/{GAIA}"
    assert client.get(f"/datasets/{CSCS}", headers=JSON).status_code == 404  # a platform is no data set
    assert client.get(f"/platforms/{GAIA}", headers=JSON).status_code == 404


def test_post_put_and_delete_a_data_set(write_client: TestClient) -> None:
    answer = write_client.post("/datasets", content=json.dumps(_dataset()), headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 201 and answer.json()["stored"][0]["url"] == f"/datasets/{NEW}"
    assert write_client.get(f"/datasets/{NEW}", headers=JSON).json() == _dataset()["datasets"][0]
    replaced = _dataset("https://mirror.example.org/new/")
    answer = write_client.put(f"/datasets/{NEW}", content=json.dumps(replaced), headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 200
    assert write_client.get(f"/datasets/{NEW}", headers=JSON).json()["access"][0]["url"] == "https://mirror.example.org/new/"
    assert write_client.delete(f"/datasets/{NEW}", headers=AUTH).status_code == 204
    assert write_client.get(f"/datasets/{NEW}", headers=JSON).status_code == 404


def test_bad_data_sets_are_refused_and_nothing_is_stored(write_client: TestClient) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    answer = write_client.post("/datasets", content=json.dumps(_dataset(kind="urn:access/gridftp")), headers=headers)
    assert answer.status_code == 422
    (issue,) = [i for i in answer.json()["report"]["issues"] if i["severity"] == "Violation"]
    assert issue["path"] == "datasets[0].access[0].type" and "urn:access/gridftp is not a known access type" in issue["message"]
    answer = write_client.post("/datasets", content=json.dumps(_dataset("ftp://archive.example.org/")), headers=headers)
    assert answer.status_code == 422 and "http:// or https://" in answer.text
    platforms = {"platforms": [{"uuid": NEW, "type": "urn:platforms/binderhub", "title": "x"}]}
    answer = write_client.post("/datasets", content=json.dumps(platforms), headers=headers)
    assert answer.status_code == 400 and "send them to /platforms" in answer.json()["message"]
    assert write_client.get(f"/datasets/{NEW}", headers=JSON).status_code == 404


def test_the_shopping_list_as_json(client: TestClient) -> None:
    answer = client.get(f"/executables/{GAMMAPY}/shopping-list", headers=JSON)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["executable"] == GAMMAPY and body["title"] == "Gammapy high-level analysis"
    (item,) = body["data"]
    assert item["resource"]["data-content"] == "urn:gamma-ray-event-list"
    assert [d["uuid"] for d in item["datasets"]] == [HESS]
    assert item["held-by"] == [{"platform": CSCS, "title": "CSCS CTA BinderHub"}]
    assert item["missing"] is False
    km3net = client.get(f"/executables/{KM3NET}/shopping-list", headers=JSON).json()["data"][0]
    assert km3net["missing"] is True and km3net["nearest"][0]["datasets"] == [HESS]


def test_the_shopping_list_page(client: TestClient) -> None:
    page = client.get(f"/executables/{KM3NET}/shopping-list", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Not found in the registry" in page.text and f'href="/datasets/{HESS}"' in page.text
    page = client.get(f"/executables/{GAMMAPY}/shopping-list", headers=HTML).text
    assert f'href="/datasets/{HESS}"' in page and f'href="/platforms/{CSCS}"' in page
    assert '<a href="https://www.mpi-hd.mpg.de/hfm/HESS/pages/dl3-dr1/">' in page


def test_the_shopping_list_is_linked_from_the_executable_and_its_plan(client: TestClient) -> None:
    link = f'href="/executables/{GAMMAPY}/shopping-list"'
    assert link in client.get(f"/executables/{GAMMAPY}", headers=HTML).text
    assert link in client.get(f"/plan/{GAMMAPY}", headers=HTML).text
    # an executable that states no data has no list to link to
    assert "/shopping-list" not in client.get(f"/executables/{OSSR_NOTEBOOK}", headers=HTML).text


def test_the_shopping_list_of_what_is_not_an_executable(client: TestClient) -> None:
    assert client.get(f"/executables/{HESS}/shopping-list", headers=JSON).status_code == 404
    assert client.get("/executables/00000000-0000-4000-8000-000000000000/shopping-list", headers=JSON).status_code == 404
    assert client.get("/executables/not-a-uuid/shopping-list", headers=JSON).status_code == 400
