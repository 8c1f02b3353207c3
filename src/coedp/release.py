"""The release: its version (pyproject.toml's, read from the installed package) and date.

``DATE`` is the one place the release date is written; the dataset
description (void.ttl: ``dct:issued``, ``dcat:version``), the pages, the
citation block, the BibTeX entry and CITATION.cff all say what this module
says (a test compares CITATION.cff with it).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# The date version VERSION was released, ISO 8601. Change it with the version.
DATE = "2026-12-07"


def current_version() -> str:
    """The version of the installed coedp package (pyproject.toml's ``version``)."""
    try:
        return version("coedp")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


VERSION = current_version()
