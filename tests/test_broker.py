"""The broker's core: kinds read from the vocabulary, requests read into manifests and
back, offer sets in the store (expiry with a clock of the test's own, purging, the cap,
a restart), and the command line's export and plan of ExecutionRequests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry.broker import Broker, KindMap, parse_body, read_request
from registry.broker.offers import offer_allocation
from registry.broker.request import read_duration, write_duration
from registry.cli.main import cli
from registry.errors import BrokerBusy, BrokerConflict, InputError, NotFound
from registry.service import Registry, find_files
from registry.store import open_store

BROKER_DATA = Path(__file__).resolve().parent / "data" / "broker"
BASE = "http://broker.test"
KINDS = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/"
ACCEPT = {"kind": "uri:enum-value-update", "path": "/phase", "value": "ACCEPTED"}


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def examples_registry(examples_dir: Path) -> Iterator[Registry]:
    store = open_store("memory")
    registry = Registry(store)
    assert not registry.ingest_paths(find_files([examples_dir])).rejected
    yield registry
    store.close()


@pytest.fixture(scope="module")
def kinds(examples_registry: Registry) -> KindMap:
    return KindMap.load(examples_registry)


def request(name: str) -> dict[str, Any]:
    return yaml.safe_load((BROKER_DATA / name).read_text(encoding="utf-8"))


# -- kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role", "term"),
    [
        (KINDS + "executable/jupyter-notebook.yaml", "executable", "urn:types/jupyter-notebook"),
        (KINDS + "executable/docker-container.yaml", "executable", "urn:types/docker-container"),
        (KINDS + "executable/singularity-container.yaml", "executable", "urn:types/singularity-container"),
        ("https://www.purl.org/ivoa.net/executable-types/jupyter-notebook", "executable", "urn:types/jupyter-notebook"),
        ("https://www.purl.org/ivoa.net/EB/schema/types/executables/docker-container-1.0", "executable", "urn:types/docker-container"),
        ("https://www.purl.org/ivoa.net/EB/schema/types/executables/jupyter-notebook-1.0.yaml", "executable", "urn:types/jupyter-notebook"),
        ("https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/singularity-container-1.0", "executable", "urn:types/singularity-container"),
        (KINDS + "compute/simple-compute-resource", "compute", "https://w3id.org/esap-registry/vocab#ComputeRequirement"),
        (KINDS + "computer/simple-compute-resource.yaml", "compute", "https://w3id.org/esap-registry/vocab#ComputeRequirement"),
        (KINDS + "storage/simple-storage-resource.yaml", "storage", "https://w3id.org/esap-registry/vocab#StorageRequirement"),
        (KINDS + "data/ivoa-data-resource.yaml", "data", "https://w3id.org/esap-registry/vocab#DataRequirement"),
        (KINDS + "data/skao-data-resource.yaml", "data", "https://w3id.org/esap-registry/vocab#DataRequirement"),
    ],
)
def test_kinds_are_read_from_the_alignments(kinds: KindMap, kind: str, role: str, term: str) -> None:
    assert kinds.read(kind) == (role, term)


def test_unknown_kinds_and_what_is_written(kinds: KindMap) -> None:
    assert kinds.read("https://example.org/kinds/spreadsheet") is None
    assert kinds.read(KINDS + "executable/jupyter-notebook.yaml/") is None
    assert kinds.kind_of_type("urn:types/jupyter-notebook") == KINDS + "executable/jupyter-notebook.yaml"
    assert kinds.kind_of_type("urn:types/batch-job") is None
    assert kinds.known("compute") == [KINDS + "compute/simple-compute-resource.yaml"]


# -- reading requests ---------------------------------------------------------------------


def test_a_notebook_request_becomes_a_manifest(kinds: KindMap) -> None:
    read = read_request(request("notebook-request.json"), kinds)
    assert not read.unknown and not read.notes
    manifest = read.manifest("0b5c3a4e-1111-4222-8333-944455556666")
    assert manifest == {
        "executables": [
            {
                "uuid": "0b5c3a4e-1111-4222-8333-944455556666",
                "type": "urn:types/jupyter-notebook",
                "title": "Example notebook",
                "description": "A notebook by URL, as the reference broker's examples ask.",
                "location": {"repository": "https://github.com/ivoa/calycopis-examples", "ref": "main", "path": "notebooks/example.ipynb"},
                "compute-resources": [{"mincores": 5, "maxcores": 15, "minmemory": 3, "maxmemory": 9, "walltime": 1}],
            }
        ]
    }


def test_what_a_manifest_cannot_hold_is_noted(kinds: KindMap) -> None:
    odd = request("notebook-request.json")
    odd["compute"]["gpus"] = {"min": 1}
    odd["priority"] = "high"
    notes = read_request(odd, kinds).notes
    assert notes == ["priority: not part of an ExecutionRequest; not read", "compute.gpus: not part of a simple compute resource; not read"]
    read = read_request(request("docker-request.yaml"), kinds)
    entry = read.manifest("0b5c3a4e-1111-4222-8333-944455556666")["executables"][0]
    assert entry["compute-resources"] == [{"mincores": 2, "maxcores": 4, "minmemory": 4, "maxmemory": 8, "walltime": 2.5}]
    assert entry["storage-resources"] == [{"minsize": 10, "maxsize": 20}]
    assert entry["data-resources"] == [{"title": "cube", "size": "2000000000B"}]
    assert [n.split(":")[0] for n in read.notes] == [
        "executable.image",
        "executable.command",
        "executable.environment",
        "compute.volumes",
        "data[1]",
    ]


@pytest.mark.parametrize(
    ("text", "hours"),
    [("PT1H", Decimal(1)), ("PT2H30M", Decimal("2.5")), ("P1DT12H", Decimal(36)), ("P1W", Decimal(168)), ("PT90M", Decimal("1.5")), ("PT36S", Decimal("0.01"))],
)
def test_durations(text: str, hours: Decimal) -> None:
    assert read_duration(text, "d") == hours
    assert read_duration(write_duration(hours), "d") == hours


@pytest.mark.parametrize("text", ["P1M", "P1Y", "PT", "P", "1H", "PT1.5H"])
def test_durations_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        read_duration(text, "schedule.requested.duration")
    assert caught.value.json_path == "schedule.requested.duration"


def test_yaml_bodies_are_read_safely() -> None:
    assert parse_body(b"schedule:\n  requested:\n    start: 2026-12-07\n", "yaml") == {"schedule": {"requested": {"start": "2026-12-07"}}}
    with pytest.raises(InputError, match="aliases"):
        parse_body(b"a: &x [1, 2]\nb: *x\n", "yaml")
    with pytest.raises(InputError, match="YAML") as caught:
        parse_body(b"a: [1,\n", "yaml")
    assert caught.value.line is not None
    with pytest.raises(InputError, match="nests more than"):
        parse_body(("[" * 40 + "]" * 40).join(['{"a": ', "}"]).encode(), "json")
    with pytest.raises(InputError, match="object"):
        parse_body(b"[1, 2]", "json")
    with pytest.raises(InputError, match="UTF-8"):
        parse_body(b'{"a": "\xff"}', "json")
    with pytest.raises(InputError, match="JSON number"):
        parse_body(b'{"a": NaN}', "json")


# -- reading the plan's JSON ------------------------------------------------------------------


def test_an_allocation_is_read_from_the_plan_json() -> None:
    match = {
        "rank": 1,
        "platform": "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a03",
        "title": "CSCS CTA BinderHub",
        "pool": {"iri": "urn:uuid:f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a03#compute-resources-0", "nodes": 1, "cores-per-node": 8},
        "allocation": {"nodes": 1, "cores": 8, "memory": 32},
        "launch": "https://example.org/launch",
    }
    allocation = offer_allocation(match)
    assert (allocation.cores, allocation.memory, allocation.nodes) == (Decimal(8), Decimal(32), 1)
    assert allocation.pool == "urn:uuid:f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a03#compute-resources-0"
    several = {**match, "pool": [match["pool"], match["pool"]], "allocation": [{"nodes": 2, "cores": 16, "memory": 64}, match["allocation"]]}
    assert offer_allocation(several).cores == Decimal(16)


# -- offer sets in the store -------------------------------------------------------------------


@pytest.fixture
def broker(example_dump: bytes) -> Iterator[tuple[Broker, Clock]]:
    store = open_store("memory")
    store.load(example_dump, "nquads")
    clock = Clock()
    yield Broker(Registry(store), ttl=60, retention=600, max_open=3, clock=clock), clock
    store.close()


def test_offers_expire_and_are_purged_after_the_retention(broker: tuple[Broker, Clock]) -> None:
    brokers, clock = broker
    offerset = brokers.request(request("notebook-request.json"), BASE)
    uuid = offerset["meta"]["uuid"]
    assert [o["expires"] for o in offerset["offers"]] == ["2026-12-07T12:01:00.000Z"] * 2
    clock.now += timedelta(seconds=59)
    assert {o["phase"] for o in brokers.offerset(uuid)["offers"]} == {"OFFERED"}
    clock.now += timedelta(seconds=2)
    assert {o["phase"] for o in brokers.offerset(uuid)["offers"]} == {"EXPIRED"}
    with pytest.raises(BrokerConflict, match="EXPIRED"):
        brokers.update(offerset["offers"][0]["meta"]["uuid"], ACCEPT)
    clock.now += timedelta(seconds=599)
    assert brokers.purge() == 0
    clock.now += timedelta(seconds=2)
    assert brokers.purge() == 1
    with pytest.raises(NotFound):
        brokers.offerset(uuid)


def test_accepted_sessions_are_kept(broker: tuple[Broker, Clock]) -> None:
    brokers, clock = broker
    offerset = brokers.request(request("notebook-request.json"), BASE)
    first = offerset["offers"][0]["meta"]["uuid"]
    assert brokers.update(first, ACCEPT)["phase"] == "ACCEPTED"
    clock.now += timedelta(days=1)
    assert brokers.purge() == 0
    assert brokers.session(first)["phase"] == "ACCEPTED"


def test_the_cap_of_open_offer_sets(broker: tuple[Broker, Clock]) -> None:
    brokers, clock = broker
    for _ in range(3):
        brokers.request(request("notebook-request.json"), BASE)
    with pytest.raises(BrokerBusy) as caught:
        brokers.request(request("notebook-request.json"), BASE)
    assert caught.value.seconds == 60
    clock.now += timedelta(seconds=61)  # the offers lapsed: no longer open
    assert brokers.request(request("notebook-request.json"), BASE)["result"] == "YES"


def test_offer_sets_outlive_the_process(tmp_path: Path, examples_dir: Path) -> None:
    """On the embedded store on disk: a new process (a new store and broker) reads the
    offer set and the phases its predecessor wrote."""
    path = tmp_path / "store"
    store = open_store(str(path))
    registry = Registry(store)
    registry.ingest_paths(find_files([examples_dir]))
    offerset = Broker(registry).request(request("docker-request.yaml"), BASE)
    session = offerset["offers"][0]["meta"]["uuid"]
    Broker(registry).update(session, ACCEPT)
    store.close()
    with open_store(str(path)) as again:
        read = Broker(Registry(again)).offerset(offerset["meta"]["uuid"])
    assert read["offers"][0]["phase"] == "ACCEPTED"
    assert read["offers"][0]["executable"] == offerset["offers"][0]["executable"]


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_store(runner: Any, store_path: Path, examples_dir: Path) -> str:
    result = runner.invoke(cli, ["ingest", "--store", str(store_path), str(examples_dir)])
    assert result.exit_code == 0, result.output
    return str(store_path)


def test_plan_reads_an_execution_request(runner: Any, cli_store: str) -> None:
    yaml_plan = runner.invoke(cli, ["plan", str(BROKER_DATA / "notebook-request.yaml"), "--store", cli_store, "--format", "json"])
    assert yaml_plan.exit_code == 0, yaml_plan.output
    plan = json.loads(yaml_plan.stdout)
    assert plan["requirements"]["compute"] == [{"cores": 5, "memory": 3, "nodes": 1, "max-nodes": 1, "hours": 1}]
    assert {m["title"] for m in plan["matches"]} == {"CSCS CTA BinderHub", "SKAO BinderHub"}
    docker = runner.invoke(cli, ["plan", str(BROKER_DATA / "docker-request.json"), "--store", cli_store])
    assert docker.exit_code == 0 and "note: executable.image" in docker.stderr
    assert "ESCAPE Kubernetes cloud" in docker.stdout


def test_plan_refuses_an_unknown_kind(runner: Any, cli_store: str, tmp_path: Path) -> None:
    document = request("notebook-request.json")
    document["executable"]["kind"] = "https://example.org/kinds/spreadsheet"
    path = tmp_path / "request.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(cli, ["plan", str(path), "--store", cli_store])
    assert result.exit_code == 1 and "https://example.org/kinds/spreadsheet" in result.stderr


def test_export_writes_an_execution_request_that_plans_the_same(runner: Any, cli_store: str, tmp_path: Path) -> None:
    uuid = "5cec9f3d-79c0-49ad-9a5a-455596c55341"
    exported = runner.invoke(cli, ["export", "--store", cli_store, "--format", "execution-request", "--uuid", uuid])
    assert exported.exit_code == 0, exported.output
    document = yaml.safe_load(exported.stdout)
    assert document["executable"]["kind"] == KINDS + "executable/jupyter-notebook.yaml"
    assert document["executable"]["location"].startswith("https://gitlab.com/escape-ossr/eossr/-/blob/master/")
    path = tmp_path / "exported.yaml"
    path.write_text(exported.stdout, encoding="utf-8")
    from_request = json.loads(runner.invoke(cli, ["plan", str(path), "--store", cli_store, "--format", "json"]).stdout)
    registered = json.loads(runner.invoke(cli, ["plan", uuid, "--store", cli_store, "--format", "json"]).stdout)
    assert from_request["requirements"]["compute"] == registered["requirements"]["compute"]
    assert [m["platform"] for m in from_request["matches"]] == [m["platform"] for m in registered["matches"]]
    as_json = runner.invoke(cli, ["export", "--store", cli_store, "--format", "execution-request-json", "--uuid", uuid])
    assert json.loads(as_json.stdout) == document


def test_export_notes_what_a_request_cannot_say(runner: Any, cli_store: str) -> None:
    gammapy = "7f2a9c4e-1d3b-4f6a-8e5c-9b0d2f4a6c31"  # a Singularity container with storage and data
    result = runner.invoke(cli, ["export", "--store", cli_store, "--format", "execution-request-json", "--uuid", gammapy])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["executable"]["kind"] == KINDS + "executable/singularity-container.yaml"
    assert document["storage"][0]["kind"] == KINDS + "storage/simple-storage-resource.yaml"
    assert "note: data-resources[0]:" in result.stderr and "data-content" in result.stderr
    batch = runner.invoke(cli, ["export", "--store", cli_store, "--format", "execution-request", "--uuid", "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03"])
    assert batch.exit_code == 1 and "urn:types/batch-job has no ExecutionBroker executable kind" in batch.stderr
    two = runner.invoke(cli, ["export", "--store", cli_store, "--format", "execution-request"])
    assert two.exit_code == 1 and "exactly one --uuid" in two.stderr


def test_ivoa_data_is_read_through_the_alignments(kinds: KindMap) -> None:
    """An ObsCore product type and media type become the registry's data content and
    format (aligned in the vocabulary); a DataLink length becomes the size."""
    tree = request("notebook-request.json")
    tree["data"] = [
        {
            "kind": KINDS + "data/ivoa-data-resource.yaml",
            "meta": {"name": "a cube"},
            "ivoa": {
                "ivoid": "ivo://example.org/cubes?42",
                "obscore": {"dataproduct_type": "cube", "access_format": "application/fits"},
                "datalink": {"content_length": 3000000000},
            },
        },
        {"kind": KINDS + "data/ivoa-data-resource.yaml", "ivoa": {"obscore": {"dataproduct_type": "sed"}}},
        {"kind": KINDS + "data/ivoa-data-resource.yaml", "ivoa": {"datalink": {"content_length": "big"}}},
    ]
    with pytest.raises(InputError) as caught:
        read_request(tree, kinds)
    assert caught.value.json_path == "data[2].ivoa.datalink.content_length"
    tree["data"].pop()
    read = read_request(tree, kinds)
    assert read.data == [{"title": "a cube", "data-content": "urn:astronomy-data-cube", "data-format": "urn:fits-binary", "size": "3000000000B"}]
    assert any(n.startswith("data[1].ivoa.obscore.dataproduct_type sed") for n in read.notes)
    assert any(n.startswith("data[1]: no size, content or format") for n in read.notes)


def test_a_docker_container_is_exported_without_a_location(runner: Any, cli_store: str) -> None:
    tools = "0e6c8f3a-2b4d-4e9f-a1c7-5d8b3e2f6a90"  # eossr command-line tools, a Docker container
    result = runner.invoke(cli, ["export", "--store", cli_store, "--format", "execution-request-json", "--uuid", tools])
    assert result.exit_code == 0, result.output
    executable = json.loads(result.stdout)["executable"]
    assert executable["kind"] == KINDS + "executable/docker-container.yaml" and "location" not in executable
    assert "note: location: a Docker container is named by its image" in result.stderr


def test_the_broker_on_every_backend(store: Any, example_dump: bytes) -> None:
    """Offer sets, phases, expiry, the cap and purging on each store backend (the rdf:JSON
    documents and the xsd:dateTime comparisons of the broker's queries included)."""
    store.load(example_dump, "nquads")
    clock = Clock()
    brokers = Broker(Registry(store), ttl=60, retention=60, max_open=2, clock=clock)
    first = brokers.request(request("notebook-request.yaml"), BASE)
    second = brokers.request(request("docker-request.yaml"), BASE)
    assert first["result"] == second["result"] == "YES"
    with pytest.raises(BrokerBusy):
        brokers.request(request("notebook-request.json"), BASE)
    accepted = brokers.update(first["offers"][0]["meta"]["uuid"], ACCEPT)
    assert accepted["phase"] == "ACCEPTED" and accepted["connectors"][0]["location"].startswith("https://")
    assert [o["phase"] for o in brokers.offerset(first["meta"]["uuid"])["offers"]] == ["ACCEPTED", "REJECTED"]
    assert brokers.offerset(second["meta"]["uuid"])["offers"][0]["executable"] == second["offers"][0]["executable"]
    clock.now += timedelta(seconds=121)
    assert [o["phase"] for o in brokers.offerset(second["meta"]["uuid"])["offers"]] == ["EXPIRED"]
    assert brokers.purge() == 1  # the docker offer set; the accepted one is kept
    with pytest.raises(NotFound):
        brokers.offerset(second["meta"]["uuid"])
    assert brokers.session(first["offers"][0]["meta"]["uuid"])["phase"] == "ACCEPTED"


def test_would_fit_is_said_in_the_request_s_own_terms() -> None:
    from registry.broker.offers import _reason_values

    reason = {"constraint": "memory", "required": 64, "offered": 32.5, "unit": "GiB"}
    values = _reason_values({"platform": "p", "title": "T", "would-fit": {"memory": 32.5, "hours": 1.5}}, reason)
    assert values["would-fit"] == "memory=32.5, hours=1.5"
    assert values["would-fit-request"] == "compute.memory.min=32, schedule.requested.duration=PT1H30M"
    nodes = _reason_values({"platform": "p", "title": "T", "would-fit": {"max-nodes": 14}}, reason)
    assert nodes["would-fit"] == "max-nodes=14" and "would-fit-request" not in nodes  # a request has no nodes
