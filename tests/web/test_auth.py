"""Writes need the token: every write operation and every SPARQL Update without a
valid token is 401 (403 when the service is read-only), and changes nothing; the
token never shows in the server's logs, nor in any answer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from web_support import AUTH, MYBINDER, NEW_UUID, NOTEBOOK, TOKEN, free_port, new_executable

from registry.store import Store
from registry.web import Settings

#: Operations that read although they are not GET: they take a document or a query.
#: (POST /requests, the ExecutionBroker's request for offers, writes only offer state: no token.)
READS_BY_POST = {("POST", "/validate"), ("POST", "/plan"), ("POST", "/sparql"), ("POST", "/requests")}
#: What the service writes with; a new write operation must be added here, and so tested.
WRITES = {
    ("POST", "/executables"),
    ("PUT", "/executables/{uuid}"),
    ("DELETE", "/executables/{uuid}"),
    ("POST", "/platforms"),
    ("PUT", "/platforms/{uuid}"),
    ("DELETE", "/platforms/{uuid}"),
    ("POST", "/datasets"),
    ("PUT", "/datasets/{uuid}"),
    ("DELETE", "/datasets/{uuid}"),
    ("POST", "/update"),
    ("POST", "/sessions/{uuid}"),
    ("POST", "/direct"),
}
#: An example data set (examples/datasets.json), changed or deleted by the writes.
GAIA_DATASET = "401f6251-be15-4f8a-bad7-38ef4d6cb7c1"
INSERT = "INSERT DATA { GRAPH <urn:uuid:00000000-0000-4000-8000-00000000a075> { <urn:test:s> <urn:test:p> 'written' } }"
#: Authorization headers that are not the token.
WRONG = {
    "none": {},
    "empty": {"Authorization": ""},
    "bearer-only": {"Authorization": "Bearer"},
    "bearer-blank": {"Authorization": "Bearer    "},
    "wrong-token": {"Authorization": "Bearer not-the-token"},
    "prefix": {"Authorization": f"Bearer {TOKEN[:-1]}"},
    "longer": {"Authorization": f"Bearer {TOKEN}x"},
    "other-case": {"Authorization": f"Bearer {TOKEN.upper()}"},
    "basic-scheme": {"Authorization": f"Basic {TOKEN}"},
    "token-scheme": {"Authorization": f"Token {TOKEN}"},
    "no-scheme": {"Authorization": TOKEN},
    "two-tokens": {"Authorization": f"Bearer {TOKEN} {TOKEN}"},
    "non-ascii": {"Authorization": "Bearer t\u00f6ken".encode()},  # type: ignore[dict-item]
}


def write_requests() -> list[tuple[str, str, dict[str, object]]]:
    """One request for each write operation (and each way of sending a SPARQL Update)."""
    executable = new_executable()
    platform = {
        "platforms": [
            {
                "uuid": MYBINDER,
                "type": "urn:platforms/binderhub",
                "title": "MyBinder, changed",
                "description": "Changed by the auth tests.",
                "url": "https://mybinder.org/",
                "executable-types": ["urn:types/notebook"],
                "compute-resources": [{"nodes": 1, "cores": 1, "memory": 2}],
            }
        ]
    }
    dataset = {
        "datasets": [
            {
                "uuid": GAIA_DATASET,
                "title": "Gaia DR3, changed",
                "description": "Changed by the auth tests.",
                "data-content": "urn:astrometric-catalogue",
                "access": [{"type": "urn:access/url", "url": "https://cdn.gea.esac.esa.int/Gaia/gdr3/gaia_source/"}],
            }
        ]
    }
    return [
        ("POST", "/executables", {"json": executable}),
        ("PUT", f"/executables/{NEW_UUID}", {"json": executable}),
        ("DELETE", f"/executables/{NOTEBOOK}", {}),
        ("POST", "/platforms", {"json": platform}),
        ("PUT", f"/platforms/{MYBINDER}", {"json": platform}),
        ("DELETE", f"/platforms/{MYBINDER}", {}),
        ("POST", "/datasets", {"json": dataset}),
        ("PUT", f"/datasets/{GAIA_DATASET}", {"json": dataset}),
        ("DELETE", f"/datasets/{GAIA_DATASET}", {}),
        ("POST", "/update", {"data": {"update": INSERT}}),
        ("POST", "/update", {"content": INSERT, "headers": {"Content-Type": "application/sparql-update"}}),
        ("POST", "/sparql", {"data": {"update": INSERT}}),
        ("POST", "/sparql", {"content": INSERT, "headers": {"Content-Type": "application/sparql-update"}}),
        ("POST", "/sparql", {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}),
    ]


REQUESTS = write_requests()
IDS = [f"{m} {p} {min(k) if k else ''}" for m, p, k in REQUESTS]
#: The ExecutionBroker's writes (done with the token in tests/web/test_web_broker.py, which makes the session first).
BROKER_REQUESTS = [
    ("POST", f"/sessions/{NEW_UUID}", {"json": {"kind": "uri:enum-value-update", "path": "/phase", "value": "ACCEPTED"}}),
    ("POST", "/direct", {"json": {"executable": {"kind": "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/executable/jupyter-notebook.yaml"}}}),
]


def quads(store: Store) -> list[bytes]:
    return sorted(store.dump("nquads").splitlines())


def send(client: TestClient, method: str, path: str, options: dict[str, object], auth: dict[str, str]) -> httpx.Response:
    options = dict(options)
    headers = {**dict(options.pop("headers", {})), **auth}  # type: ignore[call-overload]
    return client.request(method, path, headers=headers, **options)  # type: ignore[arg-type]


def api_routes(routes: list[object]) -> Iterator[APIRoute]:
    """Every API route, in included routers too (wrapped differently by FastAPI versions)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        for inner in ("original_router", "app"):
            router = getattr(route, inner, None)
            if router is not None and hasattr(router, "routes"):
                yield from api_routes(router.routes)


def test_every_write_operation_is_known(read_app: object) -> None:
    """The routes that are not GET are the writes tested here, and the reads that take a body."""
    found = {
        (method, route.path)
        for route in api_routes(read_app.routes)  # type: ignore[attr-defined]
        for method in route.methods
        if method not in ("GET", "HEAD")
    }
    assert found == WRITES | READS_BY_POST
    described = {(m.upper(), p) for p, ops in read_app.openapi()["paths"].items() for m in ops if m != "get"}  # type: ignore[attr-defined]
    assert described == WRITES | READS_BY_POST


@pytest.mark.parametrize("auth", list(WRONG.values()), ids=list(WRONG))
@pytest.mark.parametrize(("method", "path", "options"), REQUESTS + BROKER_REQUESTS, ids=IDS + [f"{m} {p}" for m, p, _ in BROKER_REQUESTS])
def test_a_write_without_the_token_is_401_and_changes_nothing(
    write_client: TestClient, write_store: Store, method: str, path: str, options: dict[str, object], auth: dict[str, str]
) -> None:
    before = quads(write_store)
    response = send(write_client, method, path, options, auth)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"] == "unauthorized"
    assert quads(write_store) == before


@pytest.mark.parametrize("auth", [AUTH, {}, WRONG["wrong-token"]], ids=["the-token", "none", "wrong"])
@pytest.mark.parametrize(("method", "path", "options"), REQUESTS, ids=IDS)
def test_a_read_only_service_refuses_every_write(
    readonly_client: TestClient, write_store: Store, method: str, path: str, options: dict[str, object], auth: dict[str, str]
) -> None:
    before = quads(write_store)
    response = send(readonly_client, method, path, options, auth)
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "read-only"
    assert quads(write_store) == before


@pytest.mark.parametrize(("method", "path", "options"), REQUESTS, ids=IDS)
def test_with_the_token_each_write_is_done(
    write_client: TestClient, write_store: Store, method: str, path: str, options: dict[str, object]
) -> None:
    before = quads(write_store)
    response = send(write_client, method, path, options, AUTH)
    assert response.status_code in (200, 201, 204), response.text
    assert quads(write_store) != before


def test_the_write_checks_come_before_the_body_is_read(write_client: TestClient, write_store: Store) -> None:
    """An unauthenticated write is refused as it is, whatever its body: too large, malformed or not UTF-8."""
    before = quads(write_store)
    for body in (b"x" * (512 * 1024), b"{not json", b"\xff\xfe"):
        for method, path in (("POST", "/executables"), ("PUT", f"/executables/{NEW_UUID}"), ("POST", "/update")):
            response = write_client.request(method, path, content=body, headers={"Content-Type": "application/json"})
            assert response.status_code == 401
    assert quads(write_store) == before


def test_queries_need_no_token(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    assert client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    assert client.post("/validate", json=new_executable()).status_code == 200
    assert client.post("/plan", json=new_executable()).status_code == 200


def test_the_service_description_tells_whether_updates_are_possible(client: TestClient, readonly_client: TestClient) -> None:
    update = "<http://www.w3.org/ns/sparql-service-description#SPARQL11Update>"
    assert update in client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert update not in readonly_client.get("/sparql", headers={"Accept": "application/n-triples"}).text


def test_the_openapi_description_names_the_token(client: TestClient) -> None:
    description = client.get("/openapi.json").json()
    assert description["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": description["components"]["securitySchemes"]["bearerToken"]["description"],
    }
    for method, path in WRITES:
        assert description["paths"][path][method.lower()]["security"] == [{"bearerToken": []}], (method, path)
    assert TOKEN not in str(description)


def test_the_settings_never_show_the_token() -> None:
    settings = Settings(token=TOKEN)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)


# -- the token in the logs and answers of a real server -----------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``esap-registry serve`` with the token from a file, logging everything (debug)."""
    token_file = tmp_path / "token"
    token_file.write_text(f"{TOKEN}\n")
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "esap-registry"), "serve", "--store", "memory", "--examples",
        "--host", "127.0.0.1", "--port", str(port), "--token-file", str(token_file), "--log-level", "debug",
    ]
    env = {k: v for k, v in os.environ.items() if k != "ESAP_REGISTRY_TOKEN"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


@pytest.mark.slow
def test_the_token_is_never_logged_nor_answered(served: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, process = served
    answers: list[httpx.Response] = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for auth in WRONG.values():
            if any(isinstance(v, str) and v != v.strip() for v in auth.values()):
                continue  # not a header a client sends on the wire
            answers.append(http.post("/executables", json=new_executable(), headers=auth))
            answers.append(http.post("/update", data={"update": INSERT}, headers=auth))
        answers.append(http.post("/executables", json=new_executable(), headers=AUTH))
        answers.append(http.put(f"/executables/{NEW_UUID}", json=new_executable(title="again"), headers=AUTH))
        answers.append(http.post("/executables", content=b"{broken", headers={**AUTH, "Content-Type": "application/json"}))
        answers.append(http.post("/executables", json={"executables": [{"uuid": "x"}]}, headers=AUTH))
        answers.append(http.post("/sparql", data={"update": INSERT}, headers=AUTH))
        answers.append(http.post("/update", data={"update": "NOT SPARQL"}, headers=AUTH))
        answers.append(http.post("/update", data={"update": "SELECT * {}"}, headers=AUTH))
        answers.append(http.delete(f"/executables/{NEW_UUID}", headers=AUTH))
        answers.append(http.delete(f"/executables/{NEW_UUID}", headers=AUTH))  # 404 now
        answers.append(http.get("/executables", headers=AUTH))
        answers.append(http.get("/sparql", params={"query": "SELECT"}, headers=AUTH))
        answers.append(http.get("/health", headers=AUTH))
    statuses = sorted({a.status_code for a in answers})
    assert statuses == [200, 201, 204, 400, 401, 404, 422], statuses
    for answer in answers:
        assert TOKEN not in answer.text, (answer.request.url, answer.text[:300])
        assert TOKEN not in str(answer.headers), (answer.request.url, answer.headers)
        assert "not-the-token" not in answer.text  # nor what a client sent instead
    process.terminate()
    stdout, stderr = process.communicate(timeout=30)
    logs = (stdout + stderr).decode("utf-8", "replace")
    assert "POST /executables" in logs and "401" in logs  # the requests were logged ...
    assert TOKEN not in logs  # ... and the token never was
    assert "not-the-token" not in logs
