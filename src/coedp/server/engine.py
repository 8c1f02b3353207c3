"""What a worker process does with one task: guard, run, serialise to bytes.

Results are serialised by pyoxigraph straight to bytes. The row cap is
enforced while serialising: rows are counted as lines of the line-based
syntaxes (TSV for solutions, N-Triples for triples, where a line break inside
a term is always escaped), and serialisation stops as soon as the cap is
passed. The requested syntax is then produced from those bytes, still inside
pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from coedp.namespaces import iris_of, prefixes_for
from coedp.server.guard import GuardError, dataset_check, parse_check

RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class QueryTask:
    """A SPARQL query to run; ``default_graphs``/``named_graphs`` from the protocol."""

    query: str
    results_format: str  # key of RESULTS_FORMATS, for SELECT and ASK
    rdf_format: str  # key of RDF_FORMATS, for CONSTRUCT and DESCRIBE
    max_rows: int
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    # The guard's lexer runs first when the query may have FROM (it tells whether FROM
    # chooses the dataset); rdflib parses only to explain a syntax error.
    parse_first: bool = True


@dataclass(frozen=True)
class GraphTask:
    """A Graph Store read: ``graph`` None for the default (union) graph."""

    graph: str | None
    rdf_format: str


@dataclass(frozen=True)
class Outcome:
    """A task's answer: ``status`` 200 with ``body``, or an error status with ``message``."""

    status: int
    body: bytes = b""
    message: str = ""
    format_name: str = ""


class RowCapExceeded(Exception):
    """Raised from inside serialisation once the result passes the cap."""


class _CappedBuffer:
    """A binary sink for pyoxigraph that counts lines and stops past ``max_lines``."""

    def __init__(self, max_lines: int) -> None:
        self.max_lines = max_lines
        self.lines = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.lines > self.max_lines:
            raise RowCapExceeded
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the bytes are kept in memory."""

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def execute(store: ox.Store, graph_names: frozenset[str], task: object) -> Outcome:
    """Run ``task`` against ``store``; never raises for a bad query."""
    try:
        if isinstance(task, QueryTask):
            return _run_query(store, graph_names, task)
        if isinstance(task, GraphTask):
            return _read_graph(store, graph_names, task)
        return Outcome(500, message="unknown task")
    except GuardError as exc:
        return Outcome(exc.status, message=exc.message)
    except SyntaxError as exc:
        if isinstance(task, QueryTask) and not task.parse_first:
            try:
                parse_check(task.query, graph_names)  # rdflib's line, column and caret
            except GuardError as guard:
                return Outcome(guard.status, message=guard.message)
        return Outcome(400, message=f"syntax error: {exc}")
    except RowCapExceeded:
        cap = task.max_rows if isinstance(task, QueryTask) else 0
        return Outcome(
            422,
            message=(
                f"the result has more than {cap} rows, the most this endpoint serves; "
                "add LIMIT (and OFFSET to page through it) or narrow the query"
            ),
        )
    except Exception as exc:  # noqa: BLE001 - reported to the user as text, not a trace
        return Outcome(500, message=f"the query could not be evaluated: {exc}")


def _run_query(store: ox.Store, graph_names: frozenset[str], task: QueryTask) -> Outcome:
    has_dataset = (
        dataset_check(task.query, graph_names, task.base_iri).has_dataset
        if task.parse_first else False
    )
    if task.default_graphs is not None or task.named_graphs is not None:
        # A protocol dataset replaces the default one, FROM clauses included.
        result = store.query(
            task.query,
            base_iri=task.base_iri,
            default_graph=[ox.NamedNode(g) for g in task.default_graphs or ()],
            named_graphs=[ox.NamedNode(g) for g in task.named_graphs or ()],
        )
    else:
        # The union default graph, unless FROM / FROM NAMED choose the graphs.
        result = store.query(
            task.query, base_iri=task.base_iri, use_default_graph_as_union=not has_dataset
        )

    return result_outcome(result, task)


def result_outcome(
    result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple | ox.Quad], task: QueryTask
) -> Outcome:
    """Serialise a query result in the task's format; raises ``RowCapExceeded`` past the cap.

    Triples may come as quads of the default graph (as ``pyoxigraph.parse`` gives them).
    """
    if isinstance(result, ox.QueryBoolean):
        fmt = RESULTS_FORMATS[task.results_format]
        return Outcome(200, result.serialize(format=fmt), format_name=task.results_format)
    if isinstance(result, ox.QuerySolutions):
        buffer = _CappedBuffer(task.max_rows + 1)  # +1: the header line
        result.serialize(buffer, format=ox.QueryResultsFormat.TSV)
        tsv = buffer.getvalue()
        if task.results_format == "tsv":
            return Outcome(200, tsv, format_name="tsv")
        parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
        body = parsed.serialize(format=RESULTS_FORMATS[task.results_format])
        return Outcome(200, body, format_name=task.results_format)
    buffer = _CappedBuffer(task.max_rows)
    ox.serialize(result, buffer, format=ox.RdfFormat.N_TRIPLES)
    ntriples = buffer.getvalue()
    if task.rdf_format == "ntriples":
        return Outcome(200, ntriples, format_name="ntriples")
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    prefixes = prefixes_needed(task.rdf_format, triples)
    body = ox.serialize(triples, format=RDF_FORMATS[task.rdf_format], prefixes=prefixes)
    return Outcome(200, body, format_name=task.rdf_format)


def _read_graph(store: ox.Store, graph_names: frozenset[str], task: GraphTask) -> Outcome:
    fmt = RDF_FORMATS[task.rdf_format]
    if task.graph is None:
        triples = list(store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        ))
        body = ox.serialize(triples, format=fmt, prefixes=prefixes_needed(task.rdf_format, triples))
        return Outcome(200, body, format_name=task.rdf_format)
    if task.graph not in graph_names:
        return Outcome(404, message=f"no graph <{task.graph}> in this dataset")
    graph = ox.NamedNode(task.graph)
    quads = list(store.quads_for_pattern(None, None, None, graph))
    body = store.dump(
        format=fmt, from_graph=graph, prefixes=prefixes_needed(task.rdf_format, quads)
    )
    return Outcome(200, body, format_name=task.rdf_format)


def prefixes_needed(rdf_format: str, triples: list) -> dict[str, str] | None:
    """The prefixes the triples need, for the syntaxes that use them."""
    return prefixes_for(iris_of(triples)) if rdf_format in ("turtle", "rdfxml") else None
