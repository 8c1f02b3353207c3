"""The in-memory backend, in-process: the endpoint's options hold as in ``coedp serve``."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI

from coedp.server.app import create_app
from coedp.server.backends import QueryBackend
from coedp.server.backends.memory import MemoryBackend
from coedp.server.engine import GraphTask, QueryTask
from coedp.server.settings import Settings
from coedp.web import create_site

from . import aio

SMALL = Path(__file__).parents[1] / "endpoint" / "fixtures" / "small.trig"
ASSERTED = "https://coedp.org/graph/asserted"
INFERRED = "https://coedp.org/graph/inferred"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
T = TypeVar("T")


def call(app: FastAPI, go: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """Run ``go`` with a client talking to ``app`` in this process."""

    async def main() -> T:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await go(c)

    return aio.run(main())


def get(app: FastAPI, url: str, **kwargs: object) -> httpx.Response:
    """GET ``url`` from ``app``."""
    return call(app, lambda c: c.get(url, **kwargs))  # type: ignore[arg-type]


def count(response: httpx.Response) -> int:
    """The ?n of a one-cell SPARQL JSON result."""
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def backend() -> MemoryBackend:
    return MemoryBackend.from_path(SMALL)


@pytest.fixture(scope="module")
def app(backend: MemoryBackend) -> FastAPI:
    return create_app(Settings(max_rows=5), backend)


def test_is_a_query_backend(backend: MemoryBackend) -> None:
    assert isinstance(backend, QueryBackend)
    info = backend.info
    assert info.graph_names == {
        ASSERTED, INFERRED, "https://coedp.org/graph/ontology", "https://coedp.org/graph/metadata"
    }
    assert info.dumps == SMALL.parent and info.origin == str(SMALL)
    # The default graph is the union: each graph's triples, a triple in two graphs once.
    assert info.total_triples <= info.total_quads and info.total_triples > 0


def test_default_graph_is_the_union_and_the_protocol_dataset_replaces_it(app: FastAPI) -> None:
    union = count(get(app, "/sparql", params={"query": COUNT}))
    asserted = count(get(app, "/sparql", params={"query": COUNT, "default-graph-uri": ASSERTED}))
    inferred = count(get(app, "/sparql", params={"query": COUNT, "default-graph-uri": INFERRED}))
    assert 0 < inferred < asserted < union
    with_from = f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}"
    assert count(get(app, "/sparql", params={"query": with_from})) == inferred


def test_unknown_graph_is_refused(app: FastAPI) -> None:
    r = get(app, "/sparql", params={"query": COUNT, "default-graph-uri": "https://x.org/g"})
    assert r.status_code == 400 and "https://x.org/g" in r.text


def test_row_cap_and_format(app: FastAPI) -> None:
    r = get(app, "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422 and "more than 5 rows" in r.text
    query = "SELECT ?s WHERE { ?s a <https://coedp.org/def/Company> } ORDER BY ?s"
    r = get(app, "/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["s"] and len(rows) == 4


def test_construct_in_turtle_and_graph_store(app: FastAPI) -> None:
    query = "CONSTRUCT WHERE { ?s a <https://coedp.org/def/Company> }"
    r = get(app, "/sparql", params={"query": query}, headers={"accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle"), r.text
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))) == 3
    r = get(app, "/rdf-graph-store", params={"graph": INFERRED},
            headers={"accept": "application/n-triples"})
    assert r.status_code == 200
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))) == 6
    r = get(app, "/rdf-graph-store", params={"graph": "https://x.org/g"})
    assert r.status_code == 404


def test_response_byte_cap() -> None:
    capped = MemoryBackend.from_path(SMALL, max_response_bytes=200)
    task = QueryTask("SELECT * WHERE { ?s ?p ?o }", "json", "turtle", max_rows=100)
    outcome = aio.run(capped.run(task, 10))
    assert outcome.status == 422 and "larger than" in outcome.message


def test_exists(backend: MemoryBackend) -> None:
    assert aio.run(backend.exists("https://coedp.org/id/org-acme", 10))
    assert aio.run(backend.exists(INFERRED, 10)) is False  # a graph name, in no triple
    assert not aio.run(backend.exists("https://coedp.org/id/nobody", 10))
    with pytest.raises(ValueError):
        aio.run(backend.exists("not an iri", 10))


def test_graph_task_of_the_default_graph(backend: MemoryBackend) -> None:
    outcome = aio.run(backend.run(GraphTask(None, "ntriples"), 10))
    triples = list(ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == backend.info.total_triples


def test_health_and_readiness(app: FastAPI, backend: MemoryBackend) -> None:
    health = get(app, "/healthz").json()
    assert health["dataset"] == {"version": backend.info.version,
                                 "triples": backend.info.total_triples}
    assert health["workers"] == []
    assert get(app, "/readyz").status_code == 200


def test_a_store_without_dumps_publishes_none() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://coedp.org/id/a"), ox.NamedNode("https://x.org/p"),
                      ox.Literal("v"), ox.NamedNode("https://coedp.org/graph/asserted")))
    site = create_site(Settings(), MemoryBackend(store))
    page = get(site, "/downloads")
    assert page.status_code == 200 and "No dump is published" in page.text
    assert get(site, "/download/SHA256SUMS").status_code == 404
    assert count(get(site, "/sparql", params={"query": COUNT})) == 1


def test_the_settings_limits_hold() -> None:
    backend = MemoryBackend.from_settings(Settings(data=SMALL, max_query_tokens=20))
    assert backend.info.origin == str(SMALL)
    app = create_app(Settings(max_query_tokens=20), backend)
    long = "SELECT * WHERE { ?s ?p ?o . ?s ?p ?o . ?s ?p ?o . ?s ?p ?o } LIMIT 1"
    r = get(app, "/sparql", params={"query": long})
    assert r.status_code == 400 and "more than 20 terms" in r.text
    assert count(get(app, "/sparql", params={"query": COUNT})) > 0
