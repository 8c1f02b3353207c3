"""/metrics: the Prometheus text format, counters that move, labels that stay bounded.

The session's shared ``coedp serve`` (tests/conftest.py), whose trusted proxy is
127.0.0.2 (a client bound to that address plays the proxy).
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.servers import SHARED_PROXY, Server

PROXY = SHARED_PROXY


def scrape(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and sorted labels (the parser refuses bad syntax)."""
    r = httpx.get(f"{server.base}/metrics", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_latency_and_refusals_are_counted(server: Server):
    before = scrape(server)
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for _ in range(3):
            assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        assert client.get("/sparql", params={"query": "SELEC nothing"}).status_code == 400
        assert client.post(
            "/sparql", content="INSERT DATA { <a:b> <a:c> <a:d> }",
            headers={"Content-Type": "application/sparql-update"},
        ).status_code == 403
    after = scrape(server)
    ok = {"route": "/sparql", "method": "GET", "status": "200"}
    assert value(after, "coedp_http_requests_total", **ok) - value(
        before, "coedp_http_requests_total", **ok) == 3
    assert value(after, "coedp_http_request_duration_seconds_count", route="/sparql") - value(
        before, "coedp_http_request_duration_seconds_count", route="/sparql") == 5
    for reason in ("bad_request", "forbidden"):
        assert value(after, "coedp_refusals_total", reason=reason) - value(
            before, "coedp_refusals_total", reason=reason) == 1, reason


def test_labels_are_route_templates_not_raw_paths(server: Server):
    junk = uuid.uuid4().hex
    with httpx.Client(base_url=server.base, timeout=30) as client:
        client.get(f"/{junk}")
        client.get(f"/id/{junk}")
    text = httpx.get(f"{server.base}/metrics", timeout=10).text
    assert junk not in text
    samples = scrape(server)
    assert value(samples, "coedp_http_requests_total",
                 route="unmatched", method="GET", status="404") >= 1
    routes = {dict(labels).get("route") for name, labels in samples
              if name == "coedp_http_requests_total"}
    assert "/id/{rel:path}" in routes, routes


def test_the_engine_and_the_process_are_reported(server: Server):
    samples = scrape(server)
    assert value(samples, "coedp_workers") == 2
    assert value(samples, "coedp_queries_capacity") == 2
    assert value(samples, "coedp_queries_per_client") == 1
    assert ("coedp_queries_queued", ()) in samples
    assert ("coedp_worker_restarts_total", ()) in samples
    assert value(samples, "coedp_web_process_resident_memory_bytes") > 10_000_000
    assert value(samples, "coedp_connections_open") >= 1


@pytest.mark.parametrize(
    ("source", "forwarded"),
    [(PROXY, "203.0.113.7"), ("127.0.0.1", "127.0.0.1")],
    ids=["a public client through the trusted proxy", "forwarded by an unknown proxy"],
)
def test_metrics_are_not_served_to_the_public(server: Server, source: str, forwarded: str):
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=server.base, timeout=10, transport=transport) as client:
        r = client.get("/metrics", headers={"X-Forwarded-For": forwarded})
        assert r.status_code == 403 and "--metrics-clients" in r.text
        assert client.get("/metrics").status_code == 200  # the proxy host itself may
