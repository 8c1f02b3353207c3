"""``coedp validate``: exit codes, source locations and each report format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from coedp.namespaces import SH

ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=(?P<file>[^,:]+),line=(?P<line>\d+),title=(?P<title>[^:]+)::"
    r"(?P<message>.+)$"
)

NAMELESS = (
    "@prefix coedp: <https://coedp.org/def/> .\n"
    "@prefix partner: <https://coedp.org/id/org/> .\n"
    "@prefix dct: <http://purl.org/dc/terms/> .\n"
    "\n"
    "# no preferred label: a Violation\n"
    "partner:nameless a coedp:Company ;\n"
    "    coedp:joined \"2020-01-01\"^^<http://www.w3.org/2001/XMLSchema#date> ;\n"
    "    dct:source <https://coedp.org/id/source/factsheet> .\n"
)


@pytest.fixture
def invalid_file(tree: Path) -> Path:
    path = tree / "graph" / "partners" / "nameless.ttl"
    path.write_text(NAMELESS, encoding="utf-8")
    return path


def test_valid_data_with_a_warning_exits_0_and_names_file_and_line(tree: Path, coedp) -> None:
    proc = coedp("validate", home=tree)
    assert proc.returncode == 0, proc.stderr
    assert "orgs:meta" in proc.stdout
    assert "graph/partners/companies.ttl:24" in proc.stdout  # the line of `partner:meta a ...`
    assert "Warning" in proc.stdout
    assert "The date the organisation joined is not known." in proc.stdout
    assert "Validation summary" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour codes in a pipe


def test_violation_exits_1_in_every_format(tree: Path, invalid_file: Path, coedp) -> None:
    text = coedp("validate", home=tree)
    assert text.returncode == 1
    assert "graph/partners/nameless.ttl:6" in text.stdout
    assert "An organisation needs a preferred label." in text.stdout

    as_json = coedp("validate", "--format", "json", home=tree)
    assert as_json.returncode == 1
    results = json.loads(as_json.stdout)
    violation = next(r for r in results if r["severity"] == "Violation")
    assert violation == {
        "focus": "orgs:nameless",
        "path": "skos:prefLabel",
        "severity": "Violation",
        "message": "An organisation needs a preferred label.",
        "value": None,
        "file": "graph/partners/nameless.ttl",
        "line": 6,
        "constraint_component": "MinCountConstraintComponent",
        "shape": "coedp:OrganisationShape property skos:prefLabel",
    }

    github = coedp("validate", "--format", "github", home=tree)
    assert github.returncode == 1
    lines = github.stdout.splitlines()
    annotations = [ANNOTATION.match(line) for line in lines if line.startswith("::")]
    assert annotations and all(annotations)
    levels = {(m[1], m["file"], int(m["line"])) for m in annotations}
    assert ("error", "graph/partners/nameless.ttl", 6) in levels
    assert ("warning", "graph/partners/companies.ttl", 24) in levels
    assert lines[-1] == "1 violation(s), 1 warning(s), 0 info(s) in 3 file(s)"

    turtle = coedp("validate", "--format", "turtle", home=tree)
    assert turtle.returncode == 1
    report = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == 2
    assert (None, SH.resultSeverity, SH.Violation) in report


NEWCOMER = (
    "@prefix coedp: <https://coedp.org/def/> .\n"
    "@prefix partner: <https://coedp.org/id/org/> .\n"
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    "@prefix dct: <http://purl.org/dc/terms/> .\n"
    "\n"
    "# A partner in the partnership that graph/sources.ttl describes.\n"
    "partner:newcomer a coedp:Company ;\n"
    "    skos:prefLabel \"Newcomer\"@en ;\n"
    "    coedp:partnerIn <https://coedp.org/id/partnership> ;\n"
    "    dct:source <https://coedp.org/id/source/factsheet> .\n"
)


def test_a_given_file_is_checked_together_with_graph(tree: Path, coedp) -> None:
    # Outside graph/, the partnership it points at is known only through graph/.
    newcomer = tree / "newcomer.ttl"
    newcomer.write_text(NEWCOMER, encoding="utf-8")
    proc = coedp("validate", "--data", newcomer, "--format", "json", home=tree)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    mine = [r for r in json.loads(proc.stdout) if r["focus"].endswith("newcomer")]
    assert [r["severity"] for r in mine] == ["Warning"]  # no joining date: a warning only
    proc = coedp("validate", "--data", newcomer, "--alone", "--format", "json", home=tree)
    assert proc.returncode == 1
    results = json.loads(proc.stdout)
    violations = [r for r in results if r["severity"] == "Violation"]
    assert [(r["focus"], r["path"]) for r in violations] == [("orgs:newcomer", "coedp:partnerIn")]
    assert violations[0]["file"].endswith("newcomer.ttl") and violations[0]["line"] == 7


def test_alone_checks_only_the_given_files(tree: Path, invalid_file: Path, coedp) -> None:
    sources = tree / "graph" / "sources.ttl"
    proc = coedp("validate", "--data", sources, "--alone", "--format", "json", home=tree)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
    # Together with graph/, the invalid file beside it is reported.
    proc = coedp("validate", "--data", sources, "--format", "json", home=tree)
    assert proc.returncode == 1
    violations = [r for r in json.loads(proc.stdout) if r["severity"] == "Violation"]
    assert {r["file"] for r in violations} == {"graph/partners/nameless.ttl"}
    proc = coedp("validate", "--data", invalid_file, "--alone", home=tree)
    assert proc.returncode == 1
    proc = coedp("validate", "--alone", home=tree)
    assert proc.returncode == 2 and "--alone needs --data" in proc.stderr


def test_syntax_error_and_missing_path_exit_2(tree: Path, coedp) -> None:
    bad = tree / "graph" / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    proc = coedp("validate", home=tree)
    assert proc.returncode == 2
    assert proc.stderr.startswith("graph/bad.ttl:2: ")
    assert "Traceback" not in proc.stderr

    proc = coedp("validate", "--data", tree / "nowhere", home=tree)
    assert proc.returncode == 2
    assert "nowhere" in proc.stderr

    proc = coedp("validate", "--format", "yaml", home=tree)
    assert proc.returncode == 2


def test_colours_only_when_asked_and_never_with_no_color(tree: Path, coedp) -> None:
    forced = coedp("validate", home=tree, extra_env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[33mWarning" in forced.stdout  # severity coloured
    both = coedp("validate", home=tree, extra_env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[" not in both.stdout
