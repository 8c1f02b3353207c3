"""Family names: checked by the shapes through `coedp validate --data FILE`, used to sort people."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "@prefix person: <https://coedp.org/id/person/> .\n"
    "@prefix orgs: <https://coedp.org/id/org/> .\n"
    "@prefix schema: <https://schema.org/> .\n"
)


def validate(tmp_path: Path, body: str) -> tuple[int, list[dict]]:
    """Validate a curator's new file together with graph/, as CI would."""
    extra = tmp_path / "edit.ttl"
    extra.write_text(HEADER + body, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "coedp.cli", "validate", "--data", str(extra), "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, [r for r in json.loads(proc.stdout) if r["severity"] == "Violation"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('person:mark-zuckerberg schema:familyName "Smith" .\n', "not part of the person"),
        ('person:jimmy-wales schema:familyName "Wales"@en .\n', "plain string"),
        ('orgs:microsoft schema:familyName "Microsoft" .\n', "coedp:Person"),
    ],
)
def test_a_wrong_family_name_is_a_violation(tmp_path, body, message):
    code, violations = validate(tmp_path, body)
    assert code == 1
    assert any(message in v["message"] for v in violations), violations


def test_the_family_names_of_graph_are_valid(tmp_path):
    code, violations = validate(tmp_path, "")
    assert code == 0 and violations == []
