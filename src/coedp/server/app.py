"""The web application: ``create_app(settings, backend)`` and its middleware.

The backend (:mod:`coedp.server.backends`) is what answers queries: given, or
opened from the settings with ``open_backend``. The app puts the result cache
in front of it, starts it when serving begins and closes it at shutdown. An
in-memory backend makes an app that needs no process of its own::

    from coedp.server.backends.memory import MemoryBackend
    backend = MemoryBackend.from_path(Path("tests/endpoint/fixtures/small.trig"))
    app = create_app(Settings(), backend)

Other parts of the site (the linked-data pages) are added as extra routers:
``create_app(settings, routers=[pages.router], query_page=pages.query_page)``.
Routers passed in are matched before the built-in ``/`` page, so they can
replace it.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import AsyncIterator, Sequence

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coedp.server import clients, deps, metrics, openapi, protocol
from coedp.server.accesslog import AccessLogMiddleware
from coedp.server.backends import QueryBackend, open_backend
from coedp.server.backends.caching import CachingBackend
from coedp.server.backends.pooled import PooledBackend
from coedp.server.deps import BackendDep, DatasetDep, QueryPage, ResultsPage
from coedp.server.resultcache import ResultCache
from coedp.server.settings import Settings

log = logging.getLogger("coedp.server")

__all__ = ["QueryPage", "ResultsPage", "create_app"]


def create_app(
    settings: Settings,
    backend: QueryBackend | None = None,
    *,
    routers: Sequence[APIRouter] = (),
    query_page: QueryPage | None = None,
    results_page: ResultsPage | None = None,
) -> FastAPI:
    """Build the endpoint application around ``backend``.

    ``backend`` is opened from ``settings`` (``open_backend``) when not given.
    The application owns it: its lifespan starts it and closes it (which
    removes a temporary store, or releases one kept in ``--store-dir``). A
    backend that needs no start (the in-memory one) answers even where the
    lifespan does not run (httpx's ``ASGITransport``).
    ``query_page`` renders GET /sparql without a query for a browser; the
    default is a minimal form. ``results_page``, when given, renders the
    JSON results of a SELECT/ASK for a browser (without it, browsers get JSON).
    """
    inner = backend if backend is not None else open_backend(settings)
    cache = ResultCache(settings.cache_entries, settings.cache_mb * 1024 * 1024)
    served = CachingBackend(inner, cache)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await served.start()  # raises, and so stops the server, if the store cannot be opened
        # The metrics read the engine's queue and workers from here (none in memory).
        app.state.pool = inner.pool if isinstance(inner, PooledBackend) else None
        try:
            yield
        finally:
            # Here rather than after uvicorn returns: uvicorn re-raises SIGTERM
            # once shut down, which ends the process before any caller's cleanup.
            await served.close()

    app = FastAPI(
        title="coedp SPARQL endpoint",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    openapi.install(app)
    deps.install(app, deps.Services(
        settings=settings, backend=served, cache=cache,
        query_page=query_page or query_form_page, results_page=results_page,
    ))
    # The metrics' own parts (the pages and routes read ``deps.services``).
    app.state.metrics = metrics.Metrics(app)
    app.state.metrics_clients = _metrics_networks(settings.metrics_clients)

    # The protocol first: /sparql is the busiest route, and no page shares its paths.
    app.include_router(protocol.router)
    for extra in routers:
        app.include_router(extra)
    app.include_router(_health_router())
    app.include_router(metrics.router())
    app.add_api_route("/", home_page, methods=["GET", "HEAD"], include_in_schema=False)
    _add_error_handlers(app)

    # Added innermost first: the access log sees the final status and size.
    # Level 6 (zlib's default) rather than 9: about half the CPU time on the event
    # loop for a large result, for a body a few per cent larger.
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_size, compresslevel=6)
    if settings.cors_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_list,
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
            expose_headers=["ETag", "Last-Modified", "Content-Length"],
            max_age=86400,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        AccessLogMiddleware, log_client=settings.log_client, metrics=app.state.metrics
    )
    app.add_middleware(clients.ClientMiddleware, trusted_proxies=settings.trusted_proxies)
    return app


def _metrics_networks(text: str) -> tuple[clients.Network, ...]:
    if text.strip() == "*":
        return clients.parse_networks("0.0.0.0/0,::/0")
    return clients.parse_networks(text)


def home_page(dataset: DatasetDep) -> Response:
    """GET /: a short index pointing at the endpoint (to be replaced by the site's home)."""
    graphs = "".join(
        f"<li><code>{html.escape(g.name)}</code>: {g.triples} triples</li>"
        for g in dataset.graphs
        if g.name
    )
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>coedp</title></head><body>"
        "<h1>Council of Europe Digital Partnership: knowledge graph</h1>"
        "<p>SPARQL 1.1 endpoint: <a href='/sparql'>/sparql</a> "
        "(graph store, read-only: <code>/rdf-graph-store?default</code>).</p>"
        f"<p>{dataset.total_triples} triples in the default graph, the union of:</p>"
        f"<ul>{graphs}</ul></body></html>"
    )


def query_form_page(request: Request) -> Response:
    """GET /sparql from a browser without a query: a minimal query form."""
    # The project's prefixes are predeclared: the example needs no PREFIX lines.
    example = "SELECT ?partner WHERE { ?partner a coedp:DigitalPartner } LIMIT 10\n"
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>coedp SPARQL endpoint</title></head><body>"
        "<h1>SPARQL query</h1>"
        "<form method='get' action='/sparql'>"
        f"<textarea name='query' rows='20' cols='100'>{html.escape(example)}</textarea><br>"
        "<label>Results <select name='format'>"
        "<option>json</option><option>xml</option><option>csv</option><option>tsv</option>"
        "<option>turtle</option><option>ntriples</option><option>rdfxml</option>"
        "<option>jsonld</option></select></label> "
        "<button type='submit'>Run</button></form></body></html>",
        headers={"Vary": "Accept"},
    )


def _health_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.api_route("/healthz", methods=["GET", "HEAD"])
    async def healthz(backend: BackendDep) -> JSONResponse:
        """Liveness, with the dataset version and the query workers' process ids."""
        dataset = backend.info
        return JSONResponse({
            "status": "ok",
            "dataset": {"version": dataset.version, "triples": dataset.total_triples},
            "workers": list(backend.status().pids),
        })

    @router.api_route("/readyz", methods=["GET", "HEAD"])
    async def readyz(backend: BackendDep) -> Response:
        """Ready once a query worker holds the store; 503 while the query queue is full."""
        status = backend.status()
        if not status.ready:
            return protocol.text_response(
                503, status.reason or "not ready: no query worker is running"
            )
        counts = (
            f"{status.running} running, {status.queued} queued (at most {status.capacity} "
            f"running, {status.max_queue} queued)"
        )
        if status.saturated:
            return protocol.text_response(
                503, f"saturated: {status.queued} queued; {counts}", {"Retry-After": "5"}
            )
        return protocol.text_response(200, f"ready: {counts}")

    return router


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is plain text, never a stack trace."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}; the SPARQL endpoint is /sparql"
        return protocol.text_response(exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return protocol.text_response(400, "the request cannot be read")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return protocol.text_response(500, "internal error; the server log has the details")


class SecurityHeadersMiddleware:
    """``X-Content-Type-Options: nosniff`` on every response.

    Error messages quote what the client sent; no browser may take them for
    HTML or script whatever they contain.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", ())
                    if k.lower() != b"x-content-type-options"
                ]
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)
