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
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from coedp.dataset import DatasetError as BaseDatasetError
from coedp.dataset import extensions, file_sha256, locate
from coedp.server import formats
from coedp.server.backends.base import DatasetInfo, GraphStats

# Files looked for, in this order, when ``--data`` names a folder.
FOLDER_FILES = ("coedp.nq", "coedp.trig")

# Layout of a store folder (see the module docstring).
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
            return _load(source, store_path, base_iri)
        except BaseException:
            shutil.rmtree(store_path, ignore_errors=True)
            raise
    return _kept(source, Path(store_dir), base_iri, log or (lambda line: None))


def _load(source: Path, store_path: Path, base_iri: str | None) -> LoadedDataset:
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


# -- a store kept across restarts (--store-dir) ------------------------------------
def _kept(source: Path, folder: Path, base_iri: str | None, log: Log) -> LoadedDataset:
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


def _read_manifest(folder: Path) -> tuple[dict | None, str]:
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
    manifest: dict, folder: Path, source: Path, base_iri: str | None
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
        dataset = _load(source, loading, base_iri)
        stamp = datetime.fromtimestamp(dataset.loaded_at, UTC).strftime("%Y%m%dT%H%M%S")
        final = folder / f"{STORE_PREFIX}{stamp}-{loading.name[len(LOADING_PREFIX):]}"
        loading.rename(final)
        dataset.store_path = final
        # The commit point: until the manifest names it, the new store is a leftover.
        _write_manifest(folder, _manifest(dataset, base_iri, stat))
        return dataset
    finally:
        shutil.rmtree(loading, ignore_errors=True)  # only if the load failed


def _manifest(dataset: LoadedDataset, base_iri: str | None, stat: os.stat_result) -> dict:
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


def _write_manifest(folder: Path, manifest: dict) -> None:
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


# -- statistics ------------------------------------------------------------------------
def statistics(store: ox.Store) -> tuple[list[GraphStats], int, int]:
    """Triples and distinct subjects per graph, and for the union (the default graph)."""
    graphs: list[GraphStats] = []
    default = store.query(
        "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) { ?s ?p ?o }"
    )
    row = next(iter(default))
    if int(row["n"].value):
        graphs.append(GraphStats(None, int(row["n"].value), int(row["d"].value)))
    for solution in store.query(
        "SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
        "{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    ):
        graphs.append(
            GraphStats(solution["g"].value, int(solution["n"].value), int(solution["d"].value))
        )
    subjects = next(iter(store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?d) { ?s ?p ?o }", use_default_graph_as_union=True
    )))
    return graphs, _union_triples(store, graphs), int(subjects["d"].value)


def _union_triples(store: ox.Store, graphs: list[GraphStats]) -> int:
    """Distinct triples over all graphs: a triple in two graphs counts once.

    Either a hash of every triple (SELECT DISTINCT), or, when the graphs other
    than the largest are small, a lookup of each of their triples in the graphs
    counted before it: measured on disk, a lookup costs about three times a
    hashed triple, but the hash holds every triple in memory at once.
    """
    total = sum(g.triples for g in graphs)
    ordered = sorted(graphs, key=lambda g: -g.triples)
    if len(ordered) < 2:
        return total
    if 4 * (total - ordered[0].triples) > total:
        row = next(iter(store.query(
            "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        )))
        return int(row["n"].value)
    duplicates = 0
    for k, graph in enumerate(ordered[1:], start=1):
        earlier = [_graph_pattern(g.name) for g in ordered[:k]]
        row = next(iter(store.query(
            f"SELECT (COUNT(*) AS ?n) {{ {_graph_pattern(graph.name)} "
            f"FILTER EXISTS {{ {' UNION '.join(earlier)} }} }}"
        )))
        duplicates += int(row["n"].value)
    return total - duplicates


def _graph_pattern(name: str | None) -> str:
    """``{ ?s ?p ?o }`` in graph ``name`` (None: the default graph, the union not being on)."""
    if name is None:
        return "{ ?s ?p ?o }"
    return f"{{ GRAPH {ox.NamedNode(name)} {{ ?s ?p ?o }} }}"
