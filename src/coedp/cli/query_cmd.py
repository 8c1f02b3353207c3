"""``coedp query``: run a SPARQL query over the built dataset."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.query import ResultRow

from coedp import console, dataset
from coedp.build.terms import shorten_iri
from coedp.namespaces import PREFIXES
from coedp.server import formats
from coedp.server.errors import explain
from coedp.server.guard import GuardError, LexInfo, lex_check

FORMATS = ("table", "csv", "tsv", "json")
ENGINES = ("oxigraph", "rdflib")

DESCRIPTION = """\
Run a SPARQL 1.1 query over the built dataset (dist/coedp.nq, built first if it
is missing). The default graph is the union of the named graphs (asserted,
inferred, ontology, metadata); GRAPH <...> reaches each one; FROM <graph> and
FROM NAMED <graph> choose the graphs, as at the endpoint (FROM
<https://coedp.org/graph/asserted> queries without inferences). The project
prefixes (coedp:, orgs:, body:, country:, activity:, skos:, dct:, org: ...) are
predeclared, as at the endpoint; a query's own PREFIX declarations win.

SELECT prints a table (IRIs shortened) or CSV/TSV/JSON per the W3C SPARQL
result formats; ASK prints true or false; CONSTRUCT and DESCRIBE print Turtle.
"""

EPILOG = """\
examples:
  coedp query queries/partners-june-2022.rq
  coedp query --query 'SELECT ?c (COUNT(*) AS ?n) { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)'
  coedp query --query 'ASK { orgs:thales ?p ?o }'
  coedp query queries/x.rq --format csv > x.csv
  echo 'SELECT ?p WHERE { ?p a coedp:DigitalPartner }' | coedp query -
  coedp query -e 'SELECT (COUNT(*) AS ?n) FROM <https://coedp.org/graph/asserted> {?s ?p ?o}'
  coedp query queries/x.rq --data dist/coedp.trig --engine rdflib

exit codes:
  0  the query ran
  1  the dataset could not be built (SHACL violations)
  2  usage error, unreadable query, malformed query (what is wrong, with its line
     and column, worded as the endpoint words it), FROM naming a graph the
     dataset lacks, unreadable dataset

environment:
  COEDP_HOME   project folder (default: the checkout)
  COEDP_DIST   folder of the built dataset (default: dist/ of the project)
  NO_COLOR     disable colours (they are used on a terminal only)
  COEDP_DEBUG  show the Python traceback of an unexpected failure
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``query`` sub-command."""
    parser = subparsers.add_parser(
        "query",
        help="run SPARQL over the built dataset",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE.rq",
                        help="file holding the query ('-': read it from standard input)")
    parser.add_argument("--query", "-e", metavar="TEXT", help="the query text itself")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output of a SELECT (default: table)")
    parser.add_argument("--data", type=Path, metavar="PATH",
                        help="dataset file (.nq, .trig, .ttl, .nt, .rdf, .jsonld) or a folder "
                             "holding coedp.nq (default: $COEDP_DIST/coedp.nq)")
    parser.add_argument("--engine", choices=ENGINES, default="oxigraph",
                        help="SPARQL engine (default: oxigraph; rdflib is a slower reference)")
    parser.set_defaults(func=run, parser=parser)


def _read_query(args: argparse.Namespace) -> tuple[str, str]:
    if bool(args.file) == bool(args.query):
        raise ValueError("give either a query file or --query TEXT (exactly one)")
    if args.query:
        return args.query, "--query"
    if str(args.file) == "-":
        try:
            return sys.stdin.read(), "<stdin>"
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"standard input: {exc}") from None
    try:
        return args.file.read_text(encoding="utf-8"), str(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ValueError(f"{args.file}: {reason}") from None


def _check(text: str, store: ox.Store) -> LexInfo:
    """The endpoint's lexical check (FROM graphs, form, strings), SERVICE allowed.

    Raises ``ValueError`` with the endpoint's wording.
    """
    names = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    size = len(text.encode("utf-8"))
    try:
        return lex_check(text, size, 1 << 30, names, None, PREFIXES, check_service=False)
    except GuardError as exc:
        if exc.status == 403:  # an update
            raise ValueError(
                "coedp query runs queries (SELECT, ASK, CONSTRUCT, DESCRIBE) only; to change "
                "the data, edit the Turtle files under graph/ and check them with "
                "'coedp validate'"
            ) from None
        raise ValueError(exc.message) from None


@console.guarded
def run(args: argparse.Namespace) -> int:
    """Run the query and print its results."""
    try:
        text, source = _read_query(args)
    except ValueError as exc:
        console.error(str(exc))
        return 2
    path = dataset.built_or_exit(args.data)
    try:
        if args.engine == "rdflib":
            return _run_rdflib(text, source, path, args.format)
        return _run_oxigraph(text, source, path, args.format)
    except dataset.DatasetError as exc:
        console.error(str(exc))
        return 2


def _run_oxigraph(text: str, source: str, path: Path, fmt: str) -> int:
    store = dataset.open_store(path)
    try:
        info = _check(text, store)
        # The union default graph, unless FROM / FROM NAMED choose the graphs (as the endpoint).
        results = store.query(text, prefixes=PREFIXES,
                              use_default_graph_as_union=not info.has_from)
    except ValueError as exc:
        console.error(f"{source}: {exc}")
        return 2
    except SyntaxError as exc:
        console.error(f"{source}: {explain(text, str(exc))}")
        return 2
    if isinstance(results, ox.QueryBoolean):
        _print_boolean(bool(results), fmt)
    elif isinstance(results, ox.QueryTriples):
        triples = list(results)
        turtle = io.BytesIO()
        ox.serialize(triples, turtle, format=ox.RdfFormat.TURTLE, prefixes=_used(triples))
        sys.stdout.write(turtle.getvalue().decode())
    else:
        variables = [v.value for v in results.variables]
        if fmt == "table":
            rows = [[_cell(sol[v]) for v in variables] for sol in results]
            _print_table(variables, rows)
        else:
            results.serialize(sys.stdout.buffer, format=formats.results_format(fmt))
            if fmt == "json":
                sys.stdout.buffer.write(b"\n")
            sys.stdout.flush()
    return 0


def _used(triples: list[ox.Triple]) -> dict[str, str]:
    """The project prefixes that the triples use (keeps the Turtle header short)."""
    iris = {t.value for triple in triples for t in (triple.subject, triple.predicate,
            triple.object) if isinstance(t, ox.NamedNode)}
    iris |= {triple.object.datatype.value for triple in triples
             if isinstance(triple.object, ox.Literal)}
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def _print_boolean(value: bool, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps({"head": {}, "boolean": value}))
    else:
        print("true" if value else "false")


def _cell(term: object) -> str:
    """A result term as people read it: prefixed IRI, plain literal value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)


def _print_table(variables: list[str], rows: list[list[str]]) -> None:
    out = console.out()
    out.print(console.table(None, variables, rows))
    out.print(f"[dim]{len(rows)} row(s)[/]")


def _malformed(text: str) -> bool:
    """Whether oxigraph (the endpoint's engine) refuses to parse ``text``."""
    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError:
        return True
    except Exception:  # noqa: BLE001 - it parsed; evaluation is not the question
        return False
    return False


def _run_rdflib(text: str, source: str, path: Path, fmt: str) -> int:
    ds = dataset.open_rdflib(path)
    try:
        result = ds.query(text, initNs=PREFIXES)
    except Exception as exc:  # noqa: BLE001 - rdflib raises assorted errors on bad queries
        # Worded as the endpoint words it; rdflib's own message if oxigraph parses the query.
        message = explain(text) if _malformed(text) else f"malformed query: {exc}"
        console.error(f"{source}: {message}")
        return 2
    if result.type == "ASK":
        _print_boolean(bool(result.askAnswer), fmt)
    elif result.type in ("CONSTRUCT", "DESCRIBE") and result.graph is not None:
        graph = result.graph
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True, replace=True)
        sys.stdout.write(graph.serialize(format="turtle"))
    elif fmt == "json":
        answer = io.BytesIO()
        result.serialize(answer, format="json")
        sys.stdout.write(answer.getvalue().decode("utf-8") + "\n")
    else:
        variables = [str(v) for v in result.vars or ()]
        rows = [row for row in result if isinstance(row, ResultRow)]
        _print_rdflib_rows(variables, rows, fmt)
    return 0


def _print_rdflib_rows(variables: list[str], rows: list[ResultRow], fmt: str) -> None:
    """rdflib's solutions as a table, CSV or TSV (as the W3C formats write them)."""
    if fmt == "table":
        _print_table(variables, [[_rdflib_cell(row[v]) for v in variables] for row in rows])
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if row[v] is None else str(row[v]) for v in variables])
        sys.stdout.write(buf.getvalue())
    else:
        # W3C TSV: variables with their '?', terms in Turtle/N-Triples syntax.
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if row[v] is None else row[v].n3() for v in variables)
                  for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")


def _rdflib_cell(term: object) -> str:
    """One rdflib term as the table shows it."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten_iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.language:
        return f"{term}@{term.language}"
    return str(term)
