"""Build hook: the query page's editor is bundled from frontend/ into the package.

``build_py`` (run by ``pip install .``, ``pip install -e .`` and wheel builds) runs
``npm ci`` in frontend/ (the packages of frontend/package-lock.json, from the npm
registry) and ``node build.mjs`` (esbuild), which writes
src/coedp/web/static/editor/editor.js and editor.css; they ship as package data.
Without npm the package still builds, says so, and the query page serves its plain
form. ``COEDP_REQUIRE_EDITOR=1`` turns a missing npm or a failed bundle into an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
FRONTEND = ROOT / "frontend"
BUNDLE = ROOT / "src" / "coedp" / "web" / "static" / "editor"


def _say(message: str) -> None:
    print(f"coedp editor: {message}", file=sys.stderr, flush=True)


def _fail_or_warn(message: str) -> None:
    if os.environ.get("COEDP_REQUIRE_EDITOR") == "1":
        raise SystemExit(f"coedp editor: {message}")
    _say(message + "; the query page will serve its plain form (no editor)")


def build_editor() -> None:
    """Install frontend/'s npm packages when their lock changed, then bundle."""
    if not (FRONTEND / "package.json").is_file():
        return  # an sdist without the front end: nothing to build
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        _fail_or_warn("npm and node are needed to build the query editor and were not found")
        return
    installed = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    try:
        if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
            _say("npm ci (frontend/)")
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=FRONTEND, check=True,
            )
        _say("bundling into src/coedp/web/static/editor/")
        subprocess.run([node, "build.mjs", str(BUNDLE)], cwd=FRONTEND, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        _fail_or_warn(f"the editor bundle could not be built ({exc})")


class BuildWithEditor(build_py):  # type: ignore[misc]  # setuptools ships no types
    """``build_py`` that bundles the editor first, so the bundle is copied as package data."""

    def run(self) -> None:
        build_editor()
        super().run()


setup(cmdclass={"build_py": BuildWithEditor})
