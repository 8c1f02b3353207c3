"""Ill-formed literals are Violations that name the node, the file and the line, never a crash.

The mutation test breaks, in one copy of graph/, the lexical form of one value of
every date- and number-valued predicate the data uses, runs ``coedp validate --data COPY``
in-process once (a validation of the whole graph is the costly part), and each case
finds its own Violation at its own file and line in that one report.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Literal, Namespace, URIRef

from coedp.build.load import literal_line, parse_file
from coedp.build.terms import qname
from coedp.cli import main
from tests.semantics.conftest import ROOT

GRAPH = ROOT / "graph"
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DATES = {XSD.date, XSD.gYear, XSD.gYearMonth, XSD.dateTime}
NUMBERS = {XSD.integer, XSD.decimal, XSD.double, XSD.nonNegativeInteger, XSD.positiveInteger}


@dataclass(frozen=True)
class Mutation:
    """One value to break: where it is written and what it becomes."""

    file: Path
    line: int
    subject: URIRef
    predicate: URIRef
    literal: Literal

    @property
    def broken(self) -> str:
        """The literal with a lexical form its datatype does not allow, as Turtle."""
        text = str(self.literal)
        if self.literal.datatype in DATES:
            # A typo in the month: 2019-11-18 becomes 2019-13-18, 2020 becomes 2O20.
            broken = re.sub(r"^(\d{4})-\d\d", r"\1-13", text) if "-" in text else "2O" + text[2:]
        else:
            broken = text + "O"  # a letter O for a zero
        return f'"{broken}"^^<{self.literal.datatype}>'


def _token(literal: Literal) -> re.Pattern[str]:
    lexical = re.escape(str(literal))
    return re.compile(r'"' + lexical + r'"\^\^\S+|(?<![\w"\'.:/-])' + lexical + r"(?![\w\"'.:/-])")


def mutations() -> list[Mutation]:
    """One value per date- or number-valued predicate of graph/ (the first, in a stable order)."""
    chosen: dict[URIRef, Mutation] = {}
    for path in sorted(GRAPH.rglob("*.ttl")):
        loaded = parse_file(path, ROOT)
        lines = path.read_text(encoding="utf-8").splitlines()
        for s, p, o in sorted(loaded.graph):
            if p in chosen or not isinstance(o, Literal) or o.datatype not in DATES | NUMBERS:
                continue
            where = loaded.locate(s)
            line = literal_line(lines, o, where.line if where else None)
            if line is None:
                continue
            text = lines[line - 1]
            local = re.split(r"[/#]", str(p))[-1]
            if local in text and _token(o).search(text.split(local, 1)[1]):
                chosen[p] = Mutation(path, line, s, p, o)
    return sorted(chosen.values(), key=lambda m: str(m.predicate))


MUTATIONS = mutations()


def _validate(data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = main(["validate", "--data", str(data), "--format", "json"])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip().startswith("[") else [])


@pytest.fixture
def graph_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of graph/ to break; the ontology and shapes stay the project's."""
    monkeypatch.setenv("COEDP_HOME", str(ROOT))
    copy = tmp_path / "graph"
    shutil.copytree(GRAPH, copy)
    return copy


def _break(copy: Path, mutation: Mutation) -> Path:
    target = copy / mutation.file.relative_to(GRAPH)
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    text = lines[mutation.line - 1]
    local = re.split(r"[/#]", str(mutation.predicate))[-1]
    head, tail = text.split(local, 1)
    lines[mutation.line - 1] = head + local + _token(mutation.literal).sub(
        lambda _: mutation.broken, tail, count=1
    )
    target.write_text("".join(lines), encoding="utf-8")
    return target


def test_every_date_and_number_predicate_is_sampled():
    predicates = {qname(m.predicate) for m in MUTATIONS}
    assert {"coedp:startDate", "coedp:endDate", "coedp:sourceLine", "time:inXSDDate"} <= predicates


@dataclass(frozen=True)
class Broken:
    """One copy of graph/ with every mutation applied, validated once."""

    copy: Path
    targets: dict[Mutation, Path]  # the file each mutation was written into
    code: int
    results: list[dict]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Broken:
    """Every mutation in one copy of graph/ and its validation (``coedp validate`` in this
    process, with the project's ontology and shapes). Each mutation edits one value on its
    own line in place, so the lines of the others stay where they were."""
    copy = tmp_path_factory.mktemp("ill-formed") / "graph"
    shutil.copytree(GRAPH, copy)
    targets = {mutation: _break(copy, mutation) for mutation in MUTATIONS}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COEDP_HOME", str(ROOT))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["validate", "--data", str(copy), "--format", "json"])
    text = out.getvalue()
    return Broken(copy, targets, code, json.loads(text) if text.strip().startswith("[") else [])


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[qname(m.predicate) for m in MUTATIONS])
def test_a_broken_value_is_a_violation_naming_node_file_and_line(
    mutation: Mutation, broken: Broken
):
    target, code, results = broken.targets[mutation], broken.code, broken.results
    assert code == 1, f"{mutation.broken} on {qname(mutation.subject)}: exit {code}, not 1"
    named = [
        r for r in results
        if r["severity"] == "Violation" and r["focus"] == qname(mutation.subject)
        and r["file"] == str(target) and r["line"] == mutation.line
        and r["path"] == qname(mutation.predicate)
    ]
    assert named, (
        f"no Violation names {qname(mutation.subject)} at {target}:{mutation.line}: {results[:3]}"
    )


def test_the_reported_ill_formed_date_of_the_alliance_meeting(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
):
    """"2020-13-45"^^xsd:date as a start date: once a TypeError (exit 3), now a Violation."""
    target = graph_copy / "alliance-2019.ttl"
    text = target.read_text(encoding="utf-8")
    block = text.index("event:paris-peace-forum-2018 a")
    start = text.index("coedp:startDate", block)
    end = text.index("^^xsd:date", start)
    target.write_text(text[:start] + 'coedp:startDate "2020-13-45"' + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    code, results = _validate(graph_copy, capsys)
    assert code == 1
    assert any(
        r["focus"] == "event:paris-peace-forum-2018" and r["file"] == str(target)
        and r["line"] == line and "2020-13-45" in r["message"]
        for r in results
    ), results[:3]


def test_an_ill_formed_language_tag_is_a_violation(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
):
    """A tag Turtle's grammar lets through but BCP 47 does not (a 15-letter language)."""
    target = graph_copy / "organisations" / "partners.ttl"
    text = target.read_text(encoding="utf-8")
    start = text.index("coedp:profile", text.index("orgs:apple a"))
    tag = text.index('"@fr', start)
    target.write_text(text[: tag + 2] + "francaisdefrance" + text[tag + 4:], encoding="utf-8")
    code, results = _validate(graph_copy, capsys)
    assert code == 1
    assert any(
        r["focus"] == "orgs:apple" and r["file"] == str(target) and r["path"] == "coedp:profile"
        and "language tag" in r["message"]
        for r in results
    ), results[:3]


def test_a_language_tag_turtle_refuses_is_a_syntax_error_at_its_line(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
):
    """"..."@e1 breaks Turtle's grammar: exit 2 with FILE:LINE, as for any syntax error."""
    target = graph_copy / "organisations" / "partners.ttl"
    text = target.read_text(encoding="utf-8")
    start = text.index("coedp:profile", text.index("orgs:apple a"))
    tag = text.index('"@fr', start)
    target.write_text(text[: tag + 2] + "e1" + text[tag + 4:], encoding="utf-8")
    line = text[:tag].count("\n") + 1
    capsys.readouterr()
    code = main(["validate", "--data", str(graph_copy)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{target}:{line}:" in err, err
