"""create_app's extension points, for the linked-data pages: routers and page hooks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from support.servers import SMALL, free_port

from coedp.server.app import create_app
from coedp.server.settings import Settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def results_page(request: Request, query: str, results: bytes) -> Response:
    rows = json.loads(results)["results"]["bindings"]
    return HTMLResponse(f"<p>{len(rows)} rows</p>")


def query_page(request: Request) -> Response:
    return HTMLResponse("<p>custom query page</p>")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    pages = APIRouter()

    @pages.get("/")
    async def home() -> Response:
        return HTMLResponse("<p>custom home</p>")

    app = create_app(
        Settings(data=SMALL, workers=1), routers=[pages], query_page=query_page,
        results_page=results_page,
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    server.should_exit = True
    thread.join(30)


def test_extra_router_replaces_home(base):
    assert "custom home" in httpx.get(base + "/").text


def test_query_page_hook(base):
    r = httpx.get(base + "/sparql", headers={"accept": BROWSER})
    assert "custom query page" in r.text


def test_results_page_hook_for_browsers_only(base):
    query = {"query": "SELECT * WHERE { ?s a <https://coedp.org/def/Company> }"}
    r = httpx.get(base + "/sparql", params=query, headers={"accept": BROWSER})
    assert r.text == "<p>3 rows</p>" and r.headers["etag"]
    r = httpx.get(base + "/sparql", params=query)
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = httpx.get(base + "/sparql", params={**query, "format": "csv"},
                  headers={"accept": BROWSER})
    assert r.headers["content-type"].startswith("text/csv")
