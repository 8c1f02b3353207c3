"""Every test file on disk is collected: a file pytest skips is a check that never runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_test_file_is_collected():
    on_disk = {
        path.relative_to(TESTS.parent).as_posix()
        for path in TESTS.rglob("test_*.py")
        if "node_modules" not in path.parts
    }
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         str(TESTS)],
        cwd=TESTS.parent, capture_output=True, text=True, check=False, timeout=300,
    ).stdout
    collected = {line.split("::", 1)[0] for line in listing.splitlines() if "::" in line}
    missing = sorted(on_disk - collected)
    assert not missing, f"test files on disk that pytest does not collect: {missing}"
