"""A full disk and a read-only store directory, with the real command and the real server:
a clear error naming the store's path (exit 2; HTTP 503, never 500), reads still answered,
and nothing partial stored.

A full disk is a real tmpfs with a few hundred KiB free when this process may mount one
(root); otherwise it is simulated with a file-size limit (``RLIMIT_FSIZE``: writes past it
fail with EFBIG) on the subprocess, which one more test checks everywhere. A read-only directory is a tmpfs remounted read-only
(root), or a directory without write permission (not root: root ignores permissions).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from faults_support import (
    AUTH,
    esap,
    file_states,
    mount_tmpfs,
    remount,
    sent_graphs,
    serving,
    synthetic,
    unmount,
    write_manifests,
)

from registry.service import Registry
from registry.store import open_store

ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = ROOT / "examples" / "platforms.json"
#: The file-size limit: more than rocksdb's OPTIONS file (~66 KiB) and a recovered table
#: (~270 KiB), less than the write-ahead log of the whole batch.
FSIZE_LIMIT = 400_000


def _prepared_store(path: Path) -> None:
    """A store holding the vocabulary and the example platforms, closed."""
    store = open_store(path)
    Registry(store).ingest_paths([PLATFORMS])
    store.close()
    open_store(path).close()  # reopened once: the write-ahead log is recovered into tables and removed


@dataclass
class Disk:
    """A store on a disk that fills up: ``limit`` runs in the subprocess, ``grow`` frees it."""

    store: Path
    limit: Callable[[], None] | None
    grow: Callable[[], None]
    expected_error: str


def _fsize_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    """A prepared store on a disk about to be full: a real tmpfs when this process may mount
    one, else a file-size limit on the subprocess."""
    mount = tmp_path / "tmpfs"
    if not mount_tmpfs(mount, "64m"):
        _prepared_store(tmp_path / "store")
        yield Disk(tmp_path / "store", _fsize_limit, lambda: None, "File too large")
        return
    try:
        _prepared_store(mount / "store")
        stat = os.statvfs(mount)
        used = (stat.f_blocks - stat.f_bfree) * stat.f_frsize
        remount(mount, f"size={used + 1024 * 1024}")
        yield Disk(mount / "store", None, lambda: remount(mount, "size=64m"), "No space left on device")
    finally:
        unmount(mount)


def test_the_file_size_limit_stands_in_for_a_full_disk(tmp_path: Path) -> None:
    """The fallback where no tmpfs can be mounted, checked on its own: EFBIG, not a signal."""
    _prepared_store(tmp_path / "store")
    files = write_manifests(tmp_path / "in", synthetic().executables(80, seed=15)["executables"], per_file=5)
    result = esap("ingest", "-q", "--store", str(tmp_path / "store"), str(tmp_path / "in"), preexec=_fsize_limit)
    assert result.returncode == 2 and "File too large" in result.stderr and str(tmp_path / "store") in result.stderr
    store = open_store(tmp_path / "store")
    try:
        order = [file_states(store, sent_graphs([path]))[path] for path in files]
        assert "present" in order and order == sorted(order, key=lambda state: state != "present")
    finally:
        store.close()


def test_a_full_disk_stops_the_ingest_with_the_path_and_stores_nothing_partial(disk: Disk, tmp_path: Path) -> None:
    files = write_manifests(tmp_path / "in", synthetic().executables(200, seed=11)["executables"], per_file=5)
    sent = sent_graphs(files)
    result = esap("ingest", "-q", "--store", str(disk.store), str(tmp_path / "in"), preexec=disk.limit)
    assert result.returncode == 2, result.stderr
    assert str(disk.store) in result.stderr and disk.expected_error in result.stderr
    assert "nothing of it was stored" in result.stderr
    disk.grow()
    store = open_store(disk.store)  # the store opens after the failure
    try:
        states = file_states(store, sent)
        order = [states[path] for path in files]
        stored = order.count("present")
        print(f"\nfull disk: {stored} of {len(files)} files stored whole before it was full, the rest not at all")
        assert 0 < stored < len(files), order  # the disk filled up part-way through the batch
        assert order == ["present"] * stored + ["absent"] * (len(files) - stored)  # files in order, none in part
        assert len(Registry(store).entries()) == 7 + 5 * stored
    finally:
        store.close()
    first_refused = files[stored]
    again = esap("ingest", "-q", "--store", str(disk.store), str(first_refused))  # with room again, it goes in
    assert again.returncode == 0, again.stderr
    store = open_store(disk.store)
    try:
        assert file_states(store, {first_refused: sent[first_refused]}) == {first_refused: "present"}
    finally:
        store.close()


def test_a_full_disk_gives_503_on_the_web_and_reads_go_on(disk: Disk, tmp_path: Path) -> None:
    entries = synthetic().executables(200, seed=12)["executables"]
    size = 25
    with serving(str(disk.store), tmp_path / "token", preexec=disk.limit) as server:
        answers = []
        for start in range(0, len(entries), size):
            answer = httpx.post(f"{server.base_url}/executables", json={"executables": entries[start : start + size]}, headers=AUTH, timeout=60)
            answers.append(answer)
            if answer.status_code != 201:
                break
        failed = answers[-1]
        assert failed.status_code == 503, failed.text
        assert str(disk.store) in failed.json()["message"] and disk.expected_error in failed.json()["message"]
        assert 0 < len(answers) - 1  # some writes went through before the disk filled up
        listing = httpx.get(f"{server.base_url}/executables", timeout=60)
        assert listing.status_code == 200
        uuids = {e["uuid"] for e in listing.json()["executables"]}
        stored = {e["uuid"] for e in entries[: size * (len(answers) - 1)]}
        refused = {e["uuid"] for e in entries[size * (len(answers) - 1) : size * len(answers)]}
        assert stored <= uuids and not refused & uuids
        for uuid in sorted(refused)[:3]:
            assert httpx.get(f"{server.base_url}/executables/{uuid}", timeout=30).status_code == 404


# -- a read-only store directory -----------------------------------------------------------


@pytest.fixture(params=["ro-mount", "no-write-permission"])
def read_only_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A prepared store in a directory this process cannot write."""
    if request.param == "no-write-permission":
        if os.geteuid() == 0:
            pytest.skip("root ignores write permissions: the read-only mount stands in")
        _prepared_store(tmp_path / "store")
        for path in [tmp_path / "store", *(tmp_path / "store").iterdir()]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        yield tmp_path / "store"
        (tmp_path / "store").chmod(0o755)
        return
    mount = tmp_path / "tmpfs"
    if not mount_tmpfs(mount, "64m"):
        pytest.skip("this process may not mount a tmpfs (not root): the permission test stands in")
    try:
        _prepared_store(mount / "store")
        remount(mount, "ro")
        yield mount / "store"
    finally:
        unmount(mount)


def test_a_read_only_store_answers_reads_and_refuses_writes_by_path(read_only_store: Path, tmp_path: Path) -> None:
    listing = esap("list", "--store", str(read_only_store))
    assert listing.returncode == 0, listing.stderr
    assert "7 platform(s)" in listing.stdout
    files = write_manifests(tmp_path / "in", synthetic().executables(5, seed=13)["executables"], per_file=5)
    ingest = esap("ingest", "-q", "--store", str(read_only_store), str(files[0]))
    assert ingest.returncode == 2
    assert f"the store at {read_only_store} is read-only" in ingest.stderr
    missing = esap("list", "--store", str(read_only_store / "new"))
    assert missing.returncode == 2 and str(read_only_store / "new") in missing.stderr


def test_a_read_only_store_on_the_web(read_only_store: Path, tmp_path: Path) -> None:
    entry = synthetic().executables(1, seed=14)["executables"]
    with serving(str(read_only_store), tmp_path / "token") as server:
        assert httpx.get(f"{server.base_url}/platforms", timeout=30).status_code == 200
        answer = httpx.post(f"{server.base_url}/executables", json={"executables": entry}, headers=AUTH, timeout=30)
        assert answer.status_code == 503 and str(read_only_store) in answer.json()["message"]
        assert "read-only" in answer.json()["message"]
        assert httpx.get(f"{server.base_url}/executables/{entry[0]['uuid']}", timeout=30).status_code == 404
        sparql = httpx.post(f"{server.base_url}/update", content="DROP ALL", headers={**AUTH, "Content-Type": "application/sparql-update"}, timeout=30)
        assert sparql.status_code == 503
        assert len(httpx.get(f"{server.base_url}/platforms", timeout=30).json()["platforms"]) == 7
    shutil.rmtree(tmp_path / "token", ignore_errors=True)
