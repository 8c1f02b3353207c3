"""An in-memory pyoxigraph store queried in the web process itself.

For tests and small uses: no worker process, no sandbox, no way to stop a
query that runs past its timeout (its answer is 503 at the deadline, but the
thread evaluating it runs on until it ends). Everything else is the embedded
engine's: the same :func:`coedp.server.engine.execute` answers each task, so
the union default graph, FROM and the protocol dataset, the result formats,
the row cap and the response byte cap behave as in ``coedp serve``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import pyoxigraph as ox

from coedp.dataset import file_sha256
from coedp.server.backends.base import (
    BackendStatus,
    DatasetInfo,
    GraphStats,
    Task,
    ask_exists,
)
from coedp.server.engine import Outcome, execute
from coedp.server.limits import MIB
from coedp.server.settings import Settings
from coedp.server.store import DatasetError, resolve_source, source_format, statistics


class MemoryBackend:
    """A :class:`~coedp.server.backends.base.QueryBackend` over an in-memory ``ox.Store``.

    Build it with :meth:`from_path` (a built dataset file or folder, as
    ``--data``) or around a store of your own. ``max_response_bytes`` and
    ``max_tokens`` are the worker limits of the same names (0: no cap).
    """

    def __init__(
        self, store: ox.Store, *, version: str | None = None, last_modified: float | None = None,
        origin: str = "memory", dumps: Path | None = None, max_response_bytes: int = 0,
        max_tokens: int = 0,
    ) -> None:
        self.store = store
        graphs, total, subjects = statistics(store)
        if version is None:
            # Not a file's digest: the counts stand for the content (enough for ETags in tests).
            digest = hashlib.sha256(b"memory")
            for g in graphs:
                digest.update(f"{g.name} {g.triples} {g.subjects}\n".encode())
            version = digest.hexdigest()
        self._info = DatasetInfo(
            version=version,
            last_modified=time.time() if last_modified is None else last_modified,
            graphs=tuple(graphs),
            total_triples=total,
            distinct_subjects=subjects,
            origin=origin,
            dumps=dumps,
        )
        self._names = self._info.graph_names
        self.max_response_bytes = max_response_bytes
        self.max_tokens = max_tokens

    @classmethod
    def from_path(
        cls, path: Path, *, base_iri: str | None = None, max_response_bytes: int = 0,
        max_tokens: int = 0,
    ) -> MemoryBackend:
        """Load ``path`` (a TriG, N-Quads, Turtle or N-Triples file, or a folder holding
        coedp.nq or coedp.trig) into memory; its folder is the dumps folder.

        Raises ``DatasetError`` when the file is missing or not valid RDF.
        """
        source = resolve_source(Path(path))
        fmt = source_format(source)
        store = ox.Store()
        try:
            store.bulk_load(path=str(source), format=fmt, base_iri=base_iri)
        except SyntaxError as exc:
            raise DatasetError(f"{source} is not valid {fmt.name}: {exc}") from None
        except (OSError, ValueError) as exc:
            raise DatasetError(f"cannot load {source}: {exc}") from None
        return cls(
            store, version=file_sha256(source), last_modified=source.stat().st_mtime,
            origin=str(source), dumps=source.parent, max_response_bytes=max_response_bytes,
            max_tokens=max_tokens,
        )

    @classmethod
    def from_settings(cls, settings: Settings, path: Path | None = None) -> MemoryBackend:
        """``from_path`` with the limits of ``settings`` (the byte cap of a response, the
        terms of a query), as ``coedp serve`` gives its workers; ``path`` defaults to
        ``settings.data``."""
        source = path if path is not None else settings.data
        if source is None:
            raise DatasetError("no dataset to load: give a path or settings.data")
        return cls.from_path(
            source, base_iri=settings.base_iri,
            max_response_bytes=settings.max_response_mb * MIB,
            max_tokens=settings.max_query_tokens,
        )

    @property
    def info(self) -> DatasetInfo:
        """The dataset in the store."""
        return self._info

    async def start(self) -> None:
        """Nothing to start: the store is ready once built."""

    async def close(self) -> None:
        """Nothing to stop; the store goes with the object."""

    async def run(self, task: Task, timeout: float) -> Outcome:
        """Run ``task`` on a thread; 503 at ``timeout`` (the thread is not stopped)."""
        work = asyncio.to_thread(
            execute, self.store, self._names, task, self.max_response_bytes, self.max_tokens
        )
        try:
            return await asyncio.wait_for(work, timeout)
        except TimeoutError:
            return Outcome(503, message=(
                f"the query ran longer than {timeout:g} s and was stopped; "
                "narrow it (LIMIT, more specific patterns) and try again"
            ))

    async def exists(self, iri: str, timeout: float) -> bool:
        """Whether any triple has ``iri`` as subject or object."""
        return await ask_exists(self, iri, timeout)

    def status(self) -> BackendStatus:
        """Always ready; nothing queues."""
        return BackendStatus(ready=True)


__all__ = ["GraphStats", "MemoryBackend"]
