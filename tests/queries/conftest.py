"""The real dataset, built once per session, loaded into pyoxigraph for the competency queries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]

# The CLI package has no __main__ module: run its entry point the way the console script does.
_RUN_CLI = "import sys; from coedp.cli import main; sys.exit(main())"


@pytest.fixture(scope="session")
def competency_store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """Build the project's real sources into a temporary folder and load coedp.nq."""
    out = tmp_path_factory.mktemp("competency-dist")
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_CLI, "build", "--out", str(out), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"coedp build failed ({proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
        )
    store = ox.Store()
    store.load(path=str(out / "coedp.nq"), format=ox.RdfFormat.N_QUADS)
    return store
