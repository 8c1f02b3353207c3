"""The real dataset, loaded into pyoxigraph for the competency queries.

The build itself is the suite's shared session fixture ``built_dist`` (tests/conftest.py:
``python -m coedp.cli build --out TMP`` on the real sources), so it runs once per session.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest


@pytest.fixture(scope="session")
def competency_store(built_dist: Path) -> ox.Store:
    """The built coedp.nq in an in-memory store; queries use the union of its named graphs."""
    store = ox.Store()
    store.load(path=str(built_dist / "coedp.nq"), format=ox.RdfFormat.N_QUADS)
    return store
