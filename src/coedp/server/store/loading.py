"""Bulk-load a built dataset into an on-disk pyoxigraph store, and what the load gives."""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coedp.dataset import DatasetError as BaseDatasetError
from coedp.dataset import extensions, file_sha256, locate
from coedp.server import formats
from coedp.server.backends.base import DatasetInfo, GraphStats
from coedp.server.store.statistics import statistics

# Files looked for, in this order, when ``--data`` names a folder.
FOLDER_FILES = ("coedp.nq", "coedp.trig")

Log = Callable[[str], None]


class DatasetError(Exception):
    """The dataset cannot be served; the message says why, for a person."""


@dataclass
class LoadedDataset:
    """A dataset bulk-loaded into ``store_path``, ready to be opened read-only."""

    source: Path
    store_path: Path
    version: str  # sha256 of the source file: changes whenever the data does
    last_modified: float  # POSIX time of the source file
    load_seconds: float
    graphs: list[GraphStats] = field(default_factory=list)
    total_triples: int = 0
    distinct_subjects: int = 0
    # Set with ``--store-dir``: the store is kept there, and was reused or (re)loaded.
    store_dir: Path | None = None
    reused: bool = False
    loaded_at: float = 0.0  # POSIX time the store was loaded
    _lock: int | None = field(default=None, repr=False)

    @property
    def total_quads(self) -> int:
        """Quads in the store, every graph counted (what a worker copies into memory)."""
        return sum(g.triples for g in self.graphs)

    @property
    def graph_names(self) -> frozenset[str]:
        """IRIs of the named graphs."""
        return frozenset(g.name for g in self.graphs if g.name is not None)

    def info(self) -> DatasetInfo:
        """What the routes see of the dataset; its dumps are the source file's folder."""
        return DatasetInfo(
            version=self.version,
            last_modified=self.last_modified,
            graphs=tuple(self.graphs),
            total_triples=self.total_triples,
            distinct_subjects=self.distinct_subjects,
            origin=str(self.source),
            dumps=self.source.parent,
        )

    def cleanup(self) -> None:
        """Remove a temporary store; release a kept one (``--store-dir``) for the next run."""
        if self.store_dir is None:
            shutil.rmtree(self.store_path, ignore_errors=True)
        elif self._lock is not None:
            os.close(self._lock)  # also releases the flock
            self._lock = None


def resolve_source(path: Path) -> Path:
    """Return the RDF file to load for ``--data PATH`` (a file or a folder)."""
    try:
        return locate(path, extensions(formats.DATASET_FORMATS), FOLDER_FILES)
    except BaseDatasetError as exc:
        raise DatasetError(str(exc)) from None


def source_format(source: Path) -> ox.RdfFormat:
    """The RDF syntax of a file ``resolve_source`` returned."""
    found = formats.from_extension(source.suffix, formats.RDF, formats.DATASET_FORMATS)
    if found is None or found.rdf is None:
        raise DatasetError(f"{source}: not a dataset file")
    return found.rdf


def load_into(source: Path, store_path: Path, base_iri: str | None) -> LoadedDataset:
    """Bulk-load ``source`` into a new store at ``store_path`` and count it."""
    fmt = source_format(source)
    started = time.perf_counter()
    stat = source.stat()  # before reading: a change during the load shows at the next start
    digest: list[str] = []
    # Hash while RocksDB loads (both release the GIL): the version costs no wall time.
    hasher = threading.Thread(target=lambda: digest.append(file_sha256(source)), daemon=True)
    hasher.start()
    try:
        store = ox.Store(str(store_path))
        store.bulk_load(path=str(source), format=fmt, base_iri=base_iri)
        store.flush()
        graphs, total, subjects = statistics(store)
        if total == 0:
            raise DatasetError(f"{source} holds no triples")
        # Drop the writable handle so that worker processes may open it read-only.
        del store
        gc.collect()
    except SyntaxError as exc:
        raise DatasetError(f"{source} is not valid {fmt.name}: {exc}") from None
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot load {source}: {exc}") from None
    finally:
        hasher.join()
    if not digest:
        raise DatasetError(f"cannot read {source} to compute its SHA-256")
    return LoadedDataset(
        source=source,
        store_path=store_path,
        version=digest[0],
        last_modified=stat.st_mtime,
        load_seconds=time.perf_counter() - started,
        graphs=graphs,
        total_triples=total,
        distinct_subjects=subjects,
        loaded_at=time.time(),
    )
