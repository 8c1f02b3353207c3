"""The release: its version (pyproject.toml's, read from the installed package) and date.

* The version is ``[project] version`` in pyproject.toml. The installed package
  reads it from its metadata (``importlib.metadata``), which ``pip install``
  writes from pyproject.toml; a source tree used without installing reads
  pyproject.toml itself. After changing the version, reinstall
  (``pip install -e .``) so that the metadata follows.
* ``DATE`` is the one place the release date is written (ISO 8601), changed
  together with the version. CHANGELOG.md's newest release heading states both,
  ``## [VERSION] - DATE``; tests/test_release.py fails when they disagree.

Everything else says what this module says: ``coedp --version`` and
``coedp.__version__``, the ontology's ``owl:versionInfo`` and ``owl:versionIRI``
(written by the build, :func:`coedp.build.pipeline.stamp_release`; ontology/
does not state them), the dataset description (void.ttl: ``dct:issued``,
``dcat:version``), the pages, the citation block, the BibTeX entry and
CITATION.cff (a test compares CITATION.cff with this module).
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final

__all__ = ["DATE", "VERSION", "current_version"]

# The date version VERSION was released, ISO 8601. Change it with the version.
DATE: Final[str] = "2026-12-07"


def current_version() -> str:
    """The version of the installed coedp package (pyproject.toml's ``version``).

    A source tree that was never installed reads its pyproject.toml.
    """
    try:
        return version("coedp")
    except PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            with pyproject.open("rb") as fh:
                stated: str = tomllib.load(fh)["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"
        return stated


VERSION: Final[str] = current_version()
