"""Open the built dataset (dist/coedp.nq) for the commands that read it.

``query`` and ``stats`` read the N-Quads dump, building it first when it is
missing. Any other RDF file can be given instead: quads keep their graphs,
triples land in the default graph (which queries see, as they see the union).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from rdflib import Dataset

from coedp import paths
from coedp.server import formats

DATASET_FILE = "coedp.nq"



class DatasetError(Exception):
    """The dataset cannot be opened (missing, unreadable or not RDF)."""


def extensions(among: Collection[formats.Format]) -> list[str]:
    """The file extensions of the syntaxes ``among``, sorted (for messages and checks)."""
    return sorted({ext for f in among for ext in (f.extension, *f.extensions)})


def locate(path: Path, known: Collection[str], folder_files: Sequence[str]) -> Path:
    """The dataset file ``path`` names: the file itself, or the first of
    ``folder_files`` in the folder; its extension must be one of ``known``.

    Raises ``DatasetError`` saying what is missing and what to do.
    """
    if path.is_dir():
        for name in folder_files:
            if (path / name).is_file():
                return path / name
        raise DatasetError(
            f"{path} is a folder without {' or '.join(folder_files)}; "
            "run 'coedp build' first, or pass the dataset file itself"
        )
    if not path.exists():
        # A path given by hand: most often mistyped, so no advice to build.
        raise DatasetError(f"{path} does not exist; check the path (a dataset file or a "
                           "folder holding one)")
    if path.suffix.lower() not in known:
        raise DatasetError(
            f"{path}: unknown format; expected one of {', '.join(sorted(known))}"
        )
    return path


def resolve(data: Path | None = None) -> Path:
    """The file to read: ``data`` (a file, or a folder holding coedp.nq), else dist/coedp.nq."""
    if data is None:
        return paths.default_dist() / DATASET_FILE
    if data.is_dir():
        return data / DATASET_FILE
    return data


def ensure_built(data: Path | None = None, quiet: bool = False) -> Path:
    """Return the dataset file, running ``coedp build`` first when the default one is missing."""
    target = resolve(data)
    if target.is_file():
        return target
    if data is not None:
        raise DatasetError(f"{target}: no such file")
    from coedp.build.pipeline import build

    if not quiet:
        print(f"coedp: {target} is missing; building it first", file=sys.stderr)
    build(paths.project_root(), target.parent)
    return target


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, in hexadecimal (the form of SHA256SUMS)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def built_or_exit(data: Path | None = None, quiet: bool = False) -> Path:
    """``ensure_built`` for a command: on failure, say why and exit with its code."""
    from coedp import console
    from coedp.build.load import TurtleSyntaxError
    from coedp.build.pipeline import BuildError

    try:
        return ensure_built(data, quiet=quiet)
    except DatasetError as exc:
        console.error(str(exc))
        raise SystemExit(2) from None
    except TurtleSyntaxError as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from None
    except BuildError as exc:
        console.error(f"cannot build the dataset: {exc}; run 'coedp validate'")
        raise SystemExit(exc.exit_code) from None


def file_format(path: Path) -> formats.Format:
    """The RDF syntax of a dataset file, from its extension."""
    found = formats.from_extension(path.suffix, formats.RDF, formats.FILE_FORMATS)
    if found is None:
        known = ", ".join(extensions(formats.FILE_FORMATS))
        raise DatasetError(f"{path}: unknown RDF file extension (known: {known})")
    return found


def rdf_format(path: Path) -> ox.RdfFormat:
    """pyoxigraph's syntax for a dataset file, from its extension."""
    fmt = file_format(path).rdf
    assert fmt is not None  # every file format is an RDF one
    return fmt


def open_store(path: Path) -> ox.Store:
    """An in-memory pyoxigraph store holding the dataset file ``path``."""
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=rdf_format(path))
    except SyntaxError as exc:
        raise DatasetError(f"{path}: {exc}") from None
    except OSError as exc:
        raise DatasetError(f"{path}: {exc.strerror or exc}") from None
    return store


def open_rdflib(path: Path) -> Dataset:
    """The dataset file as an rdflib Dataset whose default graph is the union of all graphs."""
    from rdflib import Dataset

    fmt = file_format(path).rdflib
    dataset = Dataset(default_union=True)
    try:
        dataset.parse(str(path), format=fmt)
    except OSError as exc:
        raise DatasetError(f"{path}: {exc.strerror or exc}") from None
    except Exception as exc:  # rdflib parsers raise many types
        raise DatasetError(f"{path}: {exc}") from None
    return dataset
