"""The embedded store: the built dataset loaded into pyoxigraph, queried in worker processes.

The store is loaded (or reused from ``--store-dir``) by :mod:`coedp.server.store`
when the backend is opened; ``start`` spawns the sandboxed query workers of
:mod:`coedp.server.workers`, ``close`` stops them and removes the temporary
store (a kept one is only released, for the next start).
"""

from __future__ import annotations

from coedp.server.backends.pooled import PooledBackend
from coedp.server.limits import worker_limits
from coedp.server.settings import Settings
from coedp.server.store import LoadedDataset
from coedp.server.workers import WorkerPool


class EmbeddedBackend(PooledBackend):
    """Queries run by the worker pool on the store ``dataset`` was loaded into."""

    def __init__(self, dataset: LoadedDataset, settings: Settings) -> None:
        super().__init__(dataset.info(), settings)
        self.dataset = dataset

    def engine(self) -> WorkerPool:
        """The worker pool; each worker copies the store into memory when it is small."""
        settings, dataset = self.settings, self.dataset
        in_memory = dataset.total_quads <= settings.memory_quads
        limits = worker_limits(settings, dataset.total_quads if in_memory else 0)
        return WorkerPool(
            str(dataset.store_path), settings.workers, in_memory=in_memory, limits=limits
        )

    async def close(self) -> None:
        """Stop the workers, then remove (or release) the store."""
        await super().close()
        self.dataset.cleanup()
