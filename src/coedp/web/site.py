"""The whole site: the SPARQL endpoint app plus the linked-data pages.

``create_site(settings, backend)`` calls the endpoint's ``create_app`` with
the routers of this package and the query page as its ``query_page`` hook,
then serves HTML 404 pages to browsers (RDF and other clients keep the
endpoint's plain-text 404). Two middlewares wrap it: the address per
language (:mod:`coedp.web.langs`) and the validators of pages and documents
(:mod:`coedp.web.crawl`).
"""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from coedp.server.app import create_app
from coedp.server.backends import QueryBackend
from coedp.server.settings import Settings
from coedp.web import (
    crawl,
    deref,
    downloads,
    langs,
    ontology_doc,
    pages,
    query_page,
    rdfdoc,
    releases,
    render,
    state,
)

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}

static_router = APIRouter(include_in_schema=False)


@static_router.api_route("/static/{name}", methods=["GET", "HEAD"])
async def static(name: str) -> Response:
    """The site's own static files (only names present in the package's static/ folder)."""
    files = {p.name: p for p in STATIC.iterdir() if p.is_file()}
    path = files.get(name)
    if path is None or path.suffix not in STATIC_TYPES:
        return Response("no such file\n", status_code=404, media_type="text/plain")
    return Response(
        path.read_bytes(),
        media_type=STATIC_TYPES[path.suffix],
        headers={
            "Cache-Control": "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )


def create_site(settings: Settings, backend: QueryBackend | None = None) -> FastAPI:
    """The endpoint with the site's pages around ``backend`` (opened from ``settings`` when
    not given)."""
    app = create_app(
        settings,
        backend,
        routers=[
            static_router,
            pages.router,
            deref.router,
            query_page.router,
            ontology_doc.router,
            downloads.router,
            crawl.router,
            rdfdoc.router,
            releases.router,
        ],
        query_page=query_page.sparql_query_page,
    )
    state.install(app)
    fallback = app.exception_handlers[StarletteHTTPException]  # the endpoint's problem details

    async def http_error(request: Request, exc: Exception) -> Response:
        if (isinstance(exc, StarletteHTTPException) and exc.status_code == 404
                and deref.wants_html(request)):
            return deref.not_found(request)
        response = fallback(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(StarletteHTTPException, http_error)
    # Outermost: the language prefix is stripped before anything else sees the path,
    # and the validators see the language it chose.
    index_paths = {f"/{ix.slug}" for ix in pages.INDEXES}
    render.INDEX_PATHS.update(index_paths)
    app.add_middleware(crawl.ResultNameMiddleware)
    app.add_middleware(crawl.ValidatorMiddleware)
    app.add_middleware(langs.LanguageMiddleware, pages=index_paths)
    return app
