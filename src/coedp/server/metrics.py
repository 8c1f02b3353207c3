"""/metrics in the Prometheus text format (requests are counted by the access log's
middleware, which watches every response already).

Requests and their latency are labelled by route template (``/doc/{name}``,
never the raw path) and method, so that no client can make the label set grow.
Refusals are counted by reason: what the refusing layer recorded in the
request's :class:`~coedp.server.clients.RequestInfo`, else the status code's
meaning. The queue, the workers and the connections are read when scraped.

/metrics is served only to the addresses of ``--metrics-clients`` (loopback by
default): the figures (queue depth, memory per worker, timeouts) tell an
attacker when the service is weakest and whether an attack works, and a
Prometheus server scrapes from a known address. A request that carries a
forwarding header from a peer that is not a trusted proxy is refused too: it
came through a proxy, so the peer's address is not the client's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import prometheus_client
from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from starlette.types import Scope

from coedp.server import clients
from coedp.server.deps import services

prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # unannotated

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
# Reasons of refusals when the refusing layer said nothing more.
STATUS_REASONS = {
    400: "bad_request",
    403: "forbidden",
    405: "method",
    406: "not_acceptable",
    413: "too_large",
    415: "media_type",
    422: "result_cap",
    429: "too_many_queries",
    503: "unavailable",
    507: "memory",
}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The registry of one application and its request instruments."""

    def __init__(self, app: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "coedp_http_requests", "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "coedp_http_request_duration_seconds",
            "Time from a request's arrival to its response's last byte, by route template",
            ["route"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.refusals = Counter(
            "coedp_refusals", "Requests refused (status 400 and above but 404), by reason",
            ["reason"], registry=self.registry,
        )
        ProcessCollector(namespace="coedp_web", registry=self.registry)
        self.registry.register(_StateCollector(app))
        # The labelled children already looked up: the label sets are bounded (route
        # templates, METHODS, statuses), and a look-up takes the registry's lock.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._latencies: dict[str, Any] = {}

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """Count one answered request."""
        route = _route_template(scope)
        method = scope["method"] if scope["method"] in METHODS else "other"
        counter = self._counters.get((route, method, status))
        if counter is None:
            counter = self._counters[route, method, status] = self.requests.labels(
                route, method, str(status)
            )
        counter.inc()
        latency = self._latencies.get(route)
        if latency is None:
            latency = self._latencies[route] = self.latency.labels(route)
        latency.observe(seconds)
        if status >= 400 and status != 404:
            info = scope.get("coedp.request")
            reason = (info.reason if info else None) or STATUS_REASONS.get(status, str(status))
            self.refusals.labels(reason).inc()

    def exposition(self) -> bytes:
        """The current figures in the Prometheus text format."""
        return prometheus_client.generate_latest(self.registry)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else "unmatched"


class _StateCollector:
    """Figures read at scrape time: the query queue, the workers, the connections."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        state = self.app.state
        pool = getattr(state, "pool", None)
        if pool is not None:
            yield from _pool_metrics(pool)
        cache = services(self.app).cache
        yield _counter("coedp_result_cache_hits", "Queries answered from the cache", cache.hits)
        yield _counter("coedp_result_cache_misses", "Queries not found in the cache", cache.misses)
        yield _gauge("coedp_result_cache_bytes", "Bytes of results in the cache", cache.bytes)
        stats = getattr(state, "connection_stats", None)
        if stats is not None:
            yield _gauge("coedp_connections_open", "Open client connections", stats.open)
            yield _counter("coedp_connections_accepted", "Connections accepted", stats.accepted)
            dropped = CounterMetricFamily(
                "coedp_connections_dropped", "Connections closed by the server, by reason",
                labels=["reason"],
            )
            for reason, count in sorted(stats.dropped.items()):
                dropped.add_metric([reason], count)
            yield dropped
            yield _counter(
                "coedp_accept_errors", "Failures to accept a connection (e.g. no descriptor left)",
                stats.accept_errors,
            )


def _pool_metrics(pool: Any) -> Iterator[Metric]:
    yield _gauge("coedp_workers", "Query workers alive", len(pool.pids()))
    for name, text in (
        ("running", "Queries running in the workers"),
        ("queued", "Queries waiting for a worker"),
        ("capacity", "Queries that may run at once"),
        ("max_queue", "Most queries that may wait"),
        ("per_client", "Most queries one client may run at once"),
    ):
        value = getattr(pool, name, None)
        if isinstance(value, int):
            yield _gauge(f"coedp_queries_{name}", text, value)
    waiting = getattr(pool, "clients_waiting", None)
    if callable(waiting):
        yield _gauge("coedp_clients_waiting", "Clients with a query waiting", waiting())
    yield _counter(
        "coedp_worker_restarts", "Query workers replaced (timeout, crash, memory)",
        getattr(pool, "restarts", 0),
    )
    by_reason = CounterMetricFamily(
        "coedp_worker_restarts_by_reason", "Query workers replaced, by reason", labels=["reason"]
    )
    for reason, count in sorted(dict(getattr(pool, "restarts_by_reason", {})).items()):
        by_reason.add_metric([str(reason)], count)
    yield by_reason
    memory = GaugeMetricFamily(
        "coedp_worker_memory_bytes", "Resident memory of each query worker", labels=["pid"]
    )
    for pid, size in sorted(getattr(pool, "memory_by_pid", dict)().items()):
        memory.add_metric([str(pid)], size)
    yield memory


def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, text, value=value)


def _counter(name: str, text: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, text, value=value)


def router() -> APIRouter:
    """GET/HEAD /metrics, for the addresses allowed by ``--metrics-clients``."""
    api = APIRouter(include_in_schema=False)

    @api.api_route("/metrics", methods=["GET", "HEAD"])
    async def metrics(request: Request) -> Response:
        """The Prometheus exposition of this process."""
        allowed = request.app.state.metrics_clients
        info = clients.current()
        if info.untrusted_forwarding or not clients.in_networks(info.client, allowed):
            from coedp.server.protocol import text_response

            clients.set_reason("metrics_forbidden")
            return text_response(
                403, "the metrics are served only to the addresses of --metrics-clients "
                "(COEDP_METRICS_CLIENTS; loopback by default)",
            )
        body = request.app.state.metrics.exposition()
        return Response(body, media_type=prometheus_client.CONTENT_TYPE_PLAIN_0_0_4)

    return api
