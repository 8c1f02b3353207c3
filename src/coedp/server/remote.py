"""An engine that answers from an external store's SPARQL endpoint (``coedp serve --store``).

``RemoteEngine`` is the engine of the remote backend
(:mod:`coedp.server.backends.remote`), driven by the fair queue as the worker
pool is (``start``, ``close``, ``ready``, ``pids``, ``run(task, timeout)``).
coedp's own checks stay in front of the store:

* the web process's lexer (length, nesting, SERVICE, updates) as for the
  embedded store, then rdflib's parse check in guard processes supervised like
  query workers (a pathological query is killed at the timeout, not parsed
  forever), so SERVICE, LOAD and unknown FROM graphs never reach the store;
* the timeout: the request to the store is abandoned at the deadline and
  answered 503 (the store may keep running it until its own limit);
* the row cap: the store's answer is parsed as it streams in and re-serialised
  by pyoxigraph in the format the client asked for; past ``max_rows`` the
  download stops and the answer is 422, as on the embedded store.

The served dataset is the store's graphs under ``BASE/graph/``: every query
without FROM is sent with those graphs as ``default-graph-uri`` (their merge,
the union the embedded store serves) and ``named-graph-uri``, so the store's
own system graphs stay out of the answers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import signal
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from coedp.server import engine, formats
from coedp.server.backends.base import DatasetInfo, GraphStats
from coedp.server.engine import GraphTask, Outcome, QueryTask, RowCapExceeded
from coedp.server.guard import GuardError, ParseInfo, declare_used_prefixes
from coedp.server.store import DatasetError
from coedp.server.workers import WorkerError, WorkerPool

log = logging.getLogger("coedp.server")

# What is asked of the store, in order of preference.
RESULTS_ACCEPT = formats.accept_header((formats.XML, formats.JSON))
RDF_ACCEPT = formats.accept_header((formats.NTRIPLES, formats.TURTLE, formats.RDFXML))
STORE_MESSAGE_LIMIT = 500
START_TIMEOUT = 30.0  # seconds the store may take to answer the start-up counts


# -- guard processes -----------------------------------------------------------
def guard_main(conn: Connection, graph_names_json: str) -> None:
    """Body of a guard process: parse-check each query sent, answer ParseInfo or Outcome."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from coedp.server.guard import parse_check

    names = frozenset(json.loads(graph_names_json))
    parse_check("ASK { ?s ?p ?o }", names)  # import the parser before the first query
    conn.send(("ready", os.getpid()))
    while True:
        try:
            query = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: object = parse_check(query, names)
        except GuardError as exc:
            reply = Outcome(exc.status, message=exc.message)
        except Exception as exc:  # noqa: BLE001 - a message for the user, not a trace
            reply = Outcome(400, message=f"the query cannot be read: {exc}")
        conn.send(reply)


class GuardPool(WorkerPool):
    """Processes that run rdflib's parse check under the timeout; see ``guard_main``."""

    target = staticmethod(guard_main)


# -- the dataset as the store holds it ----------------------------------------------
def probe_dataset(endpoint: str, base_iri: str, timeout: float = START_TIMEOUT) -> DatasetInfo:
    """Count the store's graphs under ``BASE/graph/`` (COUNT queries) and describe them.

    Raises ``DatasetError`` when the store cannot be reached, answers with an
    error, or holds none of the dataset's graphs.
    """
    started = time.perf_counter()
    prefix = base_iri + "graph/"
    with httpx.Client(timeout=timeout) as client:
        rows = _select(client, endpoint, (
            "SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
            "WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_literal(prefix)})) }} GROUP BY ?g ORDER BY ?g"
        ))
        graphs = [GraphStats(r["g"], int(r["n"]), int(r["d"])) for r in rows]
        if not graphs:
            raise DatasetError(
                f"the store at {endpoint} holds no graph under {prefix}; "
                "publish the dataset first ('coedp publish --to GRAPH-STORE-URL')"
            )
        names = [g.name for g in graphs if g.name]
        union = _select(client, endpoint, (
            "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
            "WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        ), default_graphs=names)[0]
        metadata = _select(client, endpoint, (
            "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && isLITERAL(?o)) }"
        ), default_graphs=[prefix + "metadata"] if prefix + "metadata" in names else names[:0])
    # The version changes whenever the counts or the dataset's own description do.
    digest = hashlib.sha256(endpoint.encode())
    for g in graphs:
        digest.update(f"{g.name} {g.triples} {g.subjects}\n".encode())
    for line in sorted(f"{r['s']} {r['p']} {r['o']}" for r in metadata):
        digest.update(line.encode() + b"\n")
    log.info("counted the store's graphs in %.2f s", time.perf_counter() - started)
    return DatasetInfo(
        version=digest.hexdigest(),
        last_modified=time.time(),
        graphs=tuple(graphs),
        total_triples=int(union["n"]),
        distinct_subjects=int(union["d"]),
        origin=endpoint,
        dumps=None,  # the built files are not here: nothing to download
    )


def _literal(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid SPARQL string literal for IRIs


def _select(
    client: httpx.Client, endpoint: str, query: str, default_graphs: Sequence[str] = ()
) -> list[dict[str, str]]:
    """Run a SELECT on the store; each row maps variable names to lexical values."""
    data = [("query", query), *(("default-graph-uri", g) for g in default_graphs)]
    try:
        response = client.post(endpoint, content=urlencode(data), headers=_headers(RESULTS_ACCEPT))
    except httpx.HTTPError as exc:
        raise DatasetError(f"cannot reach the store at {endpoint}: {exc}") from None
    if response.status_code != 200:
        raise DatasetError(
            f"the store at {endpoint} answered {response.status_code}: {_gist(response.text)}"
        )
    found = formats.from_media_type(_media(response), formats.RESULTS)
    if found is None or found.results is None:
        raise DatasetError(
            f"{endpoint} answered {_media(response) or 'no media type'}, not SPARQL results: "
            "is it the store's SPARQL endpoint?"
        )
    try:
        solutions = ox.parse_query_results(response.content, found.results)
        return [
            {str(var.value): term.value for var, term in zip(solutions.variables, row, strict=True)
             if term is not None}
            for row in solutions
        ]
    except (SyntaxError, ValueError) as exc:
        raise DatasetError(f"cannot read the answer of {endpoint}: {exc}") from None


def _headers(accept: str) -> dict[str, str]:
    """A SPARQL protocol POST of a form (which keeps long queries out of the URL)."""
    return {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}


def _media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").partition(";")[0].strip().lower()


def _gist(text: str) -> str:
    # Virtuoso echoes the whole query after its message: keep the message.
    text = text.split("SPARQL query:", 1)[0]
    text = " ".join(text.split())
    return text[:STORE_MESSAGE_LIMIT] + ("..." if len(text) > STORE_MESSAGE_LIMIT else "")


# -- the engine ------------------------------------------------------------------------
class _Deadline(Exception):
    """The deadline passed while the store's answer was being read."""


class _StoreFailure(Exception):
    """The store answered with an error or could not be reached: an Outcome for the client."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class _Stream:
    """A file-like view of a streamed response for pyoxigraph's parsers, checking the deadline.

    With ``fix_bnodes``, blank node labels of SPARQL XML results are rewritten to
    valid ones (Virtuoso writes ``<bnode>nodeID://b10004</bnode>``), keeping
    distinct labels distinct.
    """

    def __init__(self, chunks: Iterator[bytes], deadline: float, fix_bnodes: bool = False) -> None:
        self.chunks = chunks
        self.deadline = deadline
        self.fix_bnodes = fix_bnodes
        self.raw = b""  # bytes not yet safe to rewrite (a label may continue in the next chunk)
        self.pending = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            if time.monotonic() > self.deadline:
                raise _Deadline
            chunk = next(self.chunks, None)
            if chunk is None:
                self.pending += self._rewrite(self.raw)
                self.raw = b""
                break
            self._take(chunk)
        if size < 0:
            size = len(self.pending)
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def _take(self, chunk: bytes) -> None:
        if not self.fix_bnodes:
            self.pending += chunk
            return
        self.raw += chunk
        opened, closed = self.raw.rfind(b"<bnode>"), self.raw.rfind(b"</bnode>")
        # Keep back an unclosed label, or a tail that may be the start of "<bnode>".
        if opened > closed:
            cut = opened
        else:
            end = closed + len(b"</bnode>") if closed >= 0 else 0
            cut = max(end, len(self.raw) - len(b"<bnode>"))
        self.pending += self._rewrite(self.raw[:cut])
        self.raw = self.raw[cut:]

    def _rewrite(self, data: bytes) -> bytes:
        if not self.fix_bnodes:
            return data
        return _BNODE.sub(_bnode_label, data)


_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")
_BNODE_LABEL = re.compile(rb"[A-Za-z0-9_]+")


def _bnode_label(match: re.Match[bytes]) -> bytes:
    label = match.group(1)
    if _BNODE_LABEL.fullmatch(label):
        return match.group()
    return b"<bnode>x" + label.hex().encode() + b"</bnode>"


class RemoteEngine:
    """Runs QueryTask/GraphTask on a store's SPARQL endpoint; see the module docstring."""

    def __init__(
        self, endpoint: str, graph_names: Sequence[str], guards: int, concurrency: int
    ) -> None:
        self.endpoint = endpoint
        self.graph_names = tuple(sorted(graph_names))
        self.guard = GuardPool(json.dumps(self.graph_names), guards)
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
            checked = await self.guard.run(task.query, timeout)
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
        except (TimeoutError, _Deadline):
            return _timed_out(timeout)
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
                "POST", self.endpoint, content=urlencode(data), headers=_headers(accept),
                timeout=httpx.Timeout(remaining, connect=min(remaining, 10.0)),
            ) as response:
                self._store_ok = True
                if response.status_code != 200:
                    response.read()
                    return _store_error(response)
                if response.headers.get("x-sql-state"):
                    # Virtuoso's "anytime" answer: a partial result cut at its own time limit.
                    return Outcome(503, message=(
                        "the store stopped the query at its own time limit and offered a "
                        "partial result, which is not served; narrow the query and try again"
                    ))
                stream = _Stream(response.iter_bytes(), deadline,
                                 fix_bnodes=_media(response) == formats.XML.media_type)
                results = accept == RESULTS_ACCEPT  # what was asked: results or a graph
                return self._reserialise(task, response, stream, ask, results)
        except _StoreFailure as exc:
            return exc.outcome
        except _Deadline:
            raise
        except httpx.TimeoutException:
            raise _Deadline from None
        except httpx.HTTPError as exc:
            self._store_ok = False
            log.error("store %s: %s", self.endpoint, exc)
            return Outcome(503, message=(
                "the store behind this endpoint cannot be reached; try again later"
            ))

    def _reserialise(
        self, task: object, response: httpx.Response, stream: _Stream, ask: bool,
        results: bool,
    ) -> Outcome:
        media = _media(response)
        try:
            if isinstance(task, GraphTask):
                fmt = _rdf_format(media)
                triples = list(ox.parse(stream, format=fmt))
                body = ox.serialize(
                    triples, format=formats.rdf_format(task.rdf_format),
                    prefixes=engine.prefixes_needed(task.rdf_format, triples),
                )
                return Outcome(200, body, format_name=task.rdf_format)
            assert isinstance(task, QueryTask)
            answer = formats.from_media_type(media, formats.RESULTS) if results else None
            if answer is not None and answer.results is not None:
                result = ox.parse_query_results(stream, answer.results)
                if ask and isinstance(result, ox.QuerySolutions):
                    result = _ask_answer(result)
            else:
                result = ox.parse(stream, format=_rdf_format(media))
            return engine.result_outcome(result, task)
        except RowCapExceeded:
            cap = task.max_rows if isinstance(task, QueryTask) else 0
            return Outcome(422, message=(
                f"the result has more than {cap} rows, the most this endpoint serves; "
                "add LIMIT (and OFFSET to page through it) or narrow the query"
            ))
        except (SyntaxError, ValueError, OSError) as exc:
            if time.monotonic() > stream.deadline:
                raise _Deadline from None
            return Outcome(502, message=f"the store's answer cannot be read: {exc}")


def _ask_answer(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """An ASK answered as a one-cell table (Virtuoso's ``__ASK_RETVAL``), as a boolean."""
    row = next(iter(solutions), None)
    cell = row[0] if row is not None and len(solutions.variables) == 1 else None
    truth = cell is not None and cell.value not in ("0", "false")
    document = b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false")
    return ox.parse_query_results(document, ox.QueryResultsFormat.JSON)


def _rdf_format(media: str) -> ox.RdfFormat:
    found = formats.from_media_type(media, formats.RDF)
    fmt = found.rdf if found is not None else None
    if fmt is None:
        raise _StoreFailure(Outcome(502, message=(
            f"the store answered {media or 'no media type'}, which this endpoint cannot read"
        )))
    return fmt


def _store_error(response: httpx.Response) -> Outcome:
    """The store's refusal, passed on: 4xx as 400, time limits as 503, the rest as 502."""
    message = _gist(response.text)
    status = response.status_code
    if 400 <= status < 500 and status not in (401, 403, 407):
        return Outcome(400, message=f"the store refused the query ({status}): {message}")
    lowered = message.lower()
    if status in (503, 504) or any(w in lowered for w in ("timeout", "timed out", "time out")):
        return Outcome(503, message=(
            f"the store stopped the query at its own time limit ({status}): {message}"
        ))
    return Outcome(502, message=f"the store failed to answer ({status}): {message}")


def _timed_out(timeout: float) -> Outcome:
    return Outcome(503, message=(
        f"the query ran longer than {timeout:g} s and was stopped; "
        "narrow it (LIMIT, more specific patterns) and try again"
    ))
