"""The workflow and the pre-commit hooks run the validation on the right changes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WATCHED = ["graph/partners.ttl", "graph/coe/bodies.ttl", "ontology/coedp.ttl",
           "shapes/common.ttl"]
IGNORED = ["src/coedp/cli/__init__.py", "README.md", "queries/timeline.rq", "graph/README.md"]


def load(name: str) -> object:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_workflow_validates_pull_requests_touching_the_data():
    workflow = load(".github/workflows/validate.yml")
    triggers = workflow.get("on") or workflow.get(True)  # YAML 1.1 reads "on" as true
    paths = triggers["pull_request"]["paths"]
    assert set(paths) == {"graph/**", "ontology/**", "shapes/**"}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    commands = [shlex.split(step["run"]) for step in steps if "run" in step]
    assert ["coedp", "validate", "--format", "github"] in commands
    assert any(step.get("uses", "").startswith("actions/checkout") for step in steps)


def _local_hooks() -> list[dict]:
    return [h for repo in load(".pre-commit-config.yaml")["repos"] for h in repo["hooks"]]


def test_hooks_run_validate_on_data_changes_only():
    hooks = load(".pre-commit-hooks.yaml")
    local = [h for h in _local_hooks() if h["id"] == "coedp-validate"]
    assert len(local) == 1
    for hook in (*hooks, *local):
        assert hook["id"] == "coedp-validate"
        assert shlex.split(hook["entry"]) == ["coedp", "validate", "--format", "text"]
        assert hook["pass_filenames"] is False
        pattern = re.compile(hook["files"])
        assert all(pattern.search(path) for path in WATCHED), hook["files"]
        assert not any(pattern.search(path) for path in IGNORED), hook["files"]


def test_hooks_run_ruff_and_mypy_as_the_tests_do():
    hooks = {h["id"]: h for h in _local_hooks()}
    assert set(hooks) == {"ruff", "mypy", "coedp-validate"}
    ruff, mypy = hooks["ruff"], hooks["mypy"]
    assert shlex.split(ruff["entry"])[:2] == ["ruff", "check"]
    assert "python" in ruff["types_or"]
    # mypy checks the whole package as pyproject.toml configures it, whatever file changed.
    assert shlex.split(mypy["entry"]) == ["mypy"]
    assert mypy["pass_filenames"] is False
    pattern = re.compile(mypy["files"])
    assert pattern.search("src/coedp/server/app.py") and pattern.search("pyproject.toml")
    assert not pattern.search("README.md") and not pattern.search("graph/partners.ttl")
