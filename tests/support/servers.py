"""One way to run a real ``coedp serve`` for the tests, and bounded polling.

Every test that needs a server process uses :class:`Server`: a subprocess on a free
port of 127.0.0.1 (port 0 is bound and released first, so that parallel test
workers never collide), ready once ``/readyz`` answers 200, stopped with SIGTERM
and then SIGKILL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT_FIXTURES = ROOT / "tests" / "endpoint" / "fixtures"
SMALL = ENDPOINT_FIXTURES / "small.trig"
PROTOCOL = ENDPOINT_FIXTURES / "protocol.trig"
START_TIMEOUT = 120.0
# The trusted reverse proxy of the session's shared server (a client bound to this
# loopback address plays the proxy; other addresses are clients of their own).
SHARED_PROXY = "127.0.0.2"
# Written next to the shared server's dataset and inside its folder: never to be served.
SECRET = "coedp-secret-do-not-serve"
POLL = 0.05  # seconds between two looks at something awaited

T = TypeVar("T")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel's choice for port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_command() -> list[str]:
    """``coedp serve``, from the console script installed beside this Python."""
    script = Path(sys.executable).with_name("coedp")
    return [str(script), "serve"] if script.exists() else [
        sys.executable, "-c", "import sys; from coedp.cli import main; sys.exit(main())", "serve"
    ]


def wait_until(
    check: Callable[[], T], timeout: float = 10.0, interval: float = POLL, what: str = ""
) -> T:
    """Call ``check`` until it returns something true, at most ``timeout`` seconds.

    Returns that value; raises ``AssertionError`` naming ``what`` when time runs out.
    Used instead of a fixed sleep: as quick as the awaited thing, bounded when it
    never comes.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not reached within {timeout:g} s: {what or check!r}")
        time.sleep(interval)


class Server:
    """A running ``coedp serve`` subprocess; its output goes to ``log_path``.

    ``data`` is given as ``--data`` (None: none), ``options`` follow it; ``env``
    is added to this process's environment.
    """

    def __init__(
        self, data: Path | None, *options: str, env: dict[str, str] | None = None,
        cwd: Path | None = None, start_timeout: float = START_TIMEOUT,
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
            cwd=cwd,
        )
        self._wait_ready(start_timeout)

    @property
    def url(self) -> str:
        """The server's root, ``http://127.0.0.1:PORT`` (same as ``base``)."""
        return self.base

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"coedp serve exited {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(POLL)
        self.stop()
        raise RuntimeError(f"coedp serve did not become ready:\n{self.output()}")

    def output(self) -> str:
        """Everything the server printed so far."""
        if not self._log.closed:
            self._log.flush()
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_output(self, text: str, timeout: float = 10.0) -> str:
        """The output once it holds ``text`` (bounded by ``timeout``)."""
        return wait_until(lambda: text in (out := self.output()) and out, timeout,
                          what=f"{text!r} in the server's output")

    def worker_pids(self) -> list[int]:
        """The query workers' process ids, from /healthz."""
        pids: list[int] = httpx.get(f"{self.base}/healthz", timeout=10).json()["workers"]
        return pids

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and its workers."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self.log_path.unlink(missing_ok=True)
