"""Fixtures shared by the whole suite: the real dataset, built once per session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Run `coedp build --json` on the real sources once; return the folder and the summary."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "coedp.cli", "build", "--out", str(out), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"coedp build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return out, json.loads(proc.stdout)


@pytest.fixture(scope="session")
def built_dist(real_build: tuple[Path, dict]) -> Path:
    """The folder the real dataset was built into (dist/ of a fresh build)."""
    return real_build[0]
