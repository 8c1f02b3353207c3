"""Queries built to explode are stopped at the timeout, and leave nothing running."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest
from support.servers import Server

from .conftest import alive_workers

EXPLODING = {
    "cartesian product over the whole store":
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "regex over every pair of literals":
        # Three literals a row: two took about 2 s on a quiet machine, too close to the timeout.
        'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?t ?q ?l . ?u <http://e.org/p> ?k '
        'FILTER(isLiteral(?o) && isLiteral(?l) && REGEX(CONCAT(?o, ?l, ?k), "(x+x+)+y", "i")) }',
    "deep property path":
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://e.org/next>|^<http://e.org/next>)* ?b . "
        "?b <http://e.org/next>* ?c }",
}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (from /proc/PID/stat)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_for_full_pool(server: Server, size: int) -> list[int]:
    for _ in range(600):
        pids = alive_workers(server)
        if len(pids) == size:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"the pool did not come back to {size} workers: {server.output()}")


@pytest.mark.parametrize("query", EXPLODING.values(), ids=EXPLODING.keys())
def test_stopped_at_the_timeout_and_nothing_left_running(tight: Server, query: str):
    before = set(wait_for_full_pool(tight, 2))
    with httpx.Client(base_url=tight.base, timeout=60) as client:
        r = client.post("/sparql", data={"query": query})
        assert r.status_code == 503, r.text
        assert "longer than 2 s" in r.text and "stopped" in r.text
        # The next request does not wait for anything.
        r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200 and r.json()["boolean"] is True
    after = set(wait_for_full_pool(tight, 2))
    stopped = before - after
    assert len(stopped) == 1, (before, after)
    assert not Path(f"/proc/{stopped.pop()}").exists(), "the stopped worker still exists"
    # Back to idle: the server and its workers burn (almost) no CPU while nobody asks.
    watched = [tight.proc.pid, *after]
    time.sleep(1.0)  # let the replacement worker finish starting
    used = cpu_seconds(watched)
    time.sleep(2.0)
    assert cpu_seconds(watched) - used < 0.5, "CPU is still busy after the query was stopped"
