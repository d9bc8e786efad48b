"""The data shopping list: for each data resource of an executable, the registered data sets
that satisfy it (content and format equal to or narrower than asked, or named by uuid), their
access, the platforms holding a copy, and the nearest broader terms when nothing satisfies it;
on hand-made fixtures, on every store backend, through the command line and on the examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from registry.cli.main import cli
from registry.errors import InputError, NotFound
from registry.readers import load_document, load_path
from registry.service import Registry
from registry.shopping import datasets_by_access, shopping_list, shopping_text
from registry.store import Store

EXECUTABLE = "e0000000-0000-4000-8000-000000000001"
SOURCES = "d0000000-0000-4000-8000-000000000001"  # source catalogue, Parquet
ASTROMETRY = "d0000000-0000-4000-8000-000000000002"  # astrometric catalogue, CSV
IMAGES = "d0000000-0000-4000-8000-000000000003"  # images, FITS
XRAYS = "d0000000-0000-4000-8000-000000000004"  # X-ray event lists, FITS
NO_ACCESS = "d0000000-0000-4000-8000-000000000005"  # a radio visibility set with no access given
HOLDS_BOTH = "f0000000-0000-4000-8000-000000000001"
HOLDS_SOURCES = "f0000000-0000-4000-8000-000000000002"
HOLDS_ALIKE = "f0000000-0000-4000-8000-000000000003"


def _dataset(uuid: str, title: str, content: str, fmt: str, access: list[dict[str, str]], size: Any = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"uuid": uuid, "title": title, "description": f"{title}.", "data-content": content, "data-format": fmt}
    if size is not None:
        entry["size"] = size
    if access:
        entry["access"] = access
    return entry


DATASETS = {
    "datasets": [
        _dataset(SOURCES, "Source catalogue", "urn:source-catalogue", "urn:parquet-binary", [
            {"type": "urn:access/s3", "endpoint": "https://s3.example.org", "bucket": "cat", "object": "sources/"},
            {"type": "urn:access/url", "url": "https://archive.example.org/sources/"},
        ], size="2TB"),
        _dataset(ASTROMETRY, "Astrometric catalogue", "urn:astrometric-catalogue", "urn:csv-text", [
            {"type": "urn:access/ivoa", "ivoid": "ivo://example.org/astrometry", "obscore": "SELECT * FROM ivoa.obscore WHERE obs_collection = 'astro'"},
        ], size=300),
        _dataset(IMAGES, "Sky images", "urn:astronomy-image", "urn:fits-binary", [
            {"type": "urn:access/url", "url": "https://archive.example.org/images/"},
        ]),
        _dataset(XRAYS, "X-ray events", "urn:x-ray-event-list", "urn:fits-binary", [
            {"type": "urn:access/rucio", "endpoint": "https://rucio.example.org", "scope": "XRAY", "name": "events-2024"},
        ]),
        _dataset(NO_ACCESS, "Visibilities", "urn:radio-visibility", "urn:measurement-set", []),
    ]
}


def _platform(uuid: str, title: str, collections: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "type": "urn:platforms/hpc-batch-cluster",
        "title": title,
        "description": f"{title}.",
        "url": "https://hpc.example.org/",
        "executable-types": ["urn:types/batch-job"],
        "compute-resources": [{"nodes": 1, "cores": 8, "memory": 32}],
        "data-resources": collections,
    }


PLATFORMS = {
    "platforms": [
        # copies named by uuid (one in upper case: uuids compare without case)
        _platform(HOLDS_BOTH, "Both catalogues", [
            {"uuid": SOURCES.upper(), "data-content": "urn:source-catalogue", "data-format": "urn:parquet-binary"},
            {"uuid": ASTROMETRY, "data-content": "urn:astrometric-catalogue"},
        ]),
        _platform(HOLDS_SOURCES, "Sources only", [{"uuid": SOURCES, "title": "sources", "data-content": "urn:source-catalogue"}]),
        # a collection of the same content and format, but no copy of a registered data set
        _platform(HOLDS_ALIKE, "Alike but no copy", [{"data-content": "urn:source-catalogue", "data-format": "urn:parquet-binary"}]),
    ]
}

EXECUTABLES = {
    "executables": [
        {
            "uuid": EXECUTABLE,
            "type": "urn:types/batch-job",
            "title": "Needs five kinds of data",
            "description": "A job with a shopping list.",
            "compute-resources": [{"mincores": 1, "minmemory": 1}],
            "data-resources": [
                {"title": "catalogues", "data-content": "urn:astronomy-catalogue", "data-format": "urn:tabular-format", "size": "10GB"},
                {"title": "gamma rays", "data-content": "urn:gamma-ray-event-list", "data-format": "urn:fits-binary"},
                {"title": "neutrinos", "data-content": "urn:neutrino-event"},
                {"title": "named", "uuid": NO_ACCESS, "data-content": "urn:astronomy-spectrum"},
                {"title": "simulations", "data-content": "urn:simulation", "data-format": "urn:root-binary"},
                {"title": "any catalogue", "data-content": "urn:astronomy-catalogue"},
            ],
        }
    ]
}


def _load(registry: Registry) -> Registry:
    for manifest in (DATASETS, PLATFORMS, EXECUTABLES):
        registry.ingest(load_document(json.dumps(manifest)))
    return registry


@pytest.fixture
def loaded(registry: Registry) -> Registry:
    return _load(registry)


def _found(item: dict[str, Any]) -> list[str]:
    return [d["uuid"] for d in item["datasets"]]


def test_narrower_terms_and_several_data_sets_with_their_access_and_copies(loaded: Registry) -> None:
    listing = shopping_list(loaded, EXECUTABLE)
    assert listing["executable"] == EXECUTABLE and listing["title"] == "Needs five kinds of data"
    assert [i["resource"]["title"] for i in listing["data"]] == ["catalogues", "gamma rays", "neutrinos", "named", "simulations", "any catalogue"]
    catalogues = listing["data"][0]
    assert catalogues["resource"] == {"title": "catalogues", "data-content": "urn:astronomy-catalogue", "data-format": "urn:tabular-format", "size": "10GB"}
    # a source catalogue in Parquet and an astrometric one in CSV are both narrower than asked; images are not
    assert _found(catalogues) == [SOURCES, ASTROMETRY]
    sources, astrometry = catalogues["datasets"]
    assert sources == {
        "uuid": SOURCES,
        "title": "Source catalogue",
        "size": "2TB",
        "access": [
            {"type": "urn:access/s3", "endpoint": "https://s3.example.org", "bucket": "cat", "object": "sources/"},
            {"type": "urn:access/url", "url": "https://archive.example.org/sources/"},
        ],
    }
    assert astrometry["size"] == 300 and astrometry["access"][0]["ivoid"] == "ivo://example.org/astrometry"
    assert catalogues["held-by"] == [
        {"platform": HOLDS_BOTH, "title": "Both catalogues"},
        {"platform": HOLDS_SOURCES, "title": "Sources only"},
    ]
    assert catalogues["missing"] is False and catalogues["nearest"] == []
    # a field left out matches any
    assert _found(listing["data"][5]) == [SOURCES, ASTROMETRY]


def test_a_resource_naming_a_data_set_by_uuid_is_satisfied_by_it(loaded: Registry) -> None:
    named = shopping_list(loaded, EXECUTABLE)["data"][3]
    assert _found(named) == [NO_ACCESS]  # named, though its content is not a spectrum
    assert named["datasets"][0]["access"] == [] and named["datasets"][0]["size"] is None
    assert named["held-by"] == [] and named["missing"] is False


def test_nothing_found_gives_the_nearest_broader_terms_with_data_sets(loaded: Registry) -> None:
    data = shopping_list(loaded, EXECUTABLE)["data"]
    gamma, neutrinos, simulations = data[1], data[2], data[4]
    assert gamma["missing"] is True and gamma["datasets"] == [] and gamma["held-by"] == []
    # one step up the content (photon event lists) finds the X-ray events in FITS; the format is kept
    assert gamma["nearest"] == [{"data-content": "urn:photon-event-list", "data-format": "urn:fits-binary", "steps": 1, "datasets": [XRAYS]}]
    assert neutrinos["nearest"] == [{"data-content": "urn:event-data", "steps": 1, "datasets": [XRAYS]}]
    # nothing registered is a simulation, however broad the format
    assert simulations["missing"] is True and simulations["nearest"] == []


def test_platforms_holding_alike_data_are_no_copies(loaded: Registry) -> None:
    listing = shopping_list(loaded, EXECUTABLE)
    holders = {p["platform"] for item in listing["data"] for p in item["held-by"]}
    assert HOLDS_ALIKE not in holders


def test_the_text_says_what_is_found_and_what_is_missing(loaded: Registry) -> None:
    text = shopping_text(shopping_list(loaded, EXECUTABLE))
    assert f"Shopping list of Needs five kinds of data ({EXECUTABLE})" in text
    assert "1. catalogues: data-content urn:astronomy-catalogue, data-format urn:tabular-format, size 10GB" in text
    assert f"data set Source catalogue ({SOURCES}, 2TB)" in text
    assert "urn:access/s3 https://s3.example.org bucket cat object sources/" in text
    assert "urn:access/rucio" not in text.split("2. gamma rays")[0]
    assert f"held by: Both catalogues ({HOLDS_BOTH}), Sources only ({HOLDS_SOURCES})" in text
    assert "not found in the registry" in text
    assert "nearest with data sets: data-content urn:photon-event-list, data-format urn:fits-binary (1 step(s) broader; 1 data set(s))" in text
    assert "and no broader term has data sets either" in text


def test_an_unregistered_executable_from_a_document(loaded: Registry) -> None:
    document = load_document(json.dumps({"executables": [{
        "uuid": "e0000000-0000-4000-8000-000000000002",
        "type": "urn:types/batch-job",
        "title": "From a file",
        "data-resources": [{"data-content": "urn:astronomy-image"}],
    }]}), source="file.json")
    listing = shopping_list(loaded, document)
    assert listing["executable"] == "e0000000-0000-4000-8000-000000000002" and listing["title"] == "From a file"
    assert [_found(i) for i in listing["data"]] == [[IMAGES]]
    with pytest.raises(NotFound):
        loaded.resolve("e0000000-0000-4000-8000-000000000002")  # not stored


def test_what_is_no_executable_is_refused(loaded: Registry) -> None:
    with pytest.raises(InputError, match="is not an executable"):
        shopping_list(loaded, SOURCES)
    with pytest.raises(NotFound):
        shopping_list(loaded, "e0000000-0000-4000-8000-0000000000ff")
    with pytest.raises(InputError, match="exactly one executable"):
        shopping_list(loaded, load_document(json.dumps(PLATFORMS)))


def test_an_executable_without_data_has_an_empty_list(loaded: Registry) -> None:
    loaded.ingest(load_document(json.dumps({"executables": [{
        "uuid": "e0000000-0000-4000-8000-000000000003", "type": "urn:types/batch-job", "title": "No data",
    }]})))
    listing = shopping_list(loaded, "e0000000-0000-4000-8000-000000000003")
    assert listing == {"executable": "e0000000-0000-4000-8000-000000000003", "title": "No data", "data": []}
    assert "nothing to find" in shopping_text(listing)


def test_every_backend_gives_the_same_list(store: Store, registry: Registry) -> None:
    expected = shopping_list(_load(registry), EXECUTABLE)
    other = _load(Registry(store))
    assert shopping_list(other, EXECUTABLE) == expected
    access = {"type": "urn:access/ivoa", "ivoid": "ivo://example.org/ASTROMETRY"}
    assert datasets_by_access(other, access) == datasets_by_access(registry, access) != []


def test_data_named_by_its_access_finds_the_registered_data_sets(loaded: Registry) -> None:
    def found(access: dict[str, str]) -> list[str]:
        return [d["uuid"] for d in datasets_by_access(loaded, access)]

    assert found({"type": "urn:access/rucio", "scope": "XRAY", "name": "events-2024"}) == [XRAYS]
    assert found({"type": "urn:access/rucio", "scope": "XRAY", "name": "events-2025"}) == []
    assert found({"type": "urn:access/ivoa", "ivoid": "IVO://Example.org/Astrometry"}) == [ASTROMETRY]  # without case
    assert found({"type": "urn:access/url", "url": "https://archive.example.org/sources/"}) == [SOURCES]
    assert found({"type": "urn:access/url", "url": "https://archive.example.org/sources"}) == []  # URLs compare exactly
    assert found({"type": "urn:access/s3", "bucket": "cat"}) == [SOURCES]
    assert found({"type": "urn:access/s3", "bucket": "sources/"}) == []  # the object key is no bucket
    (sources,) = datasets_by_access(loaded, {"type": "urn:access/s3", "bucket": "cat", "object": "sources/"})
    assert sources["title"] == "Source catalogue" and [a["type"] for a in sources["access"]] == ["urn:access/s3", "urn:access/url"]
    with pytest.raises(InputError, match="unknown access type 'urn:access/gridftp'"):
        datasets_by_access(loaded, {"type": "urn:access/gridftp", "url": "https://x.org/"})
    with pytest.raises(InputError, match="give at least one"):
        datasets_by_access(loaded, {"type": "urn:access/rucio", "endpoint": ""})


def test_the_examples_show_useful_shopping_lists(registry: Registry, examples_dir: Path) -> None:
    for path in sorted(examples_dir.glob("*.json")):
        registry.ingest(load_path(path))
    gammapy = shopping_list(registry, "7f2a9c4e-1d3b-4f6a-8e5c-9b0d2f4a6c31")["data"][0]
    assert _found(gammapy) == ["b4d6f8a0-2c4e-4a6b-8d0f-1e3a5c7e9b42"]
    assert gammapy["held-by"] == [{"platform": "f1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a03", "title": "CSCS CTA BinderHub"}]
    gaia = shopping_list(registry, "8b0f7f5e-3c1a-4d2b-9e6f-2a7d4c9b1e03")["data"][0]
    # the ESA bulk download (named by uuid, in ECSV) and the HATS copy in Parquet (narrower terms as asked)
    assert sorted(_found(gaia)) == ["0b7c4e2a-9d1f-4c6b-8a3e-5f2d7c9e1b40", "401f6251-be15-4f8a-bad7-38ef4d6cb7c1"]
    assert [p["title"] for p in gaia["held-by"]] == ["Gaia HPC batch cluster"]
    km3net = shopping_list(registry, "2d4f6a8c-0e2b-4d6f-9a1c-3e5b7d9f1a63")["data"][0]
    assert km3net["missing"] is True
    assert km3net["nearest"] == [{
        "data-content": "urn:event-data",
        "data-format": "urn:scientific-container-format",
        "steps": 2,
        "datasets": ["b4d6f8a0-2c4e-4a6b-8d0f-1e3a5c7e9b42"],
    }]


def test_the_command_line(runner: CliRunner, tmp_path: Path, store_path: Path) -> None:
    paths = []
    for name, manifest in (("d.json", DATASETS), ("p.json", PLATFORMS), ("e.json", EXECUTABLES)):
        paths.append(tmp_path / name)
        paths[-1].write_text(json.dumps(manifest), encoding="utf-8")
    assert runner.invoke(cli, ["ingest", "--store", str(store_path), *map(str, paths)]).exit_code == 0
    result = runner.invoke(cli, ["shopping-list", "--store", str(store_path), EXECUTABLE, "--format", "json"])
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert list(body) == ["executable", "title", "data"]
    assert [sorted(i) for i in body["data"]] == [["datasets", "held-by", "missing", "nearest", "resource"]] * 6
    result = runner.invoke(cli, ["shopping-list", "--store", str(store_path), EXECUTABLE])
    assert result.exit_code == 0 and "not found in the registry" in result.stdout
    result = runner.invoke(cli, ["shopping-list", "--store", str(store_path), SOURCES])
    assert result.exit_code == 1 and "is not an executable" in result.stderr
    result = runner.invoke(cli, ["shopping-list", "--store", str(store_path), "e0000000-0000-4000-8000-0000000000ff"])
    assert result.exit_code == 1 and "no executable, platform or data set" in result.stderr
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"executables": [{"uuid": "e0000000-0000-4000-8000-000000000004", "type": "urn:types/batch-job",
                                                 "title": "A file", "data-resources": [{"data-content": "urn:x-ray-event-list"}]}]}))
    result = runner.invoke(cli, ["shopping-list", "--store", str(store_path), str(one), "--format", "json"])
    assert result.exit_code == 0 and [d["uuid"] for d in json.loads(result.stdout)["data"][0]["datasets"]] == [XRAYS]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"executables": [{"uuid": "e0000000-0000-4000-8000-000000000005", "type": "urn:types/batch-job"}]}))
    result = runner.invoke(cli, ["shopping-list", "--store", str(store_path), str(bad)])
    assert result.exit_code == 1
