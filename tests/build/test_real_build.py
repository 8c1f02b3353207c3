"""Acceptance: the real project tree builds with zero Violations and four non-empty graphs."""

from __future__ import annotations

from pathlib import Path

from coedp.namespaces import NAMED_GRAPHS


def test_real_project_builds(real_build: tuple[Path, dict]) -> None:
    out, summary = real_build
    assert summary["violations"] == 0
    for graph in NAMED_GRAPHS:
        assert summary["graphs"][str(graph)] > 0, graph
    assert (out / "coedp.nq").stat().st_size > 0
