"""Every command's --help teaches usage, examples, exit codes and environment."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("command", ["build", "validate", "query", "stats"])
def test_help(command: str, coedp) -> None:
    proc = coedp(command, "--help", home=None)
    assert proc.returncode == 0
    for section in ("examples:", "exit codes:", "environment:", "COEDP_HOME", f"coedp {command}"):
        assert section in proc.stdout, section
