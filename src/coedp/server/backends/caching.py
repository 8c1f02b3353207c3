"""The result cache in front of any backend: /sparql and the pages share it.

A task is answered from memory when the same query (text, protocol dataset,
row cap, base IRI) was answered before in the same syntax on the same dataset
version. The key names the syntax the answer is in, not both syntaxes the task
offers: a page asking a SELECT for JSON (and N-Triples for graphs) and /sparql
asking it for JSON (and Turtle for graphs) share the answer. Result and graph
syntaxes have distinct names, so the two keys a task may match never meet.
Queries whose answer may change from one evaluation to the next
(NOW(), RAND(), UUID(), STRUUID(), BNODE(): see ``resultcache.deterministic``)
always go to the backend, and so do failures.
"""

from __future__ import annotations

from collections.abc import Hashable

from coedp.server.backends.base import (
    BackendStatus,
    DatasetInfo,
    QueryBackend,
    Task,
    ask_exists,
)
from coedp.server.engine import GraphTask, Outcome, QueryTask
from coedp.server.resultcache import ResultCache, deterministic


class CachingBackend:
    """A :class:`QueryBackend` answering repeats of ``inner``'s tasks from ``cache``."""

    def __init__(self, inner: QueryBackend, cache: ResultCache) -> None:
        self.inner = inner
        self.cache = cache

    @property
    def info(self) -> DatasetInfo:
        """The inner backend's dataset."""
        return self.inner.info

    async def start(self) -> None:
        """Start the inner backend."""
        await self.inner.start()

    async def close(self) -> None:
        """Close the inner backend."""
        await self.inner.close()

    async def run(self, task: Task, timeout: float) -> Outcome:
        """The cached answer to ``task``, else the inner backend's (kept when cacheable)."""
        if isinstance(task, QueryTask) and not deterministic(task.query):
            return await self.inner.run(task, timeout)
        version = self.inner.info.version
        outcome = self.cache.lookup(_keys(version, task))
        if outcome is None:
            outcome = await self.inner.run(task, timeout)
            if outcome.status == 200:
                self.cache.put(_key(version, task, outcome.format_name), outcome)
        return outcome

    async def exists(self, iri: str, timeout: float) -> bool:
        """Whether any triple has ``iri`` as subject or object (cached like any query)."""
        return await ask_exists(self, iri, timeout)

    def status(self) -> BackendStatus:
        """The inner backend's status."""
        return self.inner.status()


def _key(version: str, task: Task, syntax: str) -> Hashable:
    """What an answer in ``syntax`` depends on (``has_dataset`` follows from the text)."""
    if isinstance(task, GraphTask):
        return (version, "graph", task.graph, syntax)
    return (
        version, task.query, task.default_graphs, task.named_graphs, task.max_rows,
        task.base_iri, syntax,
    )


def _keys(version: str, task: Task) -> list[Hashable]:
    """The keys an answer to ``task`` may be cached under: one per syntax it offers."""
    if isinstance(task, GraphTask):
        return [_key(version, task, task.rdf_format)]
    return [_key(version, task, task.results_format), _key(version, task, task.rdf_format)]
