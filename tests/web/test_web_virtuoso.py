"""`serve` on a Virtuoso store: every page answers, none with 503 (the remote store's
answers once dropped pyoxigraph's parser on the event loop's thread: "PyQuerySolutions
is unsendable"), and a CONSTRUCT through /sparql comes back as RDF."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from engines_support import empty_remote, open_virtuoso
from support.virtuoso_server import VirtuosoServer
from web_support import running

from registry import backup
from registry.web import Settings, create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def virtuoso_site(virtuoso_server: VirtuosoServer, example_quads: bytes) -> Iterator[str]:
    store = empty_remote(open_virtuoso(virtuoso_server))
    backup.restore(store, example_quads)
    with running(create_app(Settings(), store=store)) as base_url:
        yield base_url
    store.close()


def _uuids(kind: str) -> list[str]:
    return [
        entry["uuid"]
        for path in sorted(EXAMPLES.glob("*.json"))
        for entry in json.loads(path.read_text(encoding="utf-8")).get(kind, [])
    ]


def test_every_page_answers_on_a_virtuoso_store(virtuoso_site: str) -> None:
    with httpx.Client(base_url=virtuoso_site, timeout=60) as client:
        for path, accepts in (("/ontology", ["text/html"]), ("/vocab", ["text/html", "text/turtle"]), ("/shapes", ["text/turtle"])):
            for accept in accepts:
                response = client.get(path, headers={"Accept": accept})
                assert response.status_code == 200, (path, accept, response.status_code, response.text[:300])
    paths = ["/", "/executables", "/platforms", "/health"]
    paths += [f"/executables/{uuid}" for uuid in _uuids("executables")]
    paths += [f"/plan/{uuid}" for uuid in _uuids("executables")]
    paths += [f"/platforms/{uuid}" for uuid in _uuids("platforms")]
    paths += [f"/platforms/{uuid}/runnable" for uuid in _uuids("platforms")]
    with httpx.Client(base_url=virtuoso_site, timeout=60) as client:
        for path in paths:
            for accept in ("text/html", "application/json"):
                response = client.get(path, headers={"Accept": accept})
                assert response.status_code == 200, (path, accept, response.status_code, response.text[:300])


def test_a_construct_through_the_endpoint_comes_back_as_rdf(virtuoso_site: str) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'urn:uuid:')) } LIMIT 50"
    with httpx.Client(base_url=virtuoso_site, timeout=60) as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, response.text[:300]
        assert response.text.count(" .\n") == 50
        listing = client.get("/executables", headers={"Accept": "application/json"}).json()
    assert len(json.dumps(listing)) > 100
