"""``RemoteEngine``: the guard, then the store, then pyoxigraph re-serialising its answer.

Driven by the fair queue as the worker pool is (``start``, ``close``,
``ready``, ``pids``, ``run(task, timeout)``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from coedp.server import engine, formats
from coedp.server.backends.remote.errors import (
    Deadline,
    StoreFailure,
    rdf_format_of,
    store_error,
    timed_out,
)
from coedp.server.backends.remote.guards import GuardPool
from coedp.server.backends.remote.http import RDF_ACCEPT, RESULTS_ACCEPT, form_headers, media_of
from coedp.server.backends.remote.virtuoso import (
    PARTIAL,
    AnswerStream,
    ask_answer,
    gist,
    is_partial,
    readable,
)
from coedp.server.engine import GraphTask, Outcome, QueryTask, RowCapExceeded
from coedp.server.guard import ParseInfo, declare_used_prefixes
from coedp.server.workers import WorkerError

log = logging.getLogger("coedp.server")


class RemoteEngine:
    """Runs QueryTask/GraphTask on a store's SPARQL endpoint; see the module docstring."""

    def __init__(
        self, endpoint: str, graph_names: Sequence[str], guards: int, concurrency: int
    ) -> None:
        self.endpoint = endpoint
        self.graph_names = tuple(sorted(graph_names))
        self.guard = GuardPool(self.graph_names, guards)
        self.concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency)
        self._threads = ThreadPoolExecutor(concurrency, thread_name_prefix="coedp-store")
        self._client: httpx.Client | None = None
        self._store_ok = False
        self._probe: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the guard processes and check that the store answers."""
        await self.guard.start()
        self._client = httpx.Client(
            limits=httpx.Limits(max_connections=self.concurrency), follow_redirects=True
        )
        outcome = await self.run(QueryTask("ASK { ?s ?p ?o }", "json", "ntriples", 1), 30.0)
        if outcome.status != 200:
            await self.close()
            raise WorkerError(f"the store at {self.endpoint} does not answer: {outcome.message}")

    async def close(self) -> None:
        """Stop the guard processes and drop the connections to the store."""
        await self.guard.close()
        self._threads.shutdown(wait=False, cancel_futures=True)
        if self._client is not None:
            self._client.close()

    @property
    def ready(self) -> bool:
        """Whether a guard process is alive and the store answered the last request.

        While the store is down, each call starts a probe (at most one at a time),
        so that a load balancer polling /readyz sees the store come back.
        """
        if not self._store_ok and self._probe is None and self._client is not None:
            self._probe = asyncio.get_running_loop().create_task(self._check_store())
        return self.guard.ready and self._store_ok

    async def _check_store(self) -> None:
        try:
            await self.run(QueryTask("ASK { ?s ?p ?o }", "json", "ntriples", 1), 10.0)
        finally:
            self._probe = None

    def pids(self) -> list[int]:
        """Process ids of the guard processes (the only local workers)."""
        return self.guard.pids()

    async def run(self, task: object, timeout: float) -> Outcome:
        """Check, forward and re-serialise ``task``; 503 past ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        if isinstance(task, QueryTask):
            checked = await self.guard.check(task.query, timeout)
            if not isinstance(checked, ParseInfo):
                return checked
            request = self._query_request(task, checked)
            accept = RESULTS_ACCEPT if checked.form in ("SELECT", "ASK") else RDF_ACCEPT
            ask = checked.form == "ASK"
        elif isinstance(task, GraphTask):
            request, accept, ask = self._graph_request(task), RDF_ACCEPT, False
        else:
            return Outcome(500, message="unknown task")
        busy = Outcome(503, message=f"the endpoint is busy: no connection to the store was free "
                       f"for {timeout:g} s; try again later")
        try:
            await asyncio.wait_for(self._slots.acquire(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return busy
        try:
            future = loop.run_in_executor(
                self._threads, self._forward, task, request, accept, ask, deadline
            )
            return await asyncio.wait_for(future, max(0.0, deadline - time.monotonic()) + 1)
        except (TimeoutError, Deadline):
            return timed_out(timeout)
        finally:
            self._slots.release()

    # -- building the request ----------------------------------------------------------
    def _query_request(self, task: QueryTask, info: ParseInfo) -> list[tuple[str, str]]:
        # The store predeclares nothing: the project's prefixes a query uses are declared.
        data = [("query", declare_used_prefixes(task.query))]
        if task.default_graphs is not None or task.named_graphs is not None:
            data += [("default-graph-uri", g) for g in task.default_graphs or ()]
            data += [("named-graph-uri", g) for g in task.named_graphs or ()]
        elif not info.has_dataset:
            data += [("default-graph-uri", g) for g in self.graph_names]
            data += [("named-graph-uri", g) for g in self.graph_names]
        return data

    def _graph_request(self, task: GraphTask) -> list[tuple[str, str]]:
        if task.graph is None:
            query = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
            return [("query", query), *(("default-graph-uri", g) for g in self.graph_names)]
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{task.graph}> {{ ?s ?p ?o }} }}"
        return [("query", query)]

    # -- talking to the store (in a thread) --------------------------------------------
    def _forward(
        self, task: object, data: list[tuple[str, str]], accept: str, ask: bool,
        deadline: float,
    ) -> Outcome:
        assert self._client is not None
        remaining = max(0.1, deadline - time.monotonic())
        try:
            with self._client.stream(
                "POST", self.endpoint, content=urlencode(data), headers=form_headers(accept),
                timeout=httpx.Timeout(remaining, connect=min(remaining, 10.0)),
            ) as response:
                self._store_ok = True
                if response.status_code != 200:
                    response.read()
                    return store_error(response.status_code, gist(response.text))
                if is_partial(response):
                    return Outcome(503, message=PARTIAL)
                stream = AnswerStream(response.iter_bytes(), deadline,
                                 fix_bnodes=media_of(response) == formats.XML.media_type)
                results = accept == RESULTS_ACCEPT  # what was asked: results or a graph
                return self._reserialise(task, response, stream, ask, results)
        except StoreFailure as exc:
            return exc.outcome
        except Deadline:
            raise
        except httpx.TimeoutException:
            raise Deadline from None
        except httpx.HTTPError as exc:
            self._store_ok = False
            log.error("store %s: %s", self.endpoint, exc)
            return Outcome(503, message=(
                "the store behind this endpoint cannot be reached; try again later"
            ))

    def _reserialise(
        self, task: object, response: httpx.Response, stream: AnswerStream, ask: bool,
        results: bool,
    ) -> Outcome:
        media = media_of(response)
        try:
            if isinstance(task, GraphTask):
                fmt = rdf_format_of(media)
                triples = list(ox.parse(readable(stream), format=fmt))
                body = ox.serialize(
                    triples, format=formats.rdf_format(task.rdf_format),
                    prefixes=engine.prefixes_needed(task.rdf_format, triples),
                )
                return Outcome(200, body or b"", format_name=task.rdf_format)
            assert isinstance(task, QueryTask)
            answer = formats.from_media_type(media, formats.RESULTS) if results else None
            if answer is not None and answer.results is not None:
                result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Quad] = (
                    ox.parse_query_results(readable(stream), answer.results)
                )
                if ask and isinstance(result, ox.QuerySolutions):
                    result = ask_answer(result)
            else:
                result = ox.parse(readable(stream), format=rdf_format_of(media))
            return engine.result_outcome(result, task)
        except RowCapExceeded:
            cap = task.max_rows if isinstance(task, QueryTask) else 0
            return Outcome(422, message=(
                f"the result has more than {cap} rows, the most this endpoint serves; "
                "add LIMIT (and OFFSET to page through it) or narrow the query"
            ))
        except (SyntaxError, ValueError, OSError) as exc:
            if time.monotonic() > stream.deadline:
                raise Deadline from None
            return Outcome(502, message=f"the store's answer cannot be read: {exc}")
