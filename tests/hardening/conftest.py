"""Fixtures of the hardening tests: real ``coedp serve`` processes on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.servers import SECRET, Server

# scripts/attacks.py, the attack set the soak replays, is imported by the tests too.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

__all__ = ["ASSERTED", "ROWS", "SECRET", "alive_workers"]

ASSERTED = "https://coedp.org/graph/asserted"
ROWS = 2000  # literals enough for a three-way product to outlast a 2 s timeout


@pytest.fixture(scope="session")
def site(server: Server) -> Server:
    """The whole site (endpoint and pages) over the small dataset, served from a dist-like
    folder with secrets around it: the session's shared server (tests/conftest.py)."""
    return server


@pytest.fixture(scope="session")
def site_client(site: Server) -> Iterator[httpx.Client]:
    """An httpx client on the site."""
    with httpx.Client(base_url=site.base, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An endpoint with a 2 s timeout over generated literals, for queries built to explode."""
    data = tmp_path_factory.mktemp("explode") / "many.nq"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(ROWS):
            subject = f"<http://e.org/s{i}>"
            fh.write(f'{subject} <http://e.org/p> "value {i} {"x" * 40}" <{ASSERTED}> .\n')
            fh.write(f"{subject} <http://e.org/next> <http://e.org/s{i + 1}> <{ASSERTED}> .\n")
    srv = Server(data, "--timeout", "2", "--workers", "2")
    yield srv
    srv.stop()


def alive_workers(server: Server) -> list[int]:
    """The workers /healthz lists that are running processes."""
    return [pid for pid in server.worker_pids() if Path(f"/proc/{pid}").exists()]
