"""The kernel's sandbox: a query worker cannot open a socket, whatever the guard lets through.

The queries here go to the worker pool directly with ``has_dataset=False``,
past every check of the web process, as a query the guard misread would.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from attacks import Listener
from support import aio
from support.servers import SMALL, Server, free_port, serve_command

from coedp.server.engine import QueryTask
from coedp.server.limits import WorkerLimits
from coedp.server.sandbox import TEST_NO_SECCOMP, available
from coedp.server.workers import WorkerPool

GRAPH = "https://coedp.org/graph/asserted"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny on-disk store, as ``coedp serve`` gives its workers."""
    path = tmp_path_factory.mktemp("sandbox") / "store"
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode("http://e.org/s"), ox.NamedNode("http://e.org/p"),
                      ox.Literal("o"), ox.NamedNode(GRAPH)))
    store.flush()
    del store
    return path


@pytest.fixture()
def listener() -> Iterator[Listener]:
    """A loopback listener standing for an internal service."""
    srv = Listener()
    yield srv
    srv.close()


def disguises(url: str) -> list[str]:
    """SERVICE written the ways that once slipped past the guard's lexer."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ #\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://e.org/> SELECT * WHERE {{ BIND(ex:a\\#b AS ?z) "
        f"SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{url}> {{ }} BIND("\\u0022" AS ?y) }}',
    ]


def run_all(store_path: Path, limits: WorkerLimits, queries: list[str]) -> list:
    """Run each query in a one-worker pool; the outcomes, in order."""

    async def main() -> list:
        pool = WorkerPool(str(store_path), 1, in_memory=True, limits=limits)
        await pool.start()
        try:
            return [
                await pool.run(QueryTask(q, "json", "turtle", 100, has_dataset=False), 10)
                for q in queries
            ]
        finally:
            await pool.close()

    return aio.run(main())


def test_sandboxed_worker_makes_no_connection(store_path: Path, listener: Listener) -> None:
    outcomes = run_all(store_path, WorkerLimits(), disguises(listener.url))
    time.sleep(0.3)  # a connection in flight would be counted by now
    assert listener.connections == 0
    for outcome in outcomes:
        assert outcome.status == 403, outcome
        assert "SERVICE" in outcome.message and "not allowed" in outcome.message
        assert "127.0.0.1" not in outcome.message


def test_unsandboxed_worker_connects(store_path: Path, listener: Listener) -> None:
    """The same pool without the filter reaches the listener: the test above can fail.

    Every disguise is a SERVICE to the engine: each one connects.
    """
    queries = disguises(listener.url)
    outcomes = run_all(store_path, WorkerLimits(sandbox=False), queries)
    deadline = time.monotonic() + 5
    while listener.connections < len(queries) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections == len(queries)
    assert {o.status for o in outcomes} == {403}  # still no remote text quoted back


def test_sandboxed_worker_still_answers(store_path: Path) -> None:
    [outcome] = run_all(store_path, WorkerLimits(), ["SELECT ?o { ?s ?p ?o }"])
    assert outcome.status == 200 and b'"o"' in outcome.body


def test_seccomp_is_available_here() -> None:
    assert available() is None


def test_unavailable_seccomp_stops_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_NO_SECCOMP, "1")
    assert available() is not None
    proc = subprocess.run(
        [*serve_command(), "--data", str(SMALL), "--port", str(free_port())],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "seccomp" in lines[0] and "--unsandboxed" in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_unsandboxed_flag_serves_without_seccomp() -> None:
    srv = Server(SMALL, "--workers", "1", "--unsandboxed", env={TEST_NO_SECCOMP: "1"})
    try:
        assert len(srv.worker_pids()) == 1
    finally:
        srv.stop()
