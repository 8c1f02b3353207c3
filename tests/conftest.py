"""Fixtures shared by the whole suite: the real dataset, built once per run.

Under pytest-xdist (``-n``), the first test worker to need the build runs it and
the others wait for it and reuse it (a file lock in the run's shared temporary
folder); the tests of one module that starts servers stay on one worker
(``--dist loadgroup``, tests/support/grouping.py), so that a module-scoped server is
started once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from support import grouping
from support.inprocess import InProcessSite
from support.servers import PROTOCOL, SECRET, SHARED_PROXY, SMALL, Server

if TYPE_CHECKING:
    from xdist.remote import Producer
    from xdist.scheduler.protocol import Scheduling

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

# coverage's tracer about doubles the CPU time of pure-Python work (rdflib, pyshacl, owlrl),
# and these tests repeat the same code over other data: of each parametrized test here, the
# first case is measured and the others run untraced (pytest-cov's no_cover).
MEASURED_ONCE = ("semantics/", "shapes/", "build/", "endpoint/test_differential.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling | None:
    """Under ``--dist loadgroup`` (pyproject's addopts), the tests that share a server or a
    costly fixture stay on one worker: tests/support/grouping.py says which."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return grouping.scheduler(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the repeated cases of the heavy parametrized tests with ``no_cover`` (see
    ``MEASURED_ONCE``)."""
    measured: set[tuple[str, str]] = set()
    for item in items:
        try:
            relative = item.path.relative_to(TESTS)
        except ValueError:
            continue
        name = relative.as_posix()
        if hasattr(item, "callspec") and name.startswith(MEASURED_ONCE):
            key = (name, getattr(item, "originalname", item.name))
            if key in measured:
                item.add_marker(pytest.mark.no_cover)
            measured.add(key)


def _build(out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "coedp.cli", "build", "--out", str(out), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"coedp build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    summary: dict = json.loads(proc.stdout)
    return summary


@pytest.fixture(scope="session")
def real_build(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[Path, dict]:
    """Run `coedp build --json` on the real sources once; return the folder and the summary."""
    if not hasattr(request.config, "workerinput"):  # not distributed: a folder of its own
        out = tmp_path_factory.mktemp("dist")
        return out, _build(out)
    # Test workers share the parent of their temporary folders: build there once.
    shared = tmp_path_factory.getbasetemp().parent
    out = shared / "real-dist"
    done = shared / "real-dist.json"
    with (shared / "real-dist.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            out.mkdir(exist_ok=True)
            done.write_text(json.dumps(_build(out)), encoding="utf-8")
    return out, json.loads(done.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_dist(real_build: tuple[Path, dict]) -> Path:
    """The folder the real dataset was built into (dist/ of a fresh build)."""
    return real_build[0]


# -- servers shared by every test that does not change them --------------------------
@pytest.fixture(scope="session")
def site_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dist-like folder (the small dataset + SHA256SUMS) with a secret file next to it
    and inside it."""
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
def server(site_folder: Path) -> Iterator[Server]:
    """``coedp serve`` over the small coedp-like fixture dataset in :func:`site_folder`
    (two query workers, 127.0.0.2 as its trusted reverse proxy): the endpoint and site
    that every test which does not change a server shares."""
    srv = Server(site_folder, "--workers", "2", "--trusted-proxies", SHARED_PROXY)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    """An httpx client on the small dataset's endpoint."""
    with httpx.Client(base_url=server.base, timeout=30) as c:
        yield c


# -- the site in this process (no server process): tests/support/inprocess.py ---------
@pytest.fixture(scope="session")
def small_app() -> Iterator[InProcessSite]:
    """The site over the small fixture dataset, in memory, in this process."""
    site = InProcessSite.over(SMALL)
    yield site
    site.close()


@pytest.fixture(scope="session")
def app_client(small_app: InProcessSite) -> Iterator[httpx.Client]:
    """An httpx client on :func:`small_app` (through httpx's ASGITransport)."""
    with small_app.client() as c:
        yield c


@pytest.fixture(scope="session")
def protocol_app() -> Iterator[InProcessSite]:
    """The site over the W3C protocol tests' graphs (data0..data3.rdf), in this process."""
    site = InProcessSite.over(PROTOCOL)
    yield site
    site.close()


@pytest.fixture(scope="session")
def real_app(built_dist: Path) -> Iterator[InProcessSite]:
    """The site over the real built dataset, in memory, in this process (queries may run
    120 s, as the differential tests allow)."""
    site = InProcessSite.over(built_dist, timeout=120.0)
    yield site
    site.close()
