"""create_app's extension points, for the linked-data pages: routers and page hooks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from support.inprocess import LoopThread, SyncASGITransport
from support.servers import SMALL

from coedp.server.app import create_app
from coedp.server.backends.memory import MemoryBackend
from coedp.server.settings import Settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def results_page(request: Request, query: str, results: bytes) -> Response:
    rows = json.loads(results)["results"]["bindings"]
    return HTMLResponse(f"<p>{len(rows)} rows</p>")


def query_page(request: Request) -> Response:
    return HTMLResponse("<p>custom query page</p>")


@pytest.fixture(scope="module")
def hooked() -> Iterator[httpx.Client]:
    """A client on create_app with the hooks, over the in-memory backend, in this process."""
    pages = APIRouter()

    @pages.get("/")
    async def home() -> Response:
        return HTMLResponse("<p>custom home</p>")

    app = create_app(
        Settings(data=SMALL), MemoryBackend.from_path(SMALL), routers=[pages],
        query_page=query_page, results_page=results_page,
    )
    loop = LoopThread()
    try:
        with httpx.Client(transport=SyncASGITransport(app, loop, ("127.0.0.1", 40000)),
                          base_url="http://127.0.0.1:8000") as client:
            yield client
    finally:
        loop.close()


def test_extra_router_replaces_home(hooked):
    assert "custom home" in hooked.get("/").text


def test_query_page_hook(hooked):
    r = hooked.get("/sparql", headers={"accept": BROWSER})
    assert "custom query page" in r.text


def test_results_page_hook_for_browsers_only(hooked):
    query = {"query": "SELECT * WHERE { ?s a <https://coedp.org/def/Company> }"}
    r = hooked.get("/sparql", params=query, headers={"accept": BROWSER})
    assert r.text == "<p>3 rows</p>" and r.headers["etag"]
    r = hooked.get("/sparql", params=query)
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = hooked.get("/sparql", params={**query, "format": "csv"},
                  headers={"accept": BROWSER})
    assert r.headers["content-type"].startswith("text/csv")
