"""``coedp build``: parse, validate, reason and write the dataset files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coedp import console, paths
from coedp.build.reason import REASONERS, ReasonerUnavailable
from coedp.cli.validate_cmd import print_text

if TYPE_CHECKING:
    from coedp.build.pipeline import BuildError, BuildResult

DESCRIPTION = """\
Build the dataset from the project's sources:

  1. parse ontology/*.ttl, graph/**/*.ttl and shapes/*.ttl
  2. validate the curated data (with the ontology) against the shapes, without
     inference; any sh:Violation stops the build and nothing is written
  3. compute the OWL 2 RL closure and keep the new, meaningful triples as the
     inferred graph (on two cores or more this runs in a child process while
     step 2 runs, and is dropped if step 2 finds a Violation)
  4. describe the dataset (VoID/DCAT: counts, partitions, downloads)
  5. write coedp.trig, coedp.nq, coedp.jsonld (named graphs), coedp.ttl,
     coedp.nt, coedp.rdf (their union), shapes.ttl, void.ttl and SHA256SUMS

The output is byte-identical from run to run for the same sources.
"""

EPILOG = """\
examples:
  coedp build
  coedp build --out /srv/coedp/dist --quiet
  coedp build --json | jq .graphs

exit codes:
  0  dataset written
  1  the data has at least one SHACL Violation (report printed, nothing written)
  2  bad input: a Turtle syntax error (printed as FILE:LINE: message), a
     missing source folder, an unavailable reasoner

environment:
  COEDP_HOME   project folder holding ontology/, graph/, shapes/ (default: the checkout)
  COEDP_DIST   output folder when --out is not given (default: dist/ of the project)
  NO_COLOR     disable colours (they are used on a terminal only)
  COEDP_DEBUG  show the Python traceback of an unexpected failure
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``build`` sub-command."""
    parser = subparsers.add_parser(
        "build",
        help="parse, validate, reason and write dist/",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: $COEDP_DIST or dist/)")
    parser.add_argument("--reasoner", choices=REASONERS, default="owlrl",
                        help="OWL 2 RL reasoner (default: owlrl; reasonable is an optional extra)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quiet", "-q", action="store_true",
                       help="print nothing but errors")
    group.add_argument("--json", action="store_true",
                       help="print a JSON summary on stdout instead of tables")
    parser.set_defaults(func=run)


@console.guarded
def run(args: argparse.Namespace) -> int:
    """Run the build and report; see EPILOG for exit codes."""
    from coedp.build.load import TurtleSyntaxError
    from coedp.build.pipeline import BuildError, build

    out = args.out or paths.default_dist()
    root = paths.project_root()
    status = None
    if console.is_tty() and not args.quiet and not args.json:
        status = console.err().status("building")
        status.start()

    def progress(step: str) -> None:
        if status is not None:
            status.update(console.escape(step))

    try:
        result = build(root, out, reasoner=args.reasoner, progress=progress)
    except TurtleSyntaxError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ReasonerUnavailable as exc:
        console.error(str(exc))
        return 2
    except BuildError as exc:
        if exc.report is not None:
            if args.json:
                _json_failure(exc)
            else:
                # The report is the useful part of a failed build: it goes to stdout.
                print_text(exc.report)
        console.error(str(exc))
        return exc.exit_code
    finally:
        if status is not None:
            status.stop()

    if args.json:
        json.dump(summary(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif not args.quiet:
        print_summary(result)
    return 0


def summary(result: BuildResult) -> dict[str, object]:
    """The build outcome as JSON-ready data."""
    report = result.report
    return {
        "ok": True,
        "out": str(result.out),
        "seconds": round(result.seconds, 3),
        "violations": report.violations if report else 0,
        "warnings": report.warnings if report else 0,
        "steps": [
            {"name": s.name, "seconds": round(s.seconds, 3), "triples": s.triples,
             "detail": s.detail}
            for s in result.steps
        ],
        "graphs": result.graphs,
        "files": result.files,
    }


def _json_failure(exc: BuildError) -> None:
    assert exc.report is not None
    json.dump(
        {
            "ok": False,
            "error": str(exc),
            "violations": exc.report.violations,
            "warnings": exc.report.warnings,
            "results": [r.as_json() for r in exc.report.results],
        },
        sys.stdout,
        ensure_ascii=False,
        indent=2,
    )
    sys.stdout.write("\n")


def print_summary(result: BuildResult) -> None:
    """Tables of the steps, named graphs and files written."""
    out = console.out()
    steps = [
        (s.name, f"{s.seconds:.2f}", "" if s.triples is None else s.triples, s.detail)
        for s in result.steps
    ]
    steps.append(("total", f"{result.seconds:.2f}", "", ""))
    out.print(console.table("Build steps", ("step", "seconds", "triples", "detail"), steps,
                            numeric=("seconds", "triples")))
    graphs = [(name, count) for name, count in result.graphs.items()]
    out.print(console.table("Named graphs", ("graph", "triples"), graphs, numeric=("triples",)))
    files = [(name, size) for name, size in result.files.items()]
    out.print(console.table(f"Files in {result.out}", ("file", "bytes"), files,
                            numeric=("bytes",)))
    if result.report and result.report.warnings:
        console.warn(f"{result.report.warnings} SHACL warning(s); see 'coedp validate'")
