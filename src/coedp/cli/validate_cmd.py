"""``coedp validate``: check the curated data against the SHACL shapes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from coedp import console, paths
from coedp.build.load import turtle_files

if TYPE_CHECKING:
    from coedp.build.load import Loaded
    from coedp.build.validate import Report, Result

# pyshacl and the writers are imported when a command runs, not when the
# 'coedp' parser is built: 'coedp serve' starts without them.

FORMATS = ("text", "turtle", "json", "github")

DESCRIPTION = """\
Validate curated data against the SHACL shapes, with the ontology merged in and
without inference (a fact a reasoner could derive does not satisfy a shape:
curators must write it).

Files given with --data are checked together with graph/ (so that what they
point at is known: a new partner's country, a body an activity names), and
every result is reported, wherever its focus node is described; --alone
checks the given files by themselves.

Each result names the file and line where its focus node is described.
Warnings are reported but do not fail the check; note that the SHACL report's
sh:conforms is false as soon as there is any result, warnings included.
"""

EPILOG = """\
formats:
  text     results grouped by focus node, then a summary table (default)
  json     a JSON list of results: focus, path, severity, message, value,
           file, line, constraint_component, shape
  github   GitHub Actions workflow annotations (::error file=F,line=L,...::msg)
           then a summary line
  turtle   the SHACL validation report graph

examples:
  coedp validate
  coedp validate --data new-partner.ttl          # the file beside graph/
  coedp validate --data new-partner.ttl --alone  # the file by itself
  coedp validate --data graph/partners/ --format github
  coedp validate --data graph/events.ttl --format json | jq '.[].message'

exit codes:
  0  no Violation (warnings may have been printed)
  1  at least one Violation (an ill-formed literal, such as "2020-13-45"^^xsd:date
     or an integer written "12a", is one, at the line that writes it)
  2  usage error, missing folder or a Turtle syntax error (FILE:LINE: message)

environment:
  COEDP_HOME   project folder holding ontology/, graph/, shapes/ (default: the checkout)
  NO_COLOR     disable colours (they are used on a terminal only)
  COEDP_DEBUG  show the Python traceback of an unexpected failure
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` sub-command."""
    parser = subparsers.add_parser(
        "validate",
        help="check graph/ (or given files) against shapes/",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="Turtle files or folders to check, together with graph/ of the project "
        "(default: graph/ alone)",
    )
    parser.add_argument(
        "--alone",
        action="store_true",
        help="check the --data files by themselves, without graph/",
    )
    parser.add_argument(
        "--shapes",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="shape files or folders (default: shapes/ of the project)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.set_defaults(func=run)


def _files(targets: Iterable[Path], what: str) -> list[Path]:
    files: list[Path] = []
    for target in targets:
        if not target.exists():
            raise FileNotFoundError(f"{target}: no such file or folder ({what})")
        found = turtle_files(target)
        if not found:
            raise FileNotFoundError(f"{target}: no Turtle files (*.ttl) there ({what})")
        files.extend(found)
    return files


def data_files_of(given: list[Path] | None, alone: bool, graph: Path) -> list[Path]:
    """The files to validate: graph/, the given files with graph/, or the given files alone.

    A given file that is already part of graph/ is read once.
    """
    if alone and not given:
        raise FileNotFoundError("--alone needs --data FILE: which files should be checked alone?")
    files = _files(given or [graph], "data")
    if given and not alone:
        seen = {f.resolve() for f in files}
        files += [f for f in _files([graph], "data") if f.resolve() not in seen]
    return files


@console.guarded
def run(args: argparse.Namespace) -> int:
    """Validate and print the report; the exit code says whether a Violation was found."""
    from coedp.build.load import TurtleSyntaxError, load_files
    from coedp.build.validate import ontology_view, validate

    root = paths.project_root()
    try:
        data_files = data_files_of(args.data, args.alone, root / "graph")
        shape_files = _files(args.shapes or [root / "shapes"], "shapes")
        ontology_files = turtle_files(root / "ontology")
    except FileNotFoundError as exc:
        console.error(str(exc))
        return 2
    try:
        ontology = load_files(ontology_files, root)
        data = load_files(data_files, root)
        shapes = load_files(shape_files, root)
    except TurtleSyntaxError as exc:
        print(str(exc), file=sys.stderr)
        return 2

    graph = data.graph + ontology_view(ontology.graph)
    with console.status("validating"):
        report = validate(
            graph, shapes.graph, lambda n: data.locate(n) or ontology.locate(n),
            data.ill_formed + ontology.ill_formed,
        )
    print_report(report, args.format, data)
    return 1 if report.violations else 0


def print_report(report: Report, fmt: str, data: Loaded | None = None) -> None:
    """Print ``report`` on stdout in format ``fmt`` (see FORMATS)."""
    if fmt == "json":
        json.dump([r.as_json() for r in report.results], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "turtle":
        from coedp.build import export

        sys.stdout.write(export.turtle(export.canonical_triples(report.graph)).decode("utf-8"))
    elif fmt == "github":
        for result in report.results:
            print(github_annotation(result))
        print(summary_line(report, data))
    else:
        print_text(report, data)


def summary_line(report: Report, data: Loaded | None) -> str:
    """``N violation(s), N warning(s), N info(s) in N file(s)``."""
    files = f" in {len(data.files)} file(s)" if data is not None else ""
    return (
        f"{report.violations} violation(s), {report.warnings} warning(s), "
        f"{report.count('Info')} info(s){files}"
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(result: Result) -> str:
    """One GitHub Actions workflow command for a result (error/warning/notice)."""
    level = {"Violation": "error", "Warning": "warning"}.get(result.severity, "notice")
    props = []
    if result.location:
        props.append(f"file={_escape_property(result.location.path)}")
        if result.location.line:
            props.append(f"line={result.location.line}")
    props.append("title=" + _escape_property(f"SHACL {result.severity} ({result.component})"))
    where = f"{result.focus} {result.path}".strip()
    return f"::{level} {','.join(props)}::{_escape_data(f'{where}: {result.message}')}"


def print_text(report: Report, data: Loaded | None = None) -> None:
    """Results grouped by focus node, then a summary table."""
    out = console.out()
    groups: dict[tuple[str, str], list[Result]] = {}
    for result in report.results:
        where = str(result.location) if result.location else "(not found in the sources)"
        groups.setdefault((where, result.focus), []).append(result)
    for (where, focus), results in groups.items():
        out.print(f"[bold]{console.escape(focus)}[/]  [dim]{console.escape(where)}[/]")
        for r in results:
            path = f" {r.path}" if r.path else ""
            value = f" (value {r.value})" if r.value else ""
            out.print(
                f"  {console.severity_text(r.severity)}{console.escape(path)}: "
                f"{console.escape(r.message)}{console.escape(value)} "
                f"[dim]\\[{console.escape(r.component)}; {console.escape(r.shape)}][/]"
            )
        out.print()
    rows = [(sev, report.count(sev)) for sev in ("Violation", "Warning", "Info")]
    rows.append(("focus nodes", len(groups)))
    if data is not None:
        rows.append(("files checked", len(data.files)))
    out.print(console.table("Validation summary", ("", "count"), rows, numeric=("count",)))
    verdict = (
        "[bold red]invalid[/]: fix the violations above" if report.violations
        else "[bold green]valid[/]" + (" (with warnings)" if report.warnings else "")
    )
    out.print(verdict)
