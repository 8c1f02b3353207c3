"""A real ``coedp serve`` under attack: memory, response size, deep expressions, hung workers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import aio
from support.servers import SMALL, Server

from coedp.server.engine import QueryTask
from coedp.server.limits import MIB, WorkerLimits
from coedp.server.workers import WorkerPool

from .conftest import alive_workers

WORKERS = 2
MEMORY_MB = 300
RESPONSE_MB = 24
# 1 KB of query text that asks for gigabytes: each REPLACE squares the string.
MEMORY_ATTACK = (
    'SELECT ?x { BIND("' + "x" * 512 + '" AS ?a) BIND(CONCAT(?a,?a,?a,?a,?a,?a,?a,?a) AS ?b) '
    'BIND(REPLACE(?b, "x", ?b) AS ?c) BIND(REPLACE(?c, "x", ?c) AS ?x) }'
)
JSON = {"Accept": "application/sparql-results+json"}


def row_of_mb(megabytes: int) -> str:
    """A query whose one row holds a string of about ``megabytes`` MB."""
    return (
        'SELECT ?x { BIND("' + "x" * 1024 + '" AS ?a) BIND(REPLACE(?a, "x", ?a) AS ?b) '
        f'BIND(CONCAT({", ".join(["?b"] * megabytes)}) AS ?x) }}'
    )


@pytest.fixture(scope="module")
def limited() -> Iterator[Server]:
    """The endpoint with small memory and response limits."""
    srv = Server(
        SMALL, "--workers", str(WORKERS), "--timeout", "20",
        "--worker-memory-mb", str(MEMORY_MB), "--max-response-mb", str(RESPONSE_MB),
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def http(limited: Server) -> Iterator[httpx.Client]:
    """A client on the limited endpoint."""
    with httpx.Client(base_url=limited.base, timeout=60) as client:
        yield client


def ask(http: httpx.Client, query: str) -> httpx.Response:
    """POST ``query`` and ask for SPARQL JSON."""
    return http.post("/sparql", data={"query": query}, headers=JSON)


def tree_rss(root: int) -> int:
    """RSS (bytes) of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rfind(")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf(
                "SC_PAGE_SIZE")
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return total


def wait_full(server: Server, gone: set[int] = frozenset(), within: float = 5.0) -> list[int]:
    """Wait until the pool has all its workers, none of ``gone``; the live pids."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        pids = alive_workers(server)
        if len(pids) == WORKERS and not gone & set(pids):
            return pids
        time.sleep(0.05)
    raise AssertionError(f"the pool was not back at {WORKERS} workers in {within:g} s")


def test_memory_attack_is_stopped_and_bounded(limited: Server, http: httpx.Client) -> None:
    before = set(wait_full(limited))
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(limited.proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    try:
        response = ask(http, MEMORY_ATTACK)
    finally:
        done.set()
        sampler.join()
    assert time.monotonic() - started < 10
    assert response.status_code == 507
    assert f"more than {MEMORY_MB} MB" in response.text
    # Every worker at its limit, and the web process well under 300 MB.
    assert peak < (WORKERS * MEMORY_MB + 300) * MIB, peak // MIB
    killed = before - set(alive_workers(limited))
    assert len(killed) == 1  # the worker that ran it; the other is untouched
    started = time.monotonic()
    wait_full(limited, gone=killed)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "query",
    [
        "ASK { FILTER(" + "!" * 10000 + "true) }",
        "ASK { FILTER(" + " || ".join(["true"] * 8000) + ") }",
        "SELECT * { " + "OPTIONAL{" * 7000 + "}" * 7000 + " }",
        "SELECT * { ?s ?p ( " + " ".join(str(i) for i in range(5000)) + " ) }",
        "SELECT * { ?s " + "/".join(["<p>"] * 15000) + " ?o }",
        "ASK { FILTER(" + "!" * 3000 + "true) }",
        "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 1300) + " }",
        "ASK { FILTER(" + " + ".join(["1"] * 1900) + " > 0) }",
    ],
    ids=["not", "or", "optional", "collection", "path", "not-3000", "union", "plus"],
)
def test_deep_expressions_keep_workers_alive(
    limited: Server, http: httpx.Client, query: str
) -> None:
    before = wait_full(limited)
    response = ask(http, query)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert "Traceback" not in response.text
    assert alive_workers(limited) == before


def test_hung_idle_worker_is_replaced(limited: Server, http: httpx.Client) -> None:
    pids = wait_full(limited)
    os.kill(pids[0], signal.SIGSTOP)
    try:
        for _ in range(4):  # whichever worker they land on, none waits the 20 s timeout
            started = time.monotonic()
            assert ask(http, "ASK { ?s ?p ?o }").status_code == 200
            assert time.monotonic() - started < 3
        wait_full(limited, gone={pids[0]})
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pids[0], signal.SIGKILL)


def test_hung_worker_found_by_heartbeat(limited: Server) -> None:
    pids = wait_full(limited)
    os.kill(pids[1], signal.SIGSTOP)
    try:
        wait_full(limited, gone={pids[1]}, within=5)  # no request needed
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pids[1], signal.SIGKILL)


def test_response_byte_cap(limited: Server, http: httpx.Client) -> None:
    pids = wait_full(limited)
    big = ask(http, row_of_mb(RESPONSE_MB + 8))
    assert big.status_code == 422
    assert f"larger than {RESPONSE_MB} MB" in big.text
    # A row over 16 MB (the TSV reader's line buffer) within the cap is served.
    row = ask(http, row_of_mb(17))
    assert row.status_code == 200, row.text[:300]
    assert len(row.json()["results"]["bindings"][0]["x"]["value"]) == 17 * 1024 * 1024
    # Building rows this large takes over a second of CPU: the long lane may have retired
    # the worker after its answer, but the pool is whole again.
    assert len(wait_full(limited)) == len(pids)


def test_unknown_function_is_a_client_error(http: httpx.Client) -> None:
    response = ask(http, "SELECT (<http://example.org/f>(1) AS ?x) {}")
    assert response.status_code == 400
    assert "<http://example.org/f>" in response.text and "not known" in response.text


def test_pool_counts_restarts_and_memory(tmp_path: Path) -> None:
    """The pool's figures for /metrics: restarts by reason and RSS per worker."""

    async def main() -> None:
        pool = WorkerPool(empty_store(tmp_path), 1, limits=WorkerLimits(memory_mb=200))
        await pool.start()
        try:
            memory = pool.memory_by_pid()
            assert list(memory) == pool.pids() and all(v > 10 * MIB for v in memory.values())
            outcome = await pool.run(QueryTask(MEMORY_ATTACK, "json", "turtle", 10), 20)
            assert outcome.status == 507
            assert pool.restarts == 1 and pool.restarts_by_reason == {"memory": 1}
        finally:
            await pool.close()

    aio.run(main(), timeout=120)


def empty_store(folder: Path) -> str:
    """An empty on-disk store in ``folder``; its path."""
    import pyoxigraph as ox

    store = ox.Store(str(folder / "store"))
    store.flush()
    del store
    return str(folder / "store")


def test_large_stack_runs_long_chains(tmp_path: Path) -> None:
    """10,000 "!" overflow the 8 MB a main thread has; the query thread's stack holds them."""

    async def main() -> None:
        pool = WorkerPool(empty_store(tmp_path), 1, limits=WorkerLimits(max_tokens=0))
        await pool.start()
        try:
            pids = pool.pids()
            query = "ASK { FILTER(" + "!" * 10000 + "true) }"
            task = QueryTask(query, "json", "turtle", 10, has_dataset=False)
            outcome = await pool.run(task, 20)
            assert outcome.status == 200 and b"true" in outcome.body
            assert pool.pids() == pids and pool.restarts == 0
        finally:
            await pool.close()

    aio.run(main(), timeout=120)


@pytest.mark.parametrize(
    ("sig", "status", "words"),
    [(signal.SIGSEGV, 500, "SIGSEGV"), (signal.SIGABRT, 507, "memory")],
)
def test_worker_dying_mid_query_is_answered(
    tmp_path: Path, sig: signal.Signals, status: int, words: str
) -> None:
    """A crash (or the abort of a failed allocation) gets a clear answer and a new worker."""
    # The planner takes about 2 s over a 150-item collection: time to strike.
    slow = "SELECT * { ?s ?p ( " + " ".join(str(i) for i in range(150)) + " ) }"

    async def main() -> None:
        pool = WorkerPool(empty_store(tmp_path), 1, limits=WorkerLimits())
        await pool.start()
        try:
            [pid] = pool.pids()
            running = asyncio.ensure_future(pool.run(QueryTask(slow, "json", "turtle", 10), 20))
            await asyncio.sleep(0.5)
            os.kill(pid, sig)
            outcome = await running
            assert outcome.status == status and words in outcome.message
            assert "Traceback" not in outcome.message
            deadline = time.monotonic() + 5
            while len(pool.pids()) != 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert len(pool.pids()) == 1 and pool.pids() != [pid]
        finally:
            await pool.close()

    aio.run(main(), timeout=120)
