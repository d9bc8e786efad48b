"""``kill -9`` in the middle of a bulk ingest, 20 times: after each kill the embedded store
opens, and every executable sent is wholly present (isomorphic to what was sent) or wholly
absent; every file of the batch is stored whole or not at all, in order; an entry being
replaced holds its old or its new version, never a mixture.

Each round ingests a directory of 25 executables of earlier rounds with new titles (first)
and 200 new synthetic executables (5 to a file), into the same store, and kills the ingest
at a random moment after it has begun storing. Most rounds fork the ingest from a warm
interpreter (tests/fault_forker.py runs the real ``registry.cli`` in the child, without
Python's start-up); every fifth round runs the installed ``esap-registry`` script itself.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from faults_support import ESAP, die_with_parent, synthetic, write_manifests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from registry.readers import entry_iri, load_path
from registry.service import Registry
from registry.store import open_store

ROUNDS = 20
NEW_PER_ROUND = 200
RESENT_PER_ROUND = 25
PER_FILE = 5
#: The longest wait after the ingest has begun storing before the kill: at most this, and
#: at most 80% of the time an uninterrupted round takes on this machine (measured first), so
#: that most kills land in the middle of a batch however fast ingest is.
MAX_DELAY = 1.5
FORKER = Path(__file__).resolve().parent / "fault_forker.py"


@dataclass
class Tally:
    """What the rounds saw, printed at the end (``pytest -s``)."""

    killed_mid_batch: int = 0
    killed_before_first_file: int = 0
    finished_before_kill: int = 0
    entries_checked: int = 0
    files_present: int = 0
    files_absent: int = 0
    replaced_new: int = 0
    replaced_old: int = 0
    delays: list[float] = field(default_factory=list)


class Forker:
    """tests/fault_forker.py as a subprocess."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(FORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=die_with_parent,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def start(self, args: list[str], output: Path) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"args": args, "output": str(output)}) + "\n")
        self.process.stdin.flush()
        line = self._line()
        assert line.startswith("pid "), line
        return int(line.split()[1])

    def wait(self) -> int:
        line = self._line()
        assert line.startswith("exit "), line
        return int(line.split()[1])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def forker() -> Iterator[Forker]:
    started = Forker()
    yield started
    started.close()


def _wait_for_start(output: Path, alive: Any, timeout: float = 60) -> None:
    """Wait until the ingest says it has begun (its progress label)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if output.exists() and b"ingesting" in output.read_bytes():
            return
        if not alive():
            return
        time.sleep(0.01)
    raise AssertionError("the ingest did not start")


def _round_seconds(forker: Forker, tmp_path: Path) -> float:
    """Seconds a round's ingest takes uninterrupted, from its start to its end (a store of its own)."""
    store_dir = tmp_path / "calibration-store"
    store = open_store(store_dir)
    Registry(store).prepare()
    store.close()
    batch = tmp_path / "calibration"
    write_manifests(batch, synthetic().executables(NEW_PER_ROUND, seed=999)["executables"], PER_FILE)
    output = tmp_path / "calibration.log"
    pid = forker.start(["ingest", "--store", str(store_dir), str(batch)], output)
    _wait_for_start(output, lambda: _alive(pid))
    started = time.monotonic()
    forker.wait()
    return time.monotonic() - started


def _uuids(path: Path) -> list[str]:
    return [entry["uuid"] for entry in json.loads(path.read_text(encoding="utf-8"))["executables"]]


@pytest.mark.slow
def test_kill_9_during_bulk_ingest_leaves_every_entry_whole_or_absent(forker: Forker, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    rng = random.Random(20221122)
    generate = synthetic()
    tally = Tally()
    known: dict[URIRef, Graph] = {}  # every entry the store holds after a round, as it holds it
    base: dict[URIRef, dict[str, Any]] = {}  # every executable sent, as first sent
    store = open_store(store_dir)
    Registry(store).prepare()
    store.close()
    max_delay = min(MAX_DELAY, 0.8 * _round_seconds(forker, tmp_path))
    for number in range(ROUNDS):
        batch = tmp_path / f"round-{number:02d}"
        new = generate.executables(NEW_PER_ROUND, seed=1000 + number)["executables"]
        base.update({entry_iri(entry["uuid"]): entry for entry in new})
        files = write_manifests(batch, new, PER_FILE, prefix="b-new-")
        older: dict[URIRef, Graph] = {}
        if known:
            chosen = rng.sample(sorted(known), min(RESENT_PER_ROUND, len(known)))
            older = {iri: known[iri] for iri in chosen}
            resent = []
            for iri in chosen:
                entry = dict(base[iri])
                entry["title"] = f"{entry['title']} (round {number})"
                resent.append(entry)
            files += write_manifests(batch, resent, PER_FILE, prefix="a-resent-")
        files.sort()  # the order the ingest takes them in
        output = tmp_path / f"round-{number:02d}.log"
        args = ["ingest", "--store", str(store_dir), str(batch)]
        if number % 5 == 4:
            process = subprocess.Popen([str(ESAP), *args], stdout=output.open("wb"), stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
            pid, alive = process.pid, lambda p=process: p.poll() is None
        else:
            pid = forker.start(args, output)
            alive = lambda p=pid: _alive(p)  # noqa: E731
        _wait_for_start(output, alive)
        delay = rng.uniform(0.0, max_delay)
        tally.delays.append(delay)
        time.sleep(delay)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = process.wait(timeout=30) if number % 5 == 4 else forker.wait()
        finished = (status == 0) if number % 5 == 4 else os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        # The store opens after the kill, and nothing is partial.
        store = open_store(store_dir)
        try:
            states = []
            for path in files:
                state = _file_state(store, path, older, tally)
                states.append(state)
                if state == "present":
                    for uuid in _uuids(path):
                        known[entry_iri(uuid)] = store.graph(entry_iri(uuid))
            done = [s == "present" for s in states]
            assert done == sorted(done, reverse=True), f"round {number}: files stored out of order: {states}"
            if finished:
                tally.finished_before_kill += 1
                assert all(done), f"round {number}: the ingest finished but {states.count('absent')} file(s) are missing"
            elif any(done):
                tally.killed_mid_batch += 1
            else:
                tally.killed_before_first_file += 1
            assert len(Registry(store).entries()) == len(known)
            if number == ROUNDS - 1:  # every entry of every round, as it was stored
                for iri, graph in known.items():
                    stored = store.graph(iri)
                    assert len(stored) == len(graph) and isomorphic(stored, graph), iri
                tally.entries_checked += len(known)
        finally:
            store.close()
    print(f"\nkill -9 during bulk ingest: {tally}")
    assert tally.killed_mid_batch >= ROUNDS // 2  # most kills landed in the middle of a batch


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[-1][0] not in "ZX"
    except FileNotFoundError:
        return False


def _file_state(store: Any, path: Path, older: dict[URIRef, Graph], tally: Tally) -> str:
    """``present`` (every entry as this file sends it), ``absent`` (none; for a re-sent entry:
    every one still in its older version).

    :raises AssertionError: for a partial entry or a partly stored file.
    """
    sent: dict[URIRef, Graph] | None = None
    seen = set()
    for uuid in _uuids(path):
        iri = entry_iri(uuid)
        stored = store.graph(iri)
        tally.entries_checked += 1
        if iri in older and len(stored) == len(older[iri]) and isomorphic(stored, older[iri]):
            seen.add("absent")
            tally.replaced_old += 1
            continue
        if len(stored) == 0:
            assert iri not in older, f"{iri} was stored before and is gone"
            seen.add("absent")
            continue
        if sent is None:
            sent = dict(load_path(path).entries)
        expected = sent[iri]
        assert len(stored) == len(expected) and isomorphic(stored, expected), (
            f"{iri} in {path.name}: {len(stored)} triples stored, {len(expected)} sent: a partial entry"
        )
        seen.add("present")
        if iri in older:
            tally.replaced_new += 1
    assert len(seen) == 1, f"{path.name} is partly stored"
    state = seen.pop()
    if state == "present":
        tally.files_present += 1
    else:
        tally.files_absent += 1
    return state
