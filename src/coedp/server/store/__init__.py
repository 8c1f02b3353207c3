"""Load a built dataset into an on-disk pyoxigraph store that workers open read-only.

Without a store folder the store lives in a temporary folder, removed at exit.
With one (``--store-dir``), the store is kept there across restarts::

    DIR/.coedp-store      marks the folder as coedp's (other folders are refused)
    DIR/.lock             held (flock) by the coedp serve using the folder
    DIR/manifest.json     which source the store was loaded from, and its statistics
    DIR/store-<stamp>/    the RocksDB store the manifest names

A new load goes into ``DIR/.loading-*``, is renamed ``store-<stamp>`` once
complete, and becomes the store only when the manifest naming it has been
written (atomically, by rename). A crash at any point leaves the previous
manifest and store in force; the leftovers are removed at the next start.

Modules: ``loading`` (the bulk load, :class:`LoadedDataset`), ``kept`` (the
store folder: marker, lock, manifest), ``statistics`` (the counts).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from coedp.server.backends.base import GraphStats
from coedp.server.store.kept import kept
from coedp.server.store.loading import (
    FOLDER_FILES,
    DatasetError,
    LoadedDataset,
    Log,
    load_into,
    resolve_source,
    source_format,
)
from coedp.server.store.statistics import statistics

__all__ = [
    "FOLDER_FILES", "DatasetError", "GraphStats", "LoadedDataset", "Log", "load_dataset",
    "resolve_source", "source_format", "statistics",
]


def load_dataset(
    path: Path, base_iri: str | None = None, store_dir: Path | None = None,
    log: Log | None = None,
) -> LoadedDataset:
    """Bulk-load ``path`` into a fresh store, or reuse the one kept in ``store_dir``.

    Without ``store_dir`` the store goes into a temporary folder that
    ``cleanup()`` removes. With it, a store loaded earlier from the same source
    (same path, size and modification time, or failing that the same SHA-256)
    is reused as it is, statistics included; otherwise the source is loaded
    into a new store in the folder, which replaces the old one only once
    complete. ``log`` receives one line saying which happened, before a load.

    Raises ``DatasetError`` with the parser's message and position when the
    file is not valid RDF (no store is left behind, a kept one is left as it
    was), when ``store_dir`` is a folder of other files, or when another
    ``coedp serve`` is using it.
    """
    source = resolve_source(Path(path))
    if store_dir is None:
        store_path = Path(tempfile.mkdtemp(prefix="coedp-store-"))
        try:
            return load_into(source, store_path, base_iri)
        except BaseException:
            shutil.rmtree(store_path, ignore_errors=True)
            raise
    return kept(source, Path(store_dir), base_iri, log or (lambda line: None))
