"""Long queries run in a lane of their own: at low priority, beside a whole pool, and
at most half the pool of them at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.servers import Server

from coedp.server.limits import thread_nice_values

from .conftest import ASSERTED, alive_workers

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two workers (so one long query at a time), a 20 s timeout, clients by X-Forwarded-For."""
    data = tmp_path_factory.mktemp("lane") / "lane.nq"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(2000):
            fh.write(f'<http://e.org/s{i}> <http://e.org/p> "v{i}" <{ASSERTED}> .\n')
    srv = Server(data, "--workers", "2", "--timeout", "20", "--trusted-proxies", "127.0.0.1")
    yield srv
    srv.stop()


def ask(server: Server, client: str, query: str) -> httpx.Response:
    return httpx.post(server.sparql, data={"query": query}, timeout=30,
                      headers={"X-Forwarded-For": client})


def nice(pid: int) -> int | None:
    """The worker's nice value when every one of its threads has it, else None."""
    values = set(thread_nice_values(pid))
    return values.pop() if len(values) == 1 else None


def test_a_long_query_runs_niced_beside_a_whole_pool_and_a_second_is_stopped(lane: Server):
    before = alive_workers(lane)
    first: dict[str, httpx.Response] = {}
    runner = threading.Thread(target=lambda: first.update(r=ask(lane, "192.0.2.1", SLOW)))
    runner.start()
    # Past a second of CPU the query is long: its worker is niced, and a fresh worker
    # takes its place (a busy machine gives the second of CPU in more wall-clock time).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        live = alive_workers(lane)
        niced = [pid for pid in live if nice(pid) == 19]
        if niced and len([pid for pid in live if nice(pid) == 0]) == 2:
            break
        time.sleep(0.1)
    assert len(niced) == 1 and niced[0] in before, (before, live)
    assert len([pid for pid in live if nice(pid) == 0]) == 2, live

    # Another client's cheap query is answered at once.
    started = time.monotonic()
    cheap = ask(lane, "192.0.2.2", CHEAP)
    assert cheap.status_code == 200 and time.monotonic() - started < 1.0

    # A second long query, from a third client, finds the lane full: stopped, 503.
    second = ask(lane, "192.0.2.3", SLOW)
    assert second.status_code == 503, second.text
    assert "long queries" in second.text and second.headers.get("retry-after") == "60"

    runner.join(30)
    assert first["r"].status_code == 503 and "longer than 20 s" in first["r"].text
    # The niced worker is gone; the pool is two workers at normal priority.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        live = alive_workers(lane)
        if len(live) == 2 and niced[0] not in live:
            break
        time.sleep(0.1)
    assert len(live) == 2 and niced[0] not in live and all(nice(p) == 0 for p in live)
    assert not Path(f"/proc/{niced[0]}").exists()
