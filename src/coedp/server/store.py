"""Load a built dataset into an on-disk pyoxigraph store that workers open read-only."""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coedp.dataset import DatasetError as BaseDatasetError
from coedp.dataset import file_sha256, locate

# File name suffix -> RDF syntax accepted by ``--data``.
FORMATS: dict[str, ox.RdfFormat] = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
}
# Files looked for, in this order, when ``--data`` names a folder.
FOLDER_FILES = ("coedp.nq", "coedp.trig")


class DatasetError(Exception):
    """The dataset cannot be served; the message says why, for a person."""


@dataclass
class GraphStats:
    """Counts describing one graph (``name`` None for the store's default graph)."""

    name: str | None
    triples: int
    subjects: int = 0


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

    @property
    def total_quads(self) -> int:
        """Quads in the store, every graph counted (what a worker copies into memory)."""
        return sum(g.triples for g in self.graphs)

    @property
    def graph_names(self) -> frozenset[str]:
        """IRIs of the named graphs."""
        return frozenset(g.name for g in self.graphs if g.name is not None)

    def cleanup(self) -> None:
        """Remove the on-disk store."""
        shutil.rmtree(self.store_path, ignore_errors=True)


def resolve_source(path: Path) -> Path:
    """Return the RDF file to load for ``--data PATH`` (a file or a folder)."""
    try:
        return locate(path, FORMATS, FOLDER_FILES)
    except BaseDatasetError as exc:
        raise DatasetError(str(exc)) from None


def load_dataset(path: Path, base_iri: str | None = None) -> LoadedDataset:
    """Bulk-load ``path`` into a fresh store in a temporary folder.

    Raises ``DatasetError`` with the parser's message and position when the
    file is not valid RDF; no store is left behind in that case.
    """
    source = resolve_source(Path(path))
    fmt = FORMATS[source.suffix.lower()]
    started = time.perf_counter()
    store_path = Path(tempfile.mkdtemp(prefix="coedp-store-"))
    try:
        store = ox.Store(str(store_path))
        store.bulk_load(path=str(source), format=fmt, base_iri=base_iri)
        store.flush()
        graphs, total, subjects = _statistics(store)
        if total == 0:
            raise DatasetError(f"{source} holds no triples")
        # Drop the writable handle so that worker processes may open it read-only.
        del store
        gc.collect()
    except SyntaxError as exc:
        shutil.rmtree(store_path, ignore_errors=True)
        raise DatasetError(f"{source} is not valid {fmt.name}: {exc}") from None
    except (OSError, ValueError) as exc:
        shutil.rmtree(store_path, ignore_errors=True)
        raise DatasetError(f"cannot load {source}: {exc}") from None
    except BaseException:
        shutil.rmtree(store_path, ignore_errors=True)
        raise
    return LoadedDataset(
        source=source,
        store_path=store_path,
        version=file_sha256(source),
        last_modified=source.stat().st_mtime,
        load_seconds=time.perf_counter() - started,
        graphs=graphs,
        total_triples=total,
        distinct_subjects=subjects,
    )


def _statistics(store: ox.Store) -> tuple[list[GraphStats], int, int]:
    """Triples and distinct subjects per graph, and for the union."""
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
    union = next(
        iter(
            store.query(
                "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
                "{ SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
                use_default_graph_as_union=True,
            )
        )
    )
    return graphs, int(union["n"].value), int(union["d"].value)
