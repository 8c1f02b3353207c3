"""Fixtures of the hardening tests: real ``coedp serve`` processes on 127.0.0.1."""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.servers import SMALL, Server

# scripts/attacks.py, the attack set the soak replays, is imported by the tests too.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

ASSERTED = "https://coedp.org/graph/asserted"
ROWS = 2000  # literals enough for a three-way product to outlast a 2 s timeout
SECRET = "coedp-secret-do-not-serve"


@pytest.fixture(scope="session")
def site_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dist-like folder (dataset + SHA256SUMS) with a secret file next to it and inside it."""
    root = tmp_path_factory.mktemp("site")
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    dist = root / "dist"
    dist.mkdir()
    shutil.copy(SMALL, dist / "coedp.trig")
    (dist / "unlisted.txt").write_text(SECRET, encoding="utf-8")
    digest = hashlib.sha256((dist / "coedp.trig").read_bytes()).hexdigest()
    (dist / "SHA256SUMS").write_text(f"{digest}  coedp.trig\n", encoding="utf-8")
    return dist


@pytest.fixture(scope="session")
def site(site_folder: Path) -> Iterator[Server]:
    """The whole site (endpoint and pages) over the small dataset."""
    srv = Server(site_folder, "--workers", "2")
    yield srv
    srv.stop()


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
