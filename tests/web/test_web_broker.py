"""The registry as an IVOA ExecutionBroker, against the live server: the reference
broker's kinds of request (a notebook by URL, a Docker container with an image digest and
a data volume) as JSON and YAML, offers checked against the offer rule and a JSON Schema
written from the upstream contract, accepting, expiring, NO with reasons, the CLI client,
and a federation of two registries compared by the client."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from web_support import AUTH, TOKEN, free_port, running

from registry.cli.main import cli
from registry.store import open_store
from registry.units import parse_count, parse_data_size
from registry.web import Settings, create_app

jsonschema = pytest.importorskip("jsonschema")

BROKER_DATA = Path(__file__).resolve().parents[1] / "data" / "broker"
SCHEMA = json.loads((BROKER_DATA / "execution-broker.schema.json").read_text(encoding="utf-8"))
COMPUTE_KIND = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/compute/simple-compute-resource.yaml"
NOTEBOOK_KIND = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/executable/jupyter-notebook.yaml"
UPDATE = "uri:enum-value-update"
_PLATFORM = re.compile(r"/platforms/([0-9a-f-]{36})")


def _format_checker() -> Any:
    """Format checks of our own, so that they never depend on optional packages."""
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        return not isinstance(value, str) or (datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None and "T" in value)

    @checker.checks("uuid", raises=ValueError)
    def uuid_(value: object) -> bool:
        return not isinstance(value, str) or str(uuid.UUID(value)) == value

    @checker.checks("uri", raises=ValueError)
    def uri(value: object) -> bool:
        return not isinstance(value, str) or bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value))

    return checker


VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=_format_checker())


def conforms(body: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]


def test_the_schema_catches_a_wrong_field() -> None:
    """The schema is strict where the registry writes: a misspelt key, a wrong type or a
    phase that is not one fails."""
    session = {
        "kind": "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/session/simple-execution-session.yaml",
        "meta": {"uuid": str(uuid.uuid4())},
        "phase": "OFFERED",
        "compute": {"kind": COMPUTE_KIND, "cores": {"min": 2, "max": 2}},
    }
    conforms(session)
    for broken in (
        {**session, "phase": "OFFER"},
        {**session, "expires": "tomorrow"},
        {**session, "compute": {"kind": COMPUTE_KIND, "cores": {"min": "2"}}},
        {**session, "compute": {"kind": COMPUTE_KIND, "core": {"min": 2}}},
        {**session, "meta": {"uuid": "not-a-uuid"}},
    ):
        assert list(VALIDATOR.iter_errors(broken)), broken


def _content_type(path: Path) -> str:
    return "application/yaml" if path.suffix == ".yaml" else "application/json"


def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def broker_server(example_quads: bytes) -> Iterator[str]:
    """A live server on the examples with the token and the default offers (5, 5 min)."""
    store = open_store("memory")
    store.load(example_quads, "nquads")
    with running(create_app(Settings(token=TOKEN), store=store)) as base:
        yield base
    store.close()


@pytest.fixture(scope="module")
def http(broker_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=broker_server, timeout=30, follow_redirects=False) as client:
        yield client


def ask(http: httpx.Client, path: Path) -> tuple[httpx.Response, dict[str, Any]]:
    """POST a request file, check the 303 and follow it; the 303 and the offer set."""
    response = http.post("/requests", content=path.read_bytes(), headers={"Content-Type": _content_type(path)})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.match(rf"^{re.escape(str(http.base_url).rstrip('/'))}/offersets/[0-9a-f-]{{36}}$", location)
    followed = http.get(location, headers={"Accept": "application/json"})
    assert followed.status_code == 200
    offerset = followed.json()
    assert offerset["meta"]["url"] == location
    return response, offerset


def check_offer(http: httpx.Client, request: dict[str, Any], offer: dict[str, Any], ttl: timedelta) -> dict[str, Any]:
    """An offer against the rule: one platform of the registry that runs the request's
    kind, cores and memory fixed (min = max) within the range asked for and within what
    one of the platform's pools gives, OFFERED until created + TTL, the request's
    components echoed. Returns the platform."""
    assert offer["phase"] == "OFFERED"
    created = datetime.fromisoformat(offer["meta"]["created"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(offer["expires"].replace("Z", "+00:00"))
    assert expires - created == ttl
    compute = offer["compute"]
    assert compute["kind"] == COMPUTE_KIND
    platform_uuid = _PLATFORM.search(offer["meta"]["description"]).group(1)  # type: ignore[union-attr]
    platform = http.get(f"/platforms/{platform_uuid}", headers={"Accept": "application/json"}).json()
    assert offer["meta"]["name"] == platform["title"]
    asked = request["compute"]
    for key, read in (("cores", parse_count), ("memory", parse_data_size)):
        given = compute[key]
        assert given["min"] == given["max"]
        assert asked[key]["min"] <= given["min"] <= asked[key]["max"]
        assert any(read(pool[key]) * pool.get("nodes", 1) >= given["min"] for pool in platform["compute-resources"])
    assert compute.get("meta") == asked.get("meta")
    assert offer["executable"] == {**request["executable"], "kind": offer["executable"]["kind"]}
    assert offer["data"] == request.get("data", [])
    assert offer.get("connectors") == []
    return platform


@pytest.mark.parametrize(
    ("name", "platforms"),
    [
        ("notebook-request.json", {"CSCS CTA BinderHub", "SKAO BinderHub"}),
        ("notebook-request.yaml", {"CSCS CTA BinderHub", "SKAO BinderHub"}),
        ("docker-request.json", {"ESCAPE Kubernetes cloud"}),
        ("docker-request.yaml", {"ESCAPE Kubernetes cloud"}),
    ],
)
def test_requests_get_offers_that_follow_the_rule(http: httpx.Client, name: str, platforms: set[str]) -> None:
    path = BROKER_DATA / name
    request = _read(path)
    redirect, offerset = ask(http, path)
    conforms(redirect.json())
    conforms(offerset)
    assert offerset["result"] == "YES"
    offered = {check_offer(http, request, offer, timedelta(minutes=5))["title"] for offer in offerset["offers"]}
    assert offered == platforms
    assert len(offerset["offers"]) == len(platforms)
    as_yaml = http.get(offerset["meta"]["url"], headers={"Accept": "application/yaml"})
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(as_yaml.text) == offerset
    if name.startswith("docker"):
        offer = offerset["offers"][0]
        assert offer["executable"]["image"]["digest"] == request["executable"]["image"]["digest"]
        assert offer["compute"]["volumes"] == request["compute"]["volumes"]
        assert offer["storage"] == request["storage"]
        notes = [m["message"] for m in offerset["meta"]["messages"] if m["level"] == "INFO"]
        assert any(n.startswith("executable.image") for n in notes)
        assert any(n.startswith("compute.volumes") for n in notes)
        assert any(n.startswith("data[1]") for n in notes)  # the catalogue has no size: carried along, said so


def test_accepting_one_offer_rejects_its_siblings(http: httpx.Client) -> None:
    _, offerset = ask(http, BROKER_DATA / "notebook-request.json")
    first, second = offerset["offers"]
    accept = {"kind": UPDATE, "path": "/phase", "value": "ACCEPTED"}
    assert http.post(first["meta"]["url"], json=accept).status_code == 401
    response = http.post(first["meta"]["url"], json=accept, headers=AUTH)
    assert response.status_code == 200, response.text
    accepted = response.json()
    conforms(accepted)
    assert accepted["phase"] == "ACCEPTED"
    (connector,) = accepted["connectors"]
    assert connector["status"] == "AVAILABLE" and connector["protocol"] == "HTTPS"
    assert connector["location"].startswith("https://") and "calycopis-examples" in connector["location"]
    assert "notebooks/example.ipynb" in connector["location"]
    again = http.get(offerset["meta"]["url"]).json()
    phases = {o["meta"]["uuid"]: o["phase"] for o in again["offers"]}
    assert phases == {first["meta"]["uuid"]: "ACCEPTED", second["meta"]["uuid"]: "REJECTED"}
    conflict = http.post(second["meta"]["url"], json=accept, headers=AUTH)
    assert conflict.status_code == 409 and "REJECTED" in conflict.json()["message"]
    assert http.get(first["meta"]["url"]).json() == accepted
    page = http.get(first["meta"]["url"], headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'href="{connector["location"]}"' in page.text.replace("&amp;", "&")
    assert re.search(r'href="/platforms/[0-9a-f-]{36}"', page.text)
    cancelled = http.post(first["meta"]["url"], json={**accept, "value": "CANCELLED"}, headers=AUTH).json()
    assert cancelled["phase"] == "CANCELLED" and cancelled["connectors"][0]["status"] == "FINISHED"


def test_a_bad_update_names_what_is_wrong(http: httpx.Client) -> None:
    _, offerset = ask(http, BROKER_DATA / "notebook-request.json")
    url = offerset["offers"][0]["meta"]["url"]
    for update, path in (
        ({"kind": "uri:string-value-update", "path": "/phase", "value": "ACCEPTED"}, "kind"),
        ({"kind": UPDATE, "path": "/name", "value": "ACCEPTED"}, "path"),
        ({"kind": UPDATE, "path": "/phase", "value": "RUNNING"}, "value"),
    ):
        response = http.post(url, json=update, headers=AUTH)
        assert response.status_code == 400 and response.json()["path"] == path
    assert http.get(url).json()["phase"] == "OFFERED"
    assert http.get(f"/sessions/{uuid.uuid4()}").status_code == 404
    assert http.get("/sessions/not-a-uuid").status_code == 400


def test_an_impossible_request_gets_no_with_the_reasons(http: httpx.Client) -> None:
    _, offerset = ask(http, BROKER_DATA / "impossible-request.json")
    conforms(offerset)
    assert offerset["result"] == "NO" and offerset["offers"] == []
    reasons = [m for m in offerset["meta"]["messages"] if m["level"] == "WARN"]
    assert reasons
    cores = [m["values"] for m in reasons if m["values"]["constraint"] == "cores"]
    assert cores and all(v["required"] == "500" and v["unit"] == "cores" and int(v["offered"]) < 500 for v in cores)
    assert any("needs 500 cores" in m["message"] for m in reasons)
    cscs = next(m for m in reasons if m["values"]["title"] == "CSCS CTA BinderHub")
    assert cscs["values"]["would-fit"] == "cores=8" and cscs["values"]["would-fit-request"] == "compute.cores.min=8"
    assert cscs["message"].endswith("would fit with compute.cores.min=8")
    page = http.get(offerset["meta"]["url"], headers={"Accept": "text/html"}).text
    assert "NO" in page and "needs 500 cores" in page


def test_an_unknown_kind_is_no_naming_it_and_the_known_kinds(http: httpx.Client) -> None:
    request = _read(BROKER_DATA / "notebook-request.json")
    request["executable"]["kind"] = "https://example.org/kinds/spreadsheet"
    response = http.post("/requests", json=request)
    assert response.status_code == 303
    offerset = response.json()
    assert offerset["result"] == "NO"
    (message,) = [m for m in offerset["meta"]["messages"] if m["level"] == "ERROR"]
    assert "https://example.org/kinds/spreadsheet" in message["message"] and NOTEBOOK_KIND in message["message"]


def test_old_kind_uris_are_read(http: httpx.Client) -> None:
    request = _read(BROKER_DATA / "notebook-request.json")
    request["executable"]["kind"] = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/jupyter-notebook-1.0"
    request["compute"]["kind"] = "https://www.purl.org/ivoa.net/EB/schema/v1.0/types/compute/simple-compute-resource-1.0"
    offerset = http.post("/requests", json=request).json()
    assert offerset["result"] == "YES"
    assert {o["executable"]["kind"] for o in offerset["offers"]} == {NOTEBOOK_KIND}  # exact in what it writes


@pytest.mark.parametrize(
    ("body", "content_type", "status", "path"),
    [
        (b'{"executable": {"kind": 5}}', "application/json", 400, "executable.kind"),
        (b'{"compute": {"kind": "%s", "cores": {"min": "five"}}}' % COMPUTE_KIND.encode(), "application/json", 400, "compute.cores.min"),
        (b'{"compute": {"kind": "%s", "memory": {"min": 9, "max": 3}}}' % COMPUTE_KIND.encode(), "application/json", 400, "compute.memory"),
        (b'{"compute": {"cores": {"min": 1}}}', "application/json", 400, "compute.kind"),
        (b'{"schedule": {"requested": {"duration": "an hour"}}}', "application/json", 400, "schedule.requested.duration"),
        (b'{"storage": {"kind": "x"}}', "application/json", 400, "storage"),
        (b"a: &x [1]\nb: *x\n", "application/yaml", 400, None),
        (b'{"executable": ', "application/json", 400, None),
        (b"<offers-request/>", "application/xml", 415, None),
    ],
)
def test_a_malformed_request_is_400_naming_where(http: httpx.Client, body: bytes, content_type: str, status: int, path: str | None) -> None:
    response = http.post("/requests", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    if path:
        assert response.json()["path"] == path


def test_the_docs_list_the_broker_operations(http: httpx.Client) -> None:
    schema = http.get("/openapi.json").json()
    for path, method in (("/requests", "post"), ("/offersets/{uuid}", "get"), ("/sessions/{uuid}", "get"), ("/sessions/{uuid}", "post"), ("/direct", "post")):
        assert schema["paths"][path][method]["tags"] == ["broker"]
    assert http.get("/docs").status_code == 200


def test_offers_expire(example_quads: bytes) -> None:
    store = open_store("memory")
    store.load(example_quads, "nquads")
    # (a time to live with room for a loaded machine: the offers must still be offered
    # when the answer is read, a plan later)
    with running(create_app(Settings(token=TOKEN, offer_ttl=3.0), store=store)) as base, httpx.Client(base_url=base) as client:
        _, offerset = ask(client, BROKER_DATA / "notebook-request.yaml")
        assert {o["phase"] for o in offerset["offers"]} == {"OFFERED"}
        time.sleep(3.3)
        expired = client.get(offerset["meta"]["url"]).json()
        conforms(expired)
        assert {o["phase"] for o in expired["offers"]} == {"EXPIRED"}
        assert all("expires" not in o for o in expired["offers"])
        accept = client.post(expired["offers"][0]["meta"]["url"], json={"kind": UPDATE, "path": "/phase", "value": "ACCEPTED"}, headers=AUTH)
        assert accept.status_code == 409 and "EXPIRED" in accept.json()["message"]
    store.close()


def test_a_read_only_service_answers_requests_with_a_cap(example_quads: bytes) -> None:
    store = open_store("memory")
    store.load(example_quads, "nquads")
    with TestClient(create_app(Settings(max_open_offersets=2), store=store)) as client:
        body = (BROKER_DATA / "notebook-request.json").read_bytes()
        first = client.post("/requests", content=body, headers={"Content-Type": "application/json"}, follow_redirects=False)
        assert first.status_code == 303
        session = first.json()["offers"][0]["meta"]["url"]
        refused = client.post(session, json={"kind": UPDATE, "path": "/phase", "value": "ACCEPTED"})
        assert refused.status_code == 403
        assert client.post("/requests", content=body, headers={"Content-Type": "application/json"}, follow_redirects=False).status_code == 303
        full = client.post("/requests", content=body, headers={"Content-Type": "application/json"}, follow_redirects=False)
        assert full.status_code == 503 and int(full.headers["retry-after"]) > 0
    store.close()


def test_offer_sets_are_rdf_in_the_store_and_outlive_the_app(example_quads: bytes) -> None:
    store = open_store("memory")
    store.load(example_quads, "nquads")
    with TestClient(create_app(Settings(token=TOKEN), store=store)) as client:
        offerset = client.post("/requests", content=(BROKER_DATA / "notebook-request.json").read_bytes(), headers={"Content-Type": "application/json"}).json()
        query = (
            "PREFIX esap: <https://w3id.org/esap-registry/vocab#> "
            "SELECT ?g ?phase ?platform ?cores WHERE { GRAPH ?g { ?g a esap:OfferSet ; esap:offer ?s . "
            "?s esap:sessionPhase ?phase ; esap:offeredOn ?platform ; esap:allocatedCores ?cores } }"
        )
        rows = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
        assert {r["g"]["value"] for r in rows} == {f"urn:uuid:{offerset['meta']['uuid']}"}
        assert {r["phase"]["value"] for r in rows} == {"OFFERED"}
        assert {int(r["cores"]["value"]) for r in rows} == {o["compute"]["cores"]["min"] for o in offerset["offers"]}
    with TestClient(create_app(Settings(token=TOKEN), store=store)) as again:
        assert again.get(f"/offersets/{offerset['meta']['uuid']}").json() == offerset
    store.close()


def test_direct_gives_the_best_offer_accepted(http: httpx.Client) -> None:
    body = (BROKER_DATA / "notebook-request.json").read_bytes()
    assert http.post("/direct", content=body, headers={"Content-Type": "application/json"}).status_code == 401
    response = http.post("/direct", content=body, headers={"Content-Type": "application/json", **AUTH})
    assert response.status_code == 303
    session = http.get(response.headers["location"]).json()
    assert session["phase"] == "ACCEPTED" and session["connectors"][0]["status"] == "AVAILABLE"
    failed = http.post("/direct", content=(BROKER_DATA / "impossible-request.json").read_bytes(), headers={"Content-Type": "application/json", **AUTH})
    assert failed.status_code == 400 and failed.json()["phase"] == "FAILED"
    conforms(failed.json())


# -- the command-line client -----------------------------------------------------------


def test_the_cli_client_asks_accepts_and_rejects(broker_server: str, runner: Any, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["broker", "request", str(BROKER_DATA / "notebook-request.yaml"), "--broker", broker_server])
    assert result.exit_code == 0, result.output
    assert "CSCS CTA BinderHub" in result.output and "SKAO BinderHub" in result.output and f"{broker_server}: YES, 2 offer(s)" in result.output
    listed = runner.invoke(cli, ["broker", "request", str(BROKER_DATA / "notebook-request.json"), "--broker", broker_server, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    (answer,) = json.loads(listed.output)
    assert answer["broker"] == broker_server and answer["offerset"]["result"] == "YES"
    first, second = (o["meta"]["url"] for o in answer["offerset"]["offers"])
    denied = runner.invoke(cli, ["broker", "accept", first], env={"ESAP_REGISTRY_TOKEN": ""})
    assert denied.exit_code == 1 and "401" in denied.output
    accepted = runner.invoke(cli, ["broker", "accept", first, "--token-file", str(token_file)])
    assert accepted.exit_code == 0, accepted.output
    assert "ACCEPTED" in accepted.output and "connector AVAILABLE HTTPS: https://" in accepted.output
    rejected = runner.invoke(cli, ["broker", "reject", second, "--token-file", str(token_file), "--format", "json"])
    assert rejected.exit_code == 0 and json.loads(rejected.output)["phase"] == "REJECTED"  # by the accept already: no change
    refused = runner.invoke(cli, ["broker", "reject", first, "--token-file", str(token_file)])
    assert refused.exit_code == 1 and "409" in refused.output and "ACCEPTED" in refused.output
    no = runner.invoke(cli, ["broker", "request", str(BROKER_DATA / "impossible-request.json"), "--broker", broker_server])
    assert no.exit_code == 1 and "NO, 0 offer(s)" in no.output and "needs 500 cores" in no.output
    unreachable = runner.invoke(cli, ["broker", "request", str(BROKER_DATA / "notebook-request.json"), "--broker", f"http://127.0.0.1:{free_port()}"])
    assert unreachable.exit_code == 2


PARTNER = {
    "platforms": [
        {
            "uuid": "7d3e1c52-9a41-4b8e-b0f2-6c5d4e3f2a19",
            "type": "urn:platforms/binderhub",
            "title": "Partner BinderHub",
            "url": "https://binder.partner.example.org/",
            "launch": "{url}v2/git/{repository}/{ref}?urlpath=lab/tree/{path}",
            "executable-types": ["urn:types/notebook"],
            "compute-resources": [{"nodes": 1, "cores": 12, "memory": 48, "maxwalltime": 6}],
            "storage-resources": [{"size": 20}],
        }
    ]
}


@pytest.fixture
def partner_broker(tmp_path: Path, runner: Any, examples_dir: Path) -> Iterator[str]:
    """A second registry, in its own process (``esap-registry serve --offer-ttl 120``),
    holding the examples and one more BinderHub."""
    store = tmp_path / "partner-store"
    manifest = tmp_path / "partner.json"
    manifest.write_text(json.dumps(PARTNER), encoding="utf-8")
    result = runner.invoke(cli, ["ingest", "--store", str(store), str(examples_dir), str(manifest)])
    assert result.exit_code == 0, result.output
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "esap-registry"),
        "serve", "--store", str(store), "--port", str(port), "--log-level", "warning", "--offer-ttl", "120",
    ]
    env = {k: v for k, v in os.environ.items() if k != "ESAP_REGISTRY_TOKEN"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the partner registry did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_cli_client_compares_the_offers_of_two_brokers(broker_server: str, partner_broker: str, runner: Any) -> None:
    file = str(BROKER_DATA / "notebook-request.json")
    result = runner.invoke(cli, ["broker", "request", file, "--broker", broker_server, "--broker", partner_broker, "--format", "json"])
    assert result.exit_code == 0, result.output
    answers = {a["broker"]: a["offerset"] for a in json.loads(result.output)}
    assert set(answers) == {broker_server, partner_broker}
    ours = {o["meta"]["name"] for o in answers[broker_server]["offers"]}
    theirs = {o["meta"]["name"] for o in answers[partner_broker]["offers"]}
    assert ours == {"CSCS CTA BinderHub", "SKAO BinderHub"}
    assert theirs == ours | {"Partner BinderHub"}
    for url, offerset in answers.items():
        conforms(offerset)
        ttl = timedelta(seconds=120 if url == partner_broker else 300)  # serve --offer-ttl 120 for the partner
        for offer in offerset["offers"]:
            created = datetime.fromisoformat(offer["meta"]["created"].replace("Z", "+00:00"))
            assert datetime.fromisoformat(offer["expires"].replace("Z", "+00:00")) - created == ttl
        assert all(o["meta"]["url"].startswith(offerset["meta"]["url"].split("/offersets/")[0]) for o in offerset["offers"])
    table = runner.invoke(cli, ["broker", "request", file, "--broker", broker_server, "--broker", partner_broker])
    assert table.exit_code == 0, table.output
    rows = [line for line in table.output.splitlines() if re.match(r"^http://\S+\s{2}", line)]
    partner_rows = [r for r in rows if "Partner BinderHub" in r]
    assert len(partner_rows) == 1 and partner_rows[0].startswith(partner_broker)
    # ranked across both brokers: the offers with the fewest cores first, the partner's 12 after the BinderHubs' 8
    offered = [r for r in rows if "OFFERED" in r]
    assert offered.index(partner_rows[0]) == len(offered) - 1
    assert f"{broker_server}: YES, 2 offer(s)" in table.output and f"{partner_broker}: YES, 3 offer(s)" in table.output


def test_the_pages_escape_what_the_request_says(http: httpx.Client) -> None:
    request = _read(BROKER_DATA / "notebook-request.json")
    request["executable"]["meta"]["name"] = "<script>alert(1)</script>"
    request["executable"]["location"] = "javascript:alert(1)"
    offerset = http.post("/requests", json=request).json()
    for url in [offerset["meta"]["url"], *(o["meta"]["url"] for o in offerset["offers"])]:
        page = http.get(url, headers={"Accept": "text/html"}).text
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page
