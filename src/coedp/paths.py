"""Where coedp finds its sources and writes its dataset."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """Return the folder holding ontology/, graph/, shapes/ and queries/.

    ``COEDP_HOME`` wins; otherwise the checkout this package was installed from
    (an editable install), otherwise the current folder.
    """
    env = os.environ.get("COEDP_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    if (here / "ontology").is_dir() and (here / "graph").is_dir():
        return here
    return Path.cwd()


def ontology_dir() -> Path:
    return project_root() / "ontology"


def graph_dir() -> Path:
    return project_root() / "graph"


def shapes_dir() -> Path:
    return project_root() / "shapes"


def queries_dir() -> Path:
    return project_root() / "queries"


def default_dist() -> Path:
    """The folder ``coedp build`` writes to and ``coedp serve`` reads from."""
    return Path(os.environ.get("COEDP_DIST", project_root() / "dist"))
