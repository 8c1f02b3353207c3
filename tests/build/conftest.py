"""Shared helpers: run the real ``coedp`` console script on a copy of the fixture tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def coedp_executable() -> str:
    """The console script installed next to the running interpreter."""
    candidate = Path(sys.executable).parent / "coedp"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("coedp")
    if not found:
        pytest.fail("the coedp console script is not installed (pip install -e .)")
    return found


def run_coedp(
    *args: str | os.PathLike[str],
    home: Path | None,
    dist: Path | None = None,
    seed: str = "0",
    extra_env: dict[str, str] | None = None,
    binary: bool = False,
) -> subprocess.CompletedProcess:
    """Run ``coedp ARGS`` with COEDP_HOME=home (unset when None); capture output.

    Output is text with universal newlines, or bytes as written when ``binary``.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COEDP_", "FORCE_COLOR"))}
    env.update({"NO_COLOR": "1", "PYTHONHASHSEED": seed, "COLUMNS": "200"})
    if home is not None:
        env["COEDP_HOME"] = str(home)
    if dist is not None:
        env["COEDP_DIST"] = str(dist)
    env.update(extra_env or {})
    return subprocess.run(
        [coedp_executable(), *map(str, args)],
        capture_output=True,
        text=not binary,
        env=env,
        timeout=300,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A writable copy of the fixture project tree."""
    target = tmp_path / "project"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fixture tree built once for the session: (project tree, dist folder)."""
    base = tmp_path_factory.mktemp("built")
    home = base / "project"
    shutil.copytree(FIXTURES, home)
    dist = base / "dist"
    proc = run_coedp("build", "--out", dist, "--quiet", home=home)
    assert proc.returncode == 0, proc.stderr
    return home, dist


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def coedp() -> Runner:
    """``coedp(*args, home=..., dist=..., seed=...)``: run the console script."""
    return run_coedp
