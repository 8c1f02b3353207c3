"""The release of coedp: its version and its date, each stated once.

* The version is ``[project] version`` in pyproject.toml. The installed package
  reads it from its metadata (``importlib.metadata``), which ``pip install``
  writes from pyproject.toml; a source tree used without installing reads
  pyproject.toml itself. After changing the version, reinstall
  (``pip install -e .``) so that the metadata follows.
* The date is :data:`DATE` below, changed together with the version.
  CHANGELOG.md's newest release heading states both, ``## [VERSION] - DATE``;
  tests/test_release.py fails when they disagree.

Everything else derives from these two: ``coedp --version``, ``coedp.__version__``,
and the ontology's ``owl:versionInfo`` and ``owl:versionIRI``, which the build
writes (:func:`coedp.build.pipeline.stamp_release`); ontology/ does not state them.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final

__all__ = ["DATE", "VERSION", "read_version"]

DISTRIBUTION = "coedp"

# The date of the release VERSION names (ISO 8601 in CHANGELOG.md).
DATE: Final[dt.date] = dt.date(2026, 12, 7)


def read_version() -> str:
    """The version of the installed distribution, else the one pyproject.toml states."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        with pyproject.open("rb") as fh:
            stated: str = tomllib.load(fh)["project"]["version"]
        return stated


VERSION: Final[str] = read_version()
