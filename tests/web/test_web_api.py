"""The REST API: known-location lists, entries by Accept, writes with the token, validation."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from web_support import AUTH, MYBINDER, NEW_UUID, NOTEBOOK, new_executable

from registry.service import Registry
from registry.store import Store
from registry.vocabulary import ESAP

NOTEBOOK_IRI = URIRef(f"urn:uuid:{NOTEBOOK}")


# -- reading ---------------------------------------------------------------------------


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["executables"] == 7 and body["platforms"] == 7 and body["writable"]


@pytest.mark.parametrize("collection", ["executables", "platforms"], ids=["executables", "platforms"])
def test_known_location_is_the_registry_export(client: TestClient, write_store: Store, collection: str) -> None:
    response = client.get(f"/{collection}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    kind = ESAP.Executable if collection == "executables" else ESAP.Platform
    assert response.json() == Registry(write_store).export_manifest(kind=kind)
    assert len(response.json()[collection]) == 7


def test_known_location_as_turtle_and_jsonld(client: TestClient) -> None:
    turtle = client.get("/platforms", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert len(set(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ESAP.Platform))) == 7
    jsonld = client.get("/platforms", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json") and "@context" in jsonld.json()


@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        ("application/json", "application/json", "json"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/html", "text/html", "html"),
        ("*/*", "application/json", "json"),
        ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle"),
        ("application/rdf+xml;q=0.2, application/n-triples;q=0.3", "application/n-triples", "nt"),
    ],
    ids=["json", "jsonld", "turtle", "ntriples", "rdfxml", "html", "any", "q-turtle-over-html", "q-nt-over-rdfxml"],
)
def test_entry_by_accept(client: TestClient, accept: str, media: str, check: str) -> None:
    response = client.get(f"/executables/{NOTEBOOK}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    if check == "json":
        assert response.json()["uuid"] == NOTEBOOK and response.json()["title"] == "Find ESCAPE OSSR records"
    elif check == "html":
        assert "Find ESCAPE OSSR records" in response.text and "<html" in response.text
    else:
        graph = Graph().parse(data=response.content, format=check)
        assert (NOTEBOOK_IRI, ESAP.title, None) in graph


def test_entry_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(f"/executables/{NOTEBOOK}?format=turtle", headers={"Accept": "application/json"})
    assert response.headers["content-type"].startswith("text/turtle")
    refused = client.get(f"/executables/{NOTEBOOK}?format=yaml")
    assert refused.status_code == 422 and refused.json()["parameter"] == "format"


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    response = client.get(f"/executables/{NOTEBOOK}", headers={"Accept": "image/png"})
    assert response.status_code == 406 and response.json()["error"] == "not-acceptable"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/platforms/{NOTEBOOK}", 404),
        (f"/executables/{MYBINDER}", 404),
        ("/executables/00000000-0000-4000-8000-000000000000", 404),
        ("/executables/not-a-uuid", 400),
    ],
    ids=["executable-under-platforms", "platform-under-executables", "unknown", "not-a-uuid"],
)
def test_missing_entries(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["message"]


def test_entries_redirect_to_their_collection(client: TestClient) -> None:
    response = client.get(f"/entries/{MYBINDER}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/platforms/{MYBINDER}"


def test_cors_for_reads(client: TestClient) -> None:
    response = client.get("/executables", headers={"Origin": "https://esap.example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        f"/executables/{NOTEBOOK}",
        headers={"Origin": "https://esap.example.org", "Access-Control-Request-Method": "DELETE"},
    )
    assert preflight.status_code == 400  # writes are not allowed from other origins


# -- writing -----------------------------------------------------------------------------


def test_post_stores_and_get_gives_it_back(write_client: TestClient) -> None:
    manifest = new_executable()
    response = write_client.post("/executables", json=manifest, headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["stored"] == [
        {"uuid": NEW_UUID, "iri": f"urn:uuid:{NEW_UUID}", "url": f"/executables/{NEW_UUID}", "replaced": False}
    ]
    assert response.headers["location"] == f"/executables/{NEW_UUID}"
    assert write_client.get(f"/executables/{NEW_UUID}").json() == manifest["executables"][0]
    assert len(write_client.get("/executables").json()["executables"]) == 8


def test_post_many_entries_in_one_document(write_client: TestClient) -> None:
    first = new_executable()["executables"][0]
    second = new_executable("0b5c3a4e-2222-4222-8333-944455556666", "Another")["executables"][0]
    response = write_client.post("/executables", json={"executables": [first, second]}, headers=AUTH)
    assert response.status_code == 201
    assert [s["uuid"] for s in response.json()["stored"]] == [first["uuid"], second["uuid"]]
    assert "location" not in response.headers


def test_post_turtle(write_client: TestClient) -> None:
    turtle = write_client.get(f"/executables/{NOTEBOOK}", headers={"Accept": "text/turtle"}).text
    changed = turtle.replace("Find ESCAPE OSSR records", "Find ESCAPE OSSR records (Turtle)")
    response = write_client.post("/executables", content=changed, headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text
    assert response.json()["stored"][0]["replaced"] is True
    assert write_client.get(f"/executables/{NOTEBOOK}").json()["title"] == "Find ESCAPE OSSR records (Turtle)"


def test_post_jsonld(write_client: TestClient) -> None:
    document = write_client.get(f"/platforms/{MYBINDER}", headers={"Accept": "application/ld+json"}).json()
    response = write_client.post(
        "/platforms", content=json.dumps(document), headers={**AUTH, "Content-Type": "application/ld+json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["stored"][0]["uuid"] == MYBINDER


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong-token"}, 401, "unauthorized"),
        ({"Authorization": "Basic dGVzdDp0ZXN0"}, 401, "unauthorized"),
    ],
    ids=["no-token", "wrong-token", "not-bearer"],
)
def test_writes_need_the_token(write_client: TestClient, headers: dict[str, str], status: int, error: str) -> None:
    for response in (
        write_client.post("/executables", json=new_executable(), headers=headers),
        write_client.put(f"/executables/{NEW_UUID}", json=new_executable(), headers=headers),
        write_client.delete(f"/executables/{NOTEBOOK}", headers=headers),
    ):
        assert response.status_code == status and response.json()["error"] == error
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "test-token" not in response.text
    assert write_client.get(f"/executables/{NOTEBOOK}").status_code == 200
    assert write_client.get(f"/executables/{NEW_UUID}").status_code == 404


def test_without_a_token_configured_the_service_is_read_only(readonly_client: TestClient) -> None:
    response = readonly_client.post("/executables", json=new_executable(), headers=AUTH)
    assert response.status_code == 403 and response.json()["error"] == "read-only"
    assert readonly_client.delete(f"/executables/{NOTEBOOK}", headers=AUTH).status_code == 403
    assert readonly_client.get("/health").json()["writable"] is False
    assert readonly_client.post("/validate", json=new_executable()).json()["conforms"] is True


def test_invalid_document_is_422_with_the_whole_report_and_nothing_stored(write_client: TestClient) -> None:
    good = new_executable()["executables"][0]
    bad = new_executable("0b5c3a4e-3333-4222-8333-944455556666", "Bad")["executables"][0]
    bad["compute-resources"] = [{"mincores": "many", "minmemroy": 4}]
    bad["type"] = "urn:types/jupyter-notebok"
    response = write_client.post("/executables", json={"executables": [good, bad]}, headers=AUTH)
    assert response.status_code == 422
    report = response.json()["report"]
    assert report["conforms"] is False and report["violations"] >= 3
    by_path = {issue["path"]: issue for issue in report["issues"]}
    assert "did you mean 'minmemory'" in by_path["executables[1].compute-resources[0].minmemroy"]["message"]
    assert by_path["executables[1].compute-resources[0].mincores"]["value"] == "many"
    assert "urn:types/jupyter-notebook" in by_path["executables[1].type"]["message"]
    assert all(issue["message"] for issue in report["issues"])
    assert write_client.get(f"/executables/{good['uuid']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type", "line", "column"),
    [
        ('{"executables": [\n  {"uuid": "x",\n   "title": }\n]}', "application/json", 3, 13),
        ("@prefix esap: <https://w3id.org/esap-registry/vocab#> .\n<urn:uuid:x> esap:title \"a\" ;\n  esap:uuid .\n",
         "text/turtle", 3, None),
    ],
    ids=["json", "turtle"],
)
def test_malformed_input_is_400_with_line_and_column(
    write_client: TestClient, body: str, content_type: str, line: int, column: int | None
) -> None:
    response = write_client.post("/executables", content=body, headers={**AUTH, "Content-Type": content_type})
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "input" and error["line"] == line
    if column is not None:
        assert error["column"] == column
    assert write_client.post("/validate", content=body, headers={"Content-Type": content_type}).json()["line"] == line


def test_body_too_large_is_413(write_client: TestClient) -> None:
    big = new_executable(description="x" * 300_000)
    response = write_client.post("/executables", json=big, headers=AUTH)
    assert response.status_code == 413 and response.json()["error"] == "too-large"

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b" " * 10_000

    streamed = write_client.post(
        "/validate", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_unsupported_body_type_is_415(write_client: TestClient) -> None:
    response = write_client.post("/executables", content=b"a: b", headers={**AUTH, "Content-Type": "application/yaml"})
    assert response.status_code == 415


def test_platforms_are_not_posted_to_executables(write_client: TestClient) -> None:
    platform = write_client.get(f"/platforms/{MYBINDER}").json()
    response = write_client.post("/executables", json={"platforms": [platform]}, headers=AUTH)
    assert response.status_code == 400 and "/platforms" in response.json()["message"]


def test_put_creates_then_replaces(write_client: TestClient) -> None:
    manifest = new_executable()
    created = write_client.put(f"/executables/{NEW_UUID}", json=manifest, headers=AUTH)
    assert created.status_code == 201 and created.headers["location"] == f"/executables/{NEW_UUID}"
    manifest["executables"][0]["title"] = "Renamed"
    replaced = write_client.put(f"/executables/{NEW_UUID}", json=manifest, headers=AUTH)
    assert replaced.status_code == 200 and replaced.json()["stored"][0]["replaced"] is True
    assert write_client.get(f"/executables/{NEW_UUID}").json()["title"] == "Renamed"


def test_put_checks_the_uuid_matches_the_url(write_client: TestClient) -> None:
    response = write_client.put(f"/executables/{NOTEBOOK}", json=new_executable(), headers=AUTH)
    assert response.status_code == 400 and NOTEBOOK in response.json()["message"]
    assert write_client.get(f"/executables/{NEW_UUID}").status_code == 404
    assert write_client.get(f"/executables/{NOTEBOOK}").json()["title"] == "Find ESCAPE OSSR records"


def test_delete(write_client: TestClient) -> None:
    assert write_client.delete(f"/platforms/{NOTEBOOK}", headers=AUTH).status_code == 404
    assert write_client.delete(f"/executables/{NOTEBOOK}", headers=AUTH).status_code == 204
    assert write_client.get(f"/executables/{NOTEBOOK}").status_code == 404
    assert write_client.delete(f"/executables/{NOTEBOOK}", headers=AUTH).status_code == 404
    assert write_client.get("/health").json()["executables"] == 6


def test_validate_stores_nothing_and_needs_no_token(write_client: TestClient) -> None:
    response = write_client.post("/validate", json=new_executable(titel="x"))
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is False and report["issues"][0]["path"] == "executables[0].titel"
    assert write_client.post("/validate", json=new_executable()).json() == {
        "conforms": True, "violations": 0, "warnings": 0, "issues": []
    }
    assert write_client.get(f"/executables/{NEW_UUID}").status_code == 404
