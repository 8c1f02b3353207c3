"""A store kept across restarts (``--store-dir``): the folder's marker, lock and manifest.

See the docstring of :mod:`coedp.server.store` for the folder's layout and why
a crash never leaves a half-loaded store in force.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from coedp.dataset import file_sha256
from coedp.server.backends.base import GraphStats
from coedp.server.store.loading import DatasetError, LoadedDataset, Log, load_into

# manifest.json as read and written (JSON: its values are checked where they are read).
Manifest = dict[str, Any]

# Layout of a store folder (see the package docstring of coedp.server.store).
MARKER = ".coedp-store"
LOCK = ".lock"
MANIFEST = "manifest.json"
STORE_PREFIX = "store-"
LOADING_PREFIX = ".loading-"
# Bumped whenever the manifest or the way the store is loaded changes meaning:
# a store of another format version is reloaded, never trusted.
FORMAT_VERSION = 1
MARKER_TEXT = (
    "This folder holds a pyoxigraph store kept by 'coedp serve --store-dir'.\n"
    "coedp reloads it when the dataset changes; delete the folder to reclaim the space.\n"
)

def kept(source: Path, folder: Path, base_iri: str | None, log: Log) -> LoadedDataset:
    """Reuse or (re)load the store kept in ``folder``; see ``load_dataset``."""
    started = time.perf_counter()
    lock = _claim(folder)
    try:
        manifest, reason = _read_manifest(folder)
        dataset = None
        if manifest is not None:
            dataset, reason = _reusable(manifest, folder, source, base_iri)
        if dataset is not None:
            dataset.load_seconds = time.perf_counter() - started
        else:
            log(f"loading {source} into {folder} ({reason})")
            dataset = _reload(source, folder, base_iri)
        dataset.store_dir = folder
        dataset._lock = lock
        _remove_leftovers(folder, keep=dataset.store_path.name)
        return dataset
    except OSError as exc:
        os.close(lock)
        raise DatasetError(f"cannot use --store-dir {folder}: {exc}") from None
    except BaseException:
        os.close(lock)
        raise


def _claim(folder: Path) -> int:
    """Check that ``folder`` is new, empty or coedp's, mark it, and lock it for this process.

    Returns the locked file descriptor (closing it releases the lock).
    """
    if folder.exists() and not folder.is_dir():
        raise DatasetError(f"--store-dir {folder} is a file, not a folder")
    try:
        if folder.is_dir() and not (folder / MARKER).is_file() and any(folder.iterdir()):
            raise DatasetError(
                f"--store-dir {folder} is not empty and is not a coedp store (it has no "
                f"{MARKER} file); give a new or empty folder: coedp does not delete "
                "files it did not write"
            )
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / MARKER
        if not marker.is_file():
            marker.write_text(MARKER_TEXT, encoding="utf-8")
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatasetError(f"cannot use --store-dir {folder}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise DatasetError(
            f"--store-dir {folder} is in use by another coedp serve"
            f"{f' (process {holder})' if holder.isdigit() else ''}; stop it, "
            "or give another folder"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _read_manifest(folder: Path) -> tuple[Manifest | None, str]:
    """The manifest of ``folder``, or None and why it cannot be trusted."""
    path = folder / MANIFEST
    if not path.is_file():
        return None, "no store there yet"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, f"{MANIFEST} is unreadable"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        return None, f"{MANIFEST} is of another format version"
    if manifest.get("pyoxigraph") != ox.__version__:
        return None, (
            f"the store was written by pyoxigraph {manifest.get('pyoxigraph')}, "
            f"this is {ox.__version__}"
        )
    return manifest, ""


def _reusable(
    manifest: Manifest, folder: Path, source: Path, base_iri: str | None
) -> tuple[LoadedDataset | None, str]:
    """The kept store described by ``manifest`` if it holds ``source``, else None and why.

    The same path, size and ``mtime_ns`` count as the same file without reading
    it (hashing 1.5 GB takes seconds at every start); a file that moved or was
    touched is hashed, and reused if its SHA-256 is the recorded one.
    """
    try:
        recorded = manifest["source"]
        stats = manifest["statistics"]
        graphs = [GraphStats(g["name"], int(g["triples"]), int(g["subjects"]))
                  for g in stats["graphs"]]
        store_path = folder / str(manifest["store"])
        dataset = LoadedDataset(
            source=source,
            store_path=store_path,
            version=str(recorded["sha256"]),
            last_modified=0.0,
            load_seconds=float(manifest["load_seconds"]),
            graphs=graphs,
            total_triples=int(stats["triples"]),
            distinct_subjects=int(stats["subjects"]),
            reused=True,
            loaded_at=float(manifest["loaded_at"]),
        )
        same_base = manifest["base_iri"] == base_iri
        size, mtime_ns, path = int(recorded["size"]), int(recorded["mtime_ns"]), recorded["path"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None, f"{MANIFEST} is incomplete"
    if not same_base:
        return None, "the base IRI changed"
    if not store_path.name.startswith(STORE_PREFIX) or not store_path.is_dir():
        return None, "the store the manifest names is missing"
    stat = source.stat()
    dataset.last_modified = stat.st_mtime
    if stat.st_size != size:
        return None, "the source changed"
    if (str(source.resolve()), stat.st_mtime_ns) != (path, mtime_ns):
        if file_sha256(source) != dataset.version:
            return None, "the source changed"
        _write_manifest(folder, _manifest(dataset, base_iri, stat))  # skip hashing next time
    if not _opens(store_path):
        return None, "the store cannot be opened"
    return dataset, ""


def _opens(store_path: Path) -> bool:
    """Whether the store opens (read-only, as the workers will open it)."""
    try:
        store = ox.Store.read_only(str(store_path))
    except OSError:
        return False
    del store
    gc.collect()
    return True


def _reload(source: Path, folder: Path, base_iri: str | None) -> LoadedDataset:
    """Load ``source`` into a new store beside the old one, then make it the store."""
    loading = Path(tempfile.mkdtemp(prefix=LOADING_PREFIX, dir=folder))
    try:
        stat = source.stat()
        dataset = load_into(source, loading, base_iri)
        stamp = datetime.fromtimestamp(dataset.loaded_at, UTC).strftime("%Y%m%dT%H%M%S")
        final = folder / f"{STORE_PREFIX}{stamp}-{loading.name[len(LOADING_PREFIX):]}"
        loading.rename(final)
        dataset.store_path = final
        # The commit point: until the manifest names it, the new store is a leftover.
        _write_manifest(folder, _manifest(dataset, base_iri, stat))
        return dataset
    finally:
        shutil.rmtree(loading, ignore_errors=True)  # only if the load failed


def _manifest(dataset: LoadedDataset, base_iri: str | None, stat: os.stat_result) -> Manifest:
    """What the manifest records about ``dataset`` loaded from a file of ``stat``."""
    return {
        "format": FORMAT_VERSION,
        "store": dataset.store_path.name,
        "source": {
            "path": str(dataset.source.resolve()),
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": dataset.version,
        },
        "base_iri": base_iri,
        "pyoxigraph": ox.__version__,
        "loaded_at": dataset.loaded_at,
        "loaded": datetime.fromtimestamp(dataset.loaded_at, UTC).isoformat(timespec="seconds"),
        "load_seconds": round(dataset.load_seconds, 3),
        "statistics": {
            "quads": dataset.total_quads,
            "triples": dataset.total_triples,
            "subjects": dataset.distinct_subjects,
            "graphs": [{"name": g.name, "triples": g.triples, "subjects": g.subjects}
                       for g in dataset.graphs],
        },
    }


def _write_manifest(folder: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically: readers see the old one or the new one, whole."""
    tmp = folder / f".{MANIFEST}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(folder / MANIFEST)
    with contextlib.suppress(OSError):  # make the rename itself durable
        dirfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)


def _remove_leftovers(folder: Path, keep: str) -> None:
    """Remove stores and partial loads the manifest does not name (earlier or crashed runs)."""
    with contextlib.suppress(OSError):  # a leftover that stays only costs disk space
        for entry in folder.iterdir():
            name = entry.name
            if name != keep and name.startswith((STORE_PREFIX, LOADING_PREFIX)) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
        (folder / f".{MANIFEST}.tmp").unlink(missing_ok=True)
