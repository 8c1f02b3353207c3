"""The 10-second soak: 64 clients with the competency questions, a worker killed halfway."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ten_second_soak(built_dist: Path, tmp_path: Path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "soak.py"), "--data", str(built_dist),
         "--clients", "64", "--duration", "10", "--kill-worker", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    reports = sorted(tmp_path.glob("soak-*.json"))
    assert reports, done.stdout + done.stderr
    result = json.loads(reports[-1].read_text())
    assert result["requests"] > 0
    assert result["errors"] == 0, result["error_kinds"]
    assert result["server_errors"] == 0, result["statuses"]
    assert result["killed_worker"] and result["pool_whole"], result
    assert result["memory_growth"] < 0.10, result["memory_kb"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / reports[-1].name.replace(".json", ".md")).is_file()


def test_soak_under_attack_smoke(built_dist: Path, tmp_path: Path):
    """The acceptance soak, short: every attack refused, no SERVICE connection, no 5xx."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "soak.py"), "--data", str(built_dist),
         "--clients", "8", "--duration", "6", "--attackers", "2", "--workers", "4",
         "--max-p99-ratio", "1000", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    reports = sorted(tmp_path.glob("attack-soak-*.json"))
    assert reports, done.stdout + done.stderr
    result = json.loads(reports[-1].read_text())
    assert result["service_connections"] == 0
    assert not result["attack_failures"], result["attack_failures"]
    assert result["attacks"], "no attack was sent"
    for run in result["runs"].values():
        assert run["errors"] == 0 and run["server_errors"] == 0, run
    assert done.returncode == 0, done.stdout + done.stderr
