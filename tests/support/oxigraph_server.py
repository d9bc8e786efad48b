"""A local ``oxigraph serve`` process, for tests, benchmarks and trying the remote
store: started on a free 127.0.0.1 port, stopped (by its own process id) on exit.

The ``oxigraph`` command comes from the PyPI package ``oxigraph``; it is looked
for beside the running Python, then on ``PATH``.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from registry.errors import StoreError, StoreUnavailable

__all__ = ["OxigraphServer", "find_oxigraph"]


def find_oxigraph() -> Path | None:
    """The ``oxigraph`` executable (beside this Python, else on ``PATH``), or ``None``."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    return Path(found) if found else None


def _die_with_parent() -> None:
    """On Linux, ask for SIGTERM when the process that started the server dies, so a
    test run that is killed leaves no server behind (run in the child before exec)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OxigraphServer:
    """An ``oxigraph serve`` process on 127.0.0.1.

    :param location: the store's directory; ``None`` keeps the data in memory.
    :param startup_timeout: seconds to wait for the server to accept connections.
    :param port: the port to listen on (``0``: a free one, chosen at each start). A fixed
        port lets a server be stopped and started again at the same endpoint.
    """

    def __init__(self, location: Path | None = None, *, startup_timeout: float = 20.0, port: int = 0) -> None:
        self.location = location
        self.startup_timeout = startup_timeout
        self.fixed_port = port
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint."""
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        """The SPARQL update endpoint."""
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.base_url}/store"

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> OxigraphServer:
        """Start the server on a free port and wait until it accepts connections.

        :raises StoreError: when ``oxigraph`` is not installed.
        :raises StoreUnavailable: when the server does not come up in time.
        """
        binary = find_oxigraph()
        if binary is None:
            raise StoreError("the 'oxigraph' command is missing: pip install oxigraph")
        for _ in range(5):  # another process may take the free port first
            self.port = self.fixed_port or _free_port()
            command = [str(binary), "serve", "--bind", f"127.0.0.1:{self.port}"]
            if self.location is not None:
                self.location.mkdir(parents=True, exist_ok=True)
                command += ["--location", str(self.location)]
            self._process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
            if self._wait_until_listening():
                return self
            self.stop()
        raise StoreUnavailable(f"oxigraph serve did not start on 127.0.0.1 within {self.startup_timeout:g} s")

    def _wait_until_listening(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self.running:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop the server (terminate, then kill if it does not exit)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
