"""One client's slow queries cannot keep another client from an answer.

A real ``coedp serve`` with 2 workers (one per client at a time), a 2 s timeout,
2 waiting queries per client and 127.0.0.2 as its trusted reverse proxy (a
client bound to 127.0.0.2 plays the proxy; one on 127.0.0.1 is an outsider).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from support.servers import Server

from coedp.server.clients import client_address, parse_networks

from .conftest import ASSERTED, ROWS

SLOW = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {n}"
CHEAP = "ASK {{ <http://e.org/s{n}> ?p ?o }}"
PROXY = "127.0.0.2"


@pytest.fixture(scope="module")
def fair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("fair") / "many.nq"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(ROWS):
            fh.write(f'<http://e.org/s{i}> <http://e.org/p> "value {i}" <{ASSERTED}> .\n')
    srv = Server(
        data, "--timeout", "2", "--workers", "2", "--client-queue", "2", "--max-queue", "2",
        "--trusted-proxies", PROXY,
    )
    yield srv
    srv.stop()


def client_from(server: Server, address: str) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any 127.x works on loopback)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.base, timeout=30, transport=transport)


def flood(server: Server, address: str, forwarded: list[str | None]) -> list[httpx.Response]:
    """Send one slow query per entry of ``forwarded`` (its X-Forwarded-For) at once."""
    def one(n: int) -> httpx.Response:
        headers = {"X-Forwarded-For": forwarded[n]} if forwarded[n] else {}
        with client_from(server, address) as client:
            return client.post("/sparql", data={"query": SLOW.format(n=n)}, headers=headers)

    with ThreadPoolExecutor(len(forwarded)) as pool:
        futures = []
        for n in range(len(forwarded)):
            futures.append(pool.submit(one, n))
            time.sleep(0.15)  # in this order: one runs, two wait, the last finds the queue full
        return [f.result() for f in futures]


def test_a_flooding_client_is_limited_and_others_are_answered_within_a_second(fair: Server):
    results: list[httpx.Response] = []
    flooding = threading.Thread(
        target=lambda: results.extend(
            flood(fair, PROXY, ["198.51.100.1, 203.0.113.5"] * 4)  # left part: the client's lie
        )
    )
    flooding.start()
    try:
        time.sleep(0.8)  # the flood is in: one query runs, two wait
        readyz = httpx.get(f"{fair.base}/readyz", timeout=5)
        assert readyz.status_code == 503 and readyz.text.startswith("saturated: 2 queued"), (
            readyz.text
        )
        healthz = httpx.get(f"{fair.base}/healthz", timeout=5)
        assert healthz.status_code == 200  # liveness is not readiness
        # Another client behind the same proxy, all through the flood and the worker
        # restarts it causes: each cheap query answered within a second.
        with client_from(fair, PROXY) as other:
            for n in range(8):
                started = time.monotonic()
                r = other.get(
                    "/sparql", params={"query": CHEAP.format(n=n)},
                    headers={"X-Forwarded-For": "192.0.2.9", "Accept": "application/json"},
                )
                took = time.monotonic() - started
                assert r.status_code == 200 and r.json()["boolean"] is True, r.text
                assert took < 1.0, f"query {n} took {took:.2f} s during the flood"
                time.sleep(0.4)
    finally:
        flooding.join(60)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [429, 503, 503, 503], [(r.status_code, r.text) for r in results]
    refused = next(r for r in results if r.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert "too many queries from your address" in refused.text
    assert refused.headers["content-type"].startswith("text/plain")
    metrics = httpx.get(f"{fair.base}/metrics", timeout=5).text
    assert 'coedp_refusals_total{reason="client_limit"} 1.0' in metrics
    # The others ran past the timeout, or waited that long for their turn.
    stopped = re.findall(r'coedp_refusals_total\{reason="(?:queue_)?timeout"\} (\S+)', metrics)
    assert sum(float(n) for n in stopped) == 3, metrics


def test_forwarded_for_from_an_untrusted_peer_is_ignored(fair: Server):
    # Four "different" clients by their header, all from 127.0.0.1, which is not the
    # trusted proxy: one client to the server, so the fourth query is refused.
    results = flood(fair, "127.0.0.1", ["203.0.113.1", "203.0.113.2", "203.0.113.3", None])
    assert sorted(r.status_code for r in results) == [429, 503, 503, 503], [
        (r.status_code, r.text) for r in results
    ]


def test_queries_after_the_flood_run_at_once(fair: Server):
    with client_from(fair, "127.0.0.1") as client:
        for n in range(3):
            r = client.get("/sparql", params={"query": CHEAP.format(n=100 + n)})
            assert r.status_code == 200, r.text
    assert httpx.get(f"{fair.base}/readyz", timeout=5).text.startswith("ready: 0 running")


def test_the_graph_store_goes_through_the_same_queue(fair: Server):
    # The graph store (like the site's pages) runs on the same workers: flood from one
    # address, and another client's graph still comes back within a second.
    results: list[httpx.Response] = []
    flooding = threading.Thread(
        target=lambda: results.extend(flood(fair, "127.0.0.1", [None] * 2))
    )
    flooding.start()
    try:
        time.sleep(0.5)
        with client_from(fair, "127.0.0.3") as other:
            started = time.monotonic()
            r = other.get("/rdf-graph-store", params={"graph": ASSERTED},
                          headers={"Accept": "application/n-triples"})
            assert r.status_code == 200 and "<http://e.org/s1>" in r.text
            assert time.monotonic() - started < 1.0
    finally:
        flooding.join(60)
    assert sorted(r.status_code for r in results) == [503, 503]


def test_the_client_is_the_right_most_address_not_a_trusted_proxy():
    trusted = parse_networks("127.0.0.2, 10.0.0.0/8")
    # The proxy appends the address it saw; what the client wrote to the left is a lie.
    assert client_address("127.0.0.2", ["6.6.6.6, 203.0.113.5"], trusted) == "203.0.113.5"
    # A chain of trusted proxies is skipped.
    assert client_address("127.0.0.2", ["6.6.6.6, 203.0.113.5, 10.1.2.3"], trusted) == (
        "203.0.113.5"
    )
    assert client_address("127.0.0.2", ["6.6.6.6", "203.0.113.5"], trusted) == "203.0.113.5"
    # Not from a trusted proxy: the header is ignored.
    assert client_address("192.0.2.1", ["203.0.113.5"], trusted) == "192.0.2.1"
    assert client_address("127.0.0.2", ["not-an-address"], trusted) == "127.0.0.2"
    assert client_address("127.0.0.2", [], trusted) == "127.0.0.2"
    assert client_address("127.0.0.2", ["203.0.113.5"], ()) == "127.0.0.2"
