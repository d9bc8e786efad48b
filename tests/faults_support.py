"""Helpers of the fault and load tests: the real ``esap-registry`` command as a
subprocess, a real ``esap-registry serve`` on a free 127.0.0.1 port, a tmpfs of a
given size, and synthetic manifests written to files."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from support import synthetic as generators

ROOT = Path(__file__).resolve().parents[1]
#: The console script installed beside the running Python.
ESAP = Path(sys.executable).parent / "esap-registry"
#: The write token of the servers started here.
TOKEN = "fault-token-3e1d"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def synthetic() -> ModuleType:
    """``tests/support/synthetic.py``, the generators of synthetic manifests."""
    return generators


def write_manifests(directory: Path, entries: list[dict[str, Any]], per_file: int, prefix: str = "f") -> list[Path]:
    """Write executables ``per_file`` to a manifest file; the files, in ingest (name) order."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, len(entries), per_file):
        path = directory / f"{prefix}{start:05d}.json"
        path.write_text(json.dumps({"executables": entries[start : start + per_file]}), encoding="utf-8")
        files.append(path)
    return files


def die_with_parent() -> None:
    """In the child before exec: SIGKILL when the test process dies, so no server is left behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def esap(*args: str, timeout: float = 180, preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``esap-registry ARGS`` to its end."""
    def prepare() -> None:
        die_with_parent()
        if preexec is not None:
            preexec()

    return subprocess.run([str(ESAP), *args], capture_output=True, text=True, timeout=timeout, preexec_fn=prepare)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Serve:
    """``esap-registry serve`` as a subprocess on a free 127.0.0.1 port, with the token.

    :param store: the ``--store`` value.
    :param token_file: a file holding :data:`TOKEN`.
    :param extra: more options of ``serve``.
    :param preexec: run in the child before exec (limits, say).
    """

    def __init__(
        self, store: str, token_file: Path, *extra: str, preexec: Callable[[], None] | None = None
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [str(ESAP), "serve", "--store", store, "--port", str(self.port), "--token-file", str(token_file),
                   "--log-level", "warning", *extra]
        token_file.write_text(TOKEN + "\n", encoding="utf-8")

        def prepare() -> None:
            die_with_parent()
            if preexec is not None:
                preexec()

        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=prepare)

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    def wait_until_up(self, timeout: float = 60) -> Serve:
        """Wait until ``/health`` answers.

        :raises RuntimeError: when the server exits or does not answer in time.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.process.stderr.read() if self.process.stderr else ''}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("serve did not answer in time")

    def rss_kib(self) -> int:
        """The server's resident set size, from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc")

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL); its standard error."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        _, err = self.process.communicate()
        return err or ""


@contextmanager
def serving(store: str, token_file: Path, *extra: str, preexec: Callable[[], None] | None = None) -> Iterator[Serve]:
    """A running :class:`Serve`, stopped on exit."""
    server = Serve(store, token_file, *extra, preexec=preexec)
    try:
        yield server.wait_until_up()
    finally:
        server.stop()


def mount_tmpfs(path: Path, size: str) -> bool:
    """Mount a tmpfs of ``size`` (``2m``) at ``path``; False when this process may not mount."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return result.returncode == 0


def remount(path: Path, options: str) -> None:
    """Remount a tmpfs with new options (``ro``, ``size=64m``)."""
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True, capture_output=True)


def unmount(path: Path) -> None:
    """Unmount a tmpfs mounted by :func:`mount_tmpfs`."""
    subprocess.run(["umount", str(path)], check=False, capture_output=True)


def sent_graphs(files: list[Path]) -> dict[Path, dict[Any, Any]]:
    """What each file sends: its entries' IRIs -> their graphs, as the registry maps them."""
    from registry.readers import load_path

    return {path: dict(load_path(path).entries) for path in files}


def file_states(store: Any, sent: dict[Path, dict[Any, Any]], older: dict[Any, Any] | None = None) -> dict[Path, str]:
    """Each file's state in the store: ``"present"`` when every entry of it is stored exactly
    as sent (isomorphic graphs), ``"absent"`` when none is, ``"older"`` when every entry is
    stored exactly as its older version (``older``: IRI -> graph) was.

    :raises AssertionError: when a file is partly stored, or an entry differs from every
        version sent (a partial entry).
    """
    from rdflib.compare import isomorphic

    states: dict[Path, str] = {}
    for path, entries in sent.items():
        seen = set()
        for iri, graph in entries.items():
            stored = store.graph(iri)
            if len(stored) == 0:
                seen.add("absent")
            elif len(stored) == len(graph) and isomorphic(stored, graph):
                seen.add("present")
            elif older and iri in older and len(stored) == len(older[iri]) and isomorphic(stored, older[iri]):
                seen.add("older")
            else:
                raise AssertionError(f"{iri} of {path.name}: {len(stored)} triples stored, {len(graph)} sent: a partial entry")
        assert len(seen) == 1, f"{path.name} is partly stored: {sorted(seen)}"
        states[path] = seen.pop()
    return states
