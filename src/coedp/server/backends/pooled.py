"""What the embedded and the remote backends share: an engine behind the fair queue."""

from __future__ import annotations

from typing import Protocol

from coedp.server.backends.base import BackendStatus, DatasetInfo, Task, ask_exists
from coedp.server.engine import Outcome
from coedp.server.fairness import FairPool
from coedp.server.settings import Settings

NOT_STARTED = "not ready: no query worker is running"


class Engine(Protocol):
    """What the fair queue drives: the worker pool, or the remote engine."""

    @property
    def ready(self) -> bool:
        """Whether it can answer now."""
        ...

    async def start(self) -> None:
        """Start its processes."""
        ...

    async def close(self) -> None:
        """Stop its processes."""
        ...

    def pids(self) -> list[int]:
        """Its local processes."""
        ...

    async def run(self, task: object, timeout: float) -> Outcome:
        """Answer a task."""
        ...


class PooledBackend:
    """A backend whose queries run on an engine (worker or guard processes) that ``start``
    creates, behind the per-client queue of :mod:`coedp.server.fairness`."""

    def __init__(self, info: DatasetInfo, settings: Settings) -> None:
        self._info = info
        self.settings = settings
        # The queue in front of the engine, once started (the metrics read its figures).
        self.pool: FairPool | None = None

    @property
    def info(self) -> DatasetInfo:
        """The dataset served."""
        return self._info

    def engine(self) -> Engine:
        """A new engine (not started): the subclass's worker or guard processes."""
        raise NotImplementedError

    async def start(self) -> None:
        """Start the engine; raises (``WorkerError``) when it cannot answer."""
        settings = self.settings
        pool = FairPool(
            self.engine(), per_client=settings.per_client_queries,
            client_queue=settings.client_queue, max_queue=settings.max_queue,
        )
        await pool.start()
        self.pool = pool

    async def close(self) -> None:
        """Stop the engine (idempotent)."""
        pool, self.pool = self.pool, None
        if pool is not None:
            await pool.close()

    async def run(self, task: Task, timeout: float) -> Outcome:
        """Queue ``task`` for the engine; 503 before ``start``."""
        if self.pool is None:
            return Outcome(503, message=NOT_STARTED)
        return await self.pool.run(task, timeout)

    async def exists(self, iri: str, timeout: float) -> bool:
        """Whether any triple has ``iri`` as subject or object."""
        return await ask_exists(self, iri, timeout)

    def status(self) -> BackendStatus:
        """The engine's liveness and the queue's load."""
        pool = self.pool
        if pool is None:
            return BackendStatus(ready=False, reason=NOT_STARTED)
        ready = pool.ready
        return BackendStatus(
            ready=ready, pids=tuple(pool.pids()), running=pool.running, queued=pool.queued,
            capacity=pool.capacity, max_queue=pool.max_queue, saturated=pool.saturated,
            reason="" if ready else NOT_STARTED,
        )
