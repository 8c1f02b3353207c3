"""Fixtures: real ``coedp serve`` processes on free ports of 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small.trig"
PROTOCOL = FIXTURES / "protocol.trig"
START_TIMEOUT = 90.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command() -> list[str]:
    """``coedp serve``, from the console script installed beside this Python."""
    script = Path(sys.executable).with_name("coedp")
    return [str(script), "serve"] if script.exists() else [
        sys.executable, "-c", "import sys; from coedp.cli import main; sys.exit(main())", "serve"
    ]


class Server:
    """A running ``coedp serve`` subprocess; its output goes to ``log_path``."""

    def __init__(
        self, data: Path | None, *options: str, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sparql = f"{self.base}/sparql"
        handle, name = tempfile.mkstemp(prefix="coedp-serve-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [*serve_command(), *(["--data", str(data)] if data else []),
             "--port", str(self.port), *options],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coedp serve exited {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"coedp serve did not become ready:\n{self.output()}")

    def output(self) -> str:
        """Everything the server printed so far."""
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self) -> list[int]:
        """The query workers' process ids, from /healthz."""
        return httpx.get(f"{self.base}/healthz", timeout=10).json()["workers"]

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and its workers."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self.log_path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The endpoint over the small coedp-like fixture dataset."""
    srv = Server(SMALL)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def protocol_server() -> Iterator[Server]:
    """The endpoint over the graphs the W3C protocol tests expect (data0..data3.rdf)."""
    srv = Server(PROTOCOL, "--workers", "1")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    """An httpx client on the small dataset's endpoint."""
    with httpx.Client(base_url=server.base, timeout=30) as c:
        yield c
