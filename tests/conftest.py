"""Shared fixtures: stores of every backend, a registry, the example and test data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.service import Registry
from registry.store import Store, open_store
from registry.vocabulary import Vocabulary, get_vocabulary

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = ROOT / "examples"

#: Every store backend the registry runs on here; the remote one joins when it exists.
BACKENDS = ["oxigraph", "memory", "rdflib"]


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return get_vocabulary()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


def _open(backend: str, tmp_path: Path) -> Store:
    return open_store(tmp_path / "store" if backend == "oxigraph" else backend)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store of each backend in turn."""
    opened = _open(request.param, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def registry() -> Iterator[Registry]:
    """A registry on a fresh in-memory pyoxigraph store."""
    opened = open_store("memory")
    yield Registry(opened)
    opened.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A directory for an on-disk store used by CLI tests."""
    return tmp_path / "registry-store"
