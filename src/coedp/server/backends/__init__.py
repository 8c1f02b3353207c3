"""The store behind the endpoint, as one interface: see :mod:`coedp.server.backends.base`.

``open_backend(settings)`` is the one place the backend is chosen: the
external store of ``--store``, else the embedded store loaded from ``--data``.
The implementations are imported when used (the remote one brings httpx and
the guard processes, which the embedded store does not need).
"""

from __future__ import annotations

from collections.abc import Callable

from coedp.server.backends.base import (
    BackendError,
    BackendStatus,
    DatasetInfo,
    GraphStats,
    QueryBackend,
    Task,
)
from coedp.server.settings import Settings

__all__ = [
    "BackendError",
    "BackendStatus",
    "DatasetInfo",
    "GraphStats",
    "QueryBackend",
    "Task",
    "open_backend",
]


def open_backend(settings: Settings, log: Callable[[str], None] | None = None) -> QueryBackend:
    """The backend ``settings`` name, its dataset loaded or counted, not yet started.

    ``--store URL``: the remote backend (the store's graphs are counted now);
    otherwise the embedded one, ``settings.data`` loaded into a store (or the
    one kept in ``--store-dir`` reused). ``log`` receives a line before a long
    load. Raises ``DatasetError`` when the data cannot be served.
    """
    if settings.store:
        from coedp.server.backends.remote import RemoteBackend

        return RemoteBackend.open(settings)
    from coedp.server.backends.embedded import EmbeddedBackend
    from coedp.server.store import DatasetError, load_dataset

    if settings.data is None:
        raise DatasetError("no dataset to serve: give --data PATH or --store URL")
    dataset = load_dataset(
        settings.data, base_iri=settings.base_iri, store_dir=settings.store_folder, log=log
    )
    return EmbeddedBackend(dataset, settings)
