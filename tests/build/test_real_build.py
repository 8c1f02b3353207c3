"""Acceptance: the real project tree builds with zero Violations and four non-empty graphs."""

from __future__ import annotations

import json
from pathlib import Path

from coedp.namespaces import NAMED_GRAPHS


def test_real_project_builds(tmp_path: Path, coedp) -> None:
    out = tmp_path / "dist"
    proc = coedp("build", "--out", out, "--json", home=None)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    summary = json.loads(proc.stdout)
    assert summary["violations"] == 0
    for graph in NAMED_GRAPHS:
        assert summary["graphs"][str(graph)] > 0, graph
    assert (out / "coedp.nq").stat().st_size > 0
