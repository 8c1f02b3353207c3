"""The result cache in front of the backend: pages and /sparql share it; volatile queries
always reach the backend."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from coedp.server.backends.base import Task
from coedp.server.backends.memory import MemoryBackend
from coedp.server.engine import Outcome
from coedp.server.settings import Settings
from coedp.web import create_site

from . import aio

SMALL = Path(__file__).parents[1] / "endpoint" / "fixtures" / "small.trig"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class CountingBackend(MemoryBackend):
    """The in-memory backend, keeping every task that reaches it."""

    seen: list[Task]

    async def run(self, task: Task, timeout: float) -> Outcome:
        self.seen.append(task)
        return await super().run(task, timeout)


def reached(backend: CountingBackend, query: str) -> int:
    """How many times ``query`` reached the backend."""
    return sum(1 for t in backend.seen if getattr(t, "query", None) == query)


@pytest.fixture()
def site() -> tuple[FastAPI, CountingBackend]:
    backend = CountingBackend.from_path(SMALL)
    backend.seen = []
    return create_site(Settings(), backend), backend


def get_all(app: FastAPI, *requests: tuple[str, dict[str, str], dict[str, str]]) -> list[
        httpx.Response]:
    """GET each (url, params, headers) in turn from ``app``, in this process."""

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return [await c.get(url, params=params, headers=headers)
                    for url, params, headers in requests]

    return aio.run(main())


def test_a_page_and_sparql_share_the_answer(site: tuple[FastAPI, CountingBackend]) -> None:
    app, backend = site
    query = "SELECT ?s WHERE { ?s a <https://coedp.org/def/Company> } ORDER BY ?s"
    page, api, again = get_all(
        app,
        ("/en/query", {"query": query}, {"accept": BROWSER}),  # the page in English
        ("/sparql", {"query": query}, {"accept": "application/sparql-results+json"}),
        ("/sparql", {"query": query}, {"accept": "application/sparql-results+json"}),
    )
    assert page.status_code == 200 and "org-acme" in page.text
    assert api.status_code == again.status_code == 200
    assert len(api.json()["results"]["bindings"]) == 3
    assert reached(backend, query) == 1
    # Another syntax is another answer: it reaches the backend.
    (csv,) = get_all(app, ("/sparql", {"query": query}, {"accept": "text/csv"}))
    assert csv.text.splitlines()[0] == "s" and reached(backend, query) == 2


def test_volatile_queries_are_never_cached(site: tuple[FastAPI, CountingBackend]) -> None:
    app, backend = site
    for query in (
        "SELECT (NOW() AS ?t) WHERE {}",
        "SELECT (RAND() AS ?r) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
        "SELECT (UUID() AS ?u) WHERE {}",
        "SELECT (BNODE() AS ?b) WHERE {}",
    ):
        first, second = get_all(
            app, *[("/sparql", {"query": query}, {"accept": "text/csv"})] * 2
        )
        assert first.status_code == second.status_code == 200
        assert first.headers["cache-control"] == "no-store"
        assert reached(backend, query) == 2, query


def test_failures_are_not_cached(site: tuple[FastAPI, CountingBackend]) -> None:
    app, backend = site
    query = "SELECT * WHERE { ?s ?p ?o FILTER(<http://x.org/f>(?o)) }"
    first, second = get_all(app, *[("/sparql", {"query": query}, {})] * 2)
    assert first.status_code == second.status_code == 400
    assert reached(backend, query) == 2


def test_the_graph_store_is_cached_too(site: tuple[FastAPI, CountingBackend]) -> None:
    app, backend = site
    params = {"graph": "https://coedp.org/graph/inferred"}
    first, second = get_all(app, *[("/rdf-graph-store", params, {"accept": "text/turtle"})] * 2)
    assert first.status_code == 200 and first.content == second.content
    assert sum(1 for t in backend.seen if getattr(t, "graph", None)) == 1
