"""The seam between the web process and the store: what every backend offers.

A backend answers the routes' and pages' queries (``run``), says what dataset
it serves (``info``) and how it is doing (``status``). Three implement it:

* :class:`~coedp.server.backends.embedded.EmbeddedBackend`: a store loaded from
  the built files, queried in sandboxed worker processes (``coedp serve``);
* :class:`~coedp.server.backends.remote.RemoteBackend`: an external store's
  SPARQL endpoint behind coedp's guard (``coedp serve --store URL``);
* :class:`~coedp.server.backends.memory.MemoryBackend`: an in-memory pyoxigraph
  store queried in this process (tests, small uses).

:func:`~coedp.server.backends.open_backend` picks one from the settings, and
:class:`~coedp.server.backends.caching.CachingBackend` puts the result cache
in front of any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from coedp.server.engine import GraphTask, Outcome, QueryTask

# What a backend runs: a SPARQL query, or a Graph Store read.
Task = QueryTask | GraphTask

# Is there a triple with the IRI as subject or as object?
EXISTS = "ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?q {s} }} }}"


class BackendError(Exception):
    """A lookup failed (timeout, busy endpoint, store down); the message says why."""


@dataclass(frozen=True)
class GraphStats:
    """Counts describing one graph (``name`` None for the store's default graph)."""

    name: str | None
    triples: int
    subjects: int = 0


@dataclass(frozen=True)
class DatasetInfo:
    """What a backend serves: the dataset's version, graphs and counts, and its dumps.

    ``version`` changes whenever the data does (ETags and the result cache use
    it). ``dumps`` is the folder of the published files (the output of
    ``coedp build`` with its SHA256SUMS), None when the backend has none (an
    external store): /downloads then says that no dump is served here.
    """

    version: str
    last_modified: float  # POSIX time of the data's last change
    graphs: tuple[GraphStats, ...] = ()
    total_triples: int = 0  # in the default graph, the union of the named graphs
    distinct_subjects: int = 0
    origin: str = ""  # where the data comes from, for people: a file or a store's URL
    dumps: Path | None = None

    @property
    def graph_names(self) -> frozenset[str]:
        """IRIs of the named graphs."""
        return frozenset(g.name for g in self.graphs if g.name is not None)

    @property
    def total_quads(self) -> int:
        """Quads in the store, every graph counted."""
        return sum(g.triples for g in self.graphs)


@dataclass(frozen=True)
class BackendStatus:
    """How the backend is doing, for /healthz, /readyz and the metrics."""

    ready: bool  # it can answer a query now
    pids: tuple[int, ...] = ()  # its local worker processes
    running: int = 0
    queued: int = 0
    capacity: int = 0
    max_queue: int = 0
    saturated: bool = False  # its queue is full: new queries are refused
    # Why it is not ready, for people (empty when ready).
    reason: str = ""


@runtime_checkable
class QueryBackend(Protocol):
    """What the routes and pages need from a store; see the module docstring."""

    @property
    def info(self) -> DatasetInfo:
        """The dataset served (known before ``start``)."""
        ...

    async def start(self) -> None:
        """Start what answers queries (worker processes, connections); raises if it cannot."""
        ...

    async def close(self) -> None:
        """Stop everything ``start`` started and release the data (idempotent)."""
        ...

    async def run(self, task: Task, timeout: float) -> Outcome:
        """Answer a query or a Graph Store read within ``timeout`` seconds; never raises
        for a bad query (the Outcome carries the status and the message)."""
        ...

    async def exists(self, iri: str, timeout: float) -> bool:
        """Whether any triple has ``iri`` as subject or object; ``BackendError`` on failure."""
        ...

    def status(self) -> BackendStatus:
        """Readiness and load, for health checks."""
        ...


async def ask_exists(backend: QueryBackend, iri: str, timeout: float) -> bool:
    """``exists`` on top of ``run``: one ASK, answered as SPARQL JSON.

    Raises ``ValueError`` when ``iri`` is not an IRI (pyoxigraph's parser judges).
    """
    term = str(ox.NamedNode(iri))  # "<iri>", or ValueError
    task = QueryTask(EXISTS.format(s=term), "json", "ntriples", 1)
    outcome = await backend.run(task, timeout)
    if outcome.status != 200:
        raise BackendError(outcome.message)
    return b"true" in outcome.body
