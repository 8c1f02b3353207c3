"""The remote backend: the external store of ``coedp serve --store URL``.

The dataset is what the store holds under ``BASE/graph/`` (counted when the
backend is opened); no dump files are served in this mode. ``start`` starts
the guard processes and checks that the store answers.
"""

from __future__ import annotations

from coedp.server.backends.base import DatasetInfo
from coedp.server.backends.pooled import PooledBackend
from coedp.server.backends.remote.engine import RemoteEngine
from coedp.server.backends.remote.probe import probe_dataset
from coedp.server.settings import Settings


class RemoteBackend(PooledBackend):
    """Queries checked by the guard processes, then answered by the store at ``endpoint``."""

    def __init__(self, endpoint: str, info: DatasetInfo, settings: Settings) -> None:
        super().__init__(info, settings)
        self.endpoint = endpoint

    @classmethod
    def open(cls, settings: Settings) -> RemoteBackend:
        """Count the store's graphs; raises ``DatasetError`` when it cannot be used."""
        return cls(settings.store, probe_dataset(settings.store, settings.base_iri), settings)

    def engine(self) -> RemoteEngine:
        """The guard processes and the connections to the store."""
        settings = self.settings
        return RemoteEngine(
            self.endpoint, sorted(self.info.graph_names), guards=settings.workers,
            concurrency=settings.workers * 4,
        )
