"""What a worker process does with one task: guard, run, serialise to bytes.

Results are serialised by pyoxigraph straight to bytes, once, in the
requested syntax. The row cap is enforced while serialising: the sink counts
the marks that open or separate rows in that syntax (``<result>`` in XML,
``},{`` in JSON, line breaks in TSV and CSV). The count is exact where a term
cannot hold the mark (TSV, XML) and an upper bound where it can (a literal may
hold ``},{`` or, in CSV, a line break): past the cap on an upper bound, the
query runs again and its rows are counted exactly, as lines of TSV (where a
line break inside a term is always escaped), then the requested syntax is
produced from those bytes. Triples are counted as they come from the engine.
The response byte cap is counted in the same sinks, so a result too large is
refused before a byte of it is sent.

A bad query is the client's fault and gets a 4xx with a message: a syntax
error, an unsupported function, a SERVICE the sandbox stopped (403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, cast

import pyoxigraph as ox

from coedp.namespaces import PREFIXES, iris_of, prefixes_for
from coedp.server.complexity import check_tokens
from coedp.server.errors import explain
from coedp.server.formats import rdf_format, results_format
from coedp.server.guard import GuardError, dataset_check

SERVICE_REFUSED = (
    "SERVICE (federated query) is not allowed: this endpoint answers from its own "
    "dataset only and never contacts other services"
)



@dataclass(frozen=True)
class QueryTask:
    """A SPARQL query to run; ``default_graphs``/``named_graphs`` from the protocol."""

    query: str
    results_format: str  # a results syntax of coedp.server.formats, for SELECT and ASK
    rdf_format: str  # an RDF syntax of coedp.server.formats, for CONSTRUCT and DESCRIBE
    max_rows: int
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    # Whether FROM / FROM NAMED choose the dataset, as the web process's guard found
    # (None: not known, the worker lexes the query to find out and check the graphs).
    # The project's prefixes are predeclared (a query's own win).
    has_dataset: bool | None = None


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
    cpu: float | None = None  # CPU seconds the engine spent on it (None: not measured)


class RowCapExceeded(Exception):
    """Raised from inside serialisation once the result passes the cap."""


class ResponseTooLarge(Exception):
    """Raised from inside serialisation once the result passes the byte cap."""


class _MaybeOverCap(Exception):
    """Raised from inside serialisation when an upper bound of the rows passes the cap."""


class _Kept:
    """The bytes a serialiser wrote, kept in memory under ``max_bytes`` (0: no cap)."""

    max_bytes: int
    size: int
    chunks: list[bytes]

    def _keep(self, data: bytes) -> int:
        self.size += len(data)
        if self.max_bytes and self.size > self.max_bytes:
            raise ResponseTooLarge
        self.chunks.append(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the bytes are kept in memory."""

    def sink(self) -> IO[bytes]:
        """This buffer as pyoxigraph's serialisers take it: they only call ``write``."""
        return cast(IO[bytes], self)

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


class _RowMarks(_Kept):
    """A binary sink that counts the marks of rows in a results syntax as it fills.

    ``marks`` open or separate rows (each occurrence is one row at most);
    ``exact`` says whether no term can hold one. Past ``max_rows`` it raises
    ``RowCapExceeded`` when the count is exact, else ``_MaybeOverCap``.
    """

    def __init__(
        self, marks: tuple[bytes, ...], exact: bool, max_rows: int, max_bytes: int = 0
    ) -> None:
        self.marks = marks
        self.exact = exact
        self.max_rows = max_rows
        self.max_bytes = max_bytes  # 0: no cap
        self.rows = 0
        self.size = 0
        self.chunks: list[bytes] = []
        # The end of the last chunk: a mark may be cut in two between writes.
        self.reach = max(len(m) for m in marks) - 1
        self.tail = b""

    def write(self, data: bytes) -> int:
        data = bytes(data)
        for mark in self.marks:
            self.rows += data.count(mark)
            reach = len(mark) - 1
            if reach and self.tail:
                # Shorter than the mark on either side: what it finds crosses the seam.
                self.rows += (self.tail[-reach:] + data[:reach]).count(mark)
        if self.reach:
            self.tail = (self.tail + data if len(data) < self.reach else data)[-self.reach:]
        if self.rows > self.max_rows:
            raise RowCapExceeded if self.exact else _MaybeOverCap
        return self._keep(data)


# What marks a row in each results syntax, whether the count is exact, and the lines
# before the first row (the header of TSV and CSV).
_ROW_MARKS: dict[str, tuple[tuple[bytes, ...], bool, int]] = {
    "json": ((b"[{", b"},{"), False, 0),  # the first row, then each next one
    "xml": ((b"<result>",), True, 0),  # "<" is escaped in text
    "tsv": ((b"\n",), True, 1),  # line breaks in terms are escaped
    "csv": ((b"\n",), False, 1),  # a quoted literal may hold a line break
}


class _CappedBuffer(_Kept):
    """A binary sink for pyoxigraph that stops past ``max_lines`` lines or ``max_bytes``."""

    def __init__(self, max_lines: int = 0, max_bytes: int = 0) -> None:
        self.max_lines = max_lines  # 0: no cap
        self.max_bytes = max_bytes  # 0: no cap
        self.lines = 0
        self.size = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.max_lines and self.lines > self.max_lines:
            raise RowCapExceeded
        return self._keep(bytes(data))


def execute(
    store: ox.Store, graph_names: frozenset[str], task: object, max_bytes: int = 0,
    max_tokens: int = 0,
) -> Outcome:
    """Run ``task`` against ``store``; never raises for a bad query.

    ``max_bytes`` caps the serialised result, ``max_tokens`` the query's terms
    and operators (0: no cap).
    """
    try:
        if isinstance(task, QueryTask):
            check_tokens(task.query, max_tokens)
            return _run_query(store, graph_names, task, max_bytes)
        if isinstance(task, GraphTask):
            return _read_graph(store, graph_names, task)
        return Outcome(500, message="unknown task")
    except GuardError as exc:
        return Outcome(exc.status, message=exc.message)
    except SyntaxError as exc:
        query = task.query if isinstance(task, QueryTask) else ""
        return Outcome(400, message=explain(query, str(exc)))
    except RowCapExceeded:
        cap = task.max_rows if isinstance(task, QueryTask) else 0
        return Outcome(
            422,
            message=(
                f"the result has more than {cap} rows, the most this endpoint serves; "
                "add LIMIT (and OFFSET to page through it) or narrow the query"
            ),
        )
    except ResponseTooLarge:
        return Outcome(422, message=too_large_message(max_bytes))
    except Exception as exc:  # noqa: BLE001 - reported to the user as text, not a trace
        return _engine_error(task, exc)


def too_large_message(max_bytes: int) -> str:
    """Why a result over the response byte cap is refused."""
    return (
        f"the result is larger than {max_bytes / (1024 * 1024):g} MB, the most this "
        "endpoint serves in one response; select fewer or shorter values, add LIMIT "
        "(and OFFSET to page through it) or narrow the query"
    )


def _engine_error(task: object, exc: Exception) -> Outcome:
    """The answer to an error the engine raised: 4xx when the query is at fault."""
    query = task.query if isinstance(task, QueryTask) else ""
    text = str(exc)
    if isinstance(exc, RuntimeError) and "custom function" in text:
        function = text.split("custom function", 1)[1].split(" is not supported")[0].strip()
        return Outcome(
            400,
            message=f"the function {function} is not known to this endpoint: only the "
            "functions of SPARQL 1.1 (and the XSD casts) can be called",
        )
    if isinstance(exc, OSError) and "SERVICE" in query.upper():
        # The engine's network errors are OSError: the sandbox refused the socket
        # (PermissionError) or the name lookup behind it; without the sandbox, a remote
        # service's error (its body quoted) must not be passed back either.
        return Outcome(403, message=SERVICE_REFUSED)
    if isinstance(exc, RuntimeError) and "is not supported" in text:
        return Outcome(400, message=f"the query uses something this endpoint does not "
                       f"support: {text}")
    if isinstance(exc, MemoryError):
        return Outcome(507, message="the query needed more memory than a query may use "
                       "and was stopped; narrow it (LIMIT, more specific patterns)")
    return Outcome(500, message=f"the query could not be evaluated: {text}")


def _run_query(
    store: ox.Store, graph_names: frozenset[str], task: QueryTask, max_bytes: int = 0
) -> Outcome:
    has_dataset = task.has_dataset
    if has_dataset is None:
        has_dataset = dataset_check(task.query, graph_names, task.base_iri).has_dataset

    def evaluate() -> ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple]:
        if task.default_graphs is not None or task.named_graphs is not None:
            # A protocol dataset replaces the default one, FROM clauses included.
            return store.query(
                task.query,
                base_iri=task.base_iri,
                prefixes=PREFIXES,
                default_graph=[ox.NamedNode(g) for g in task.default_graphs or ()],
                named_graphs=[ox.NamedNode(g) for g in task.named_graphs or ()],
            )
        # The union default graph, unless FROM / FROM NAMED choose the graphs.
        return store.query(
            task.query, base_iri=task.base_iri, prefixes=PREFIXES,
            use_default_graph_as_union=not has_dataset,
        )

    return result_outcome(evaluate(), task, max_bytes=max_bytes, rerun=evaluate)


def result_outcome(
    result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple | ox.Quad],
    task: QueryTask,
    max_bytes: int = 0,
    rerun: Callable[[], object] | None = None,
) -> Outcome:
    """Serialise a query result in the task's format.

    Raises ``RowCapExceeded`` past the row cap, ``ResponseTooLarge`` past
    ``max_bytes`` (0: no cap). Triples may come as quads of the default graph
    (as ``pyoxigraph.parse`` gives them). ``rerun`` evaluates the query again,
    for a row too long for pyoxigraph's TSV reader (16 MB a line).
    """
    if isinstance(result, ox.QueryBoolean):
        fmt = results_format(task.results_format)
        return Outcome(200, _bytes(result.serialize(format=fmt)), format_name=task.results_format)
    if isinstance(result, ox.QuerySolutions):
        marks = _ROW_MARKS.get(task.results_format)
        if marks is not None and (marks[1] or rerun is not None):
            mark, exact, header = marks
            sink = _RowMarks(mark, exact, task.max_rows + header, max_bytes)
            try:
                result.serialize(sink.sink(), format=results_format(task.results_format))
                return Outcome(200, sink.getvalue(), format_name=task.results_format)
            except _MaybeOverCap:
                del sink
                again = rerun() if rerun is not None else None
                if not isinstance(again, ox.QuerySolutions):
                    raise RowCapExceeded from None
                result = again  # counted exactly below
        buffer = _CappedBuffer(task.max_rows + 1, max_bytes)  # +1: the header line
        result.serialize(buffer.sink(), format=ox.QueryResultsFormat.TSV)
        tsv = buffer.getvalue()
        if task.results_format == "tsv":
            return Outcome(200, tsv, format_name="tsv")
        fmt = results_format(task.results_format)
        out = _CappedBuffer(0, max_bytes)
        try:
            parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
            del tsv, buffer
            parsed.serialize(out.sink(), format=fmt)
        except MemoryError:
            again = rerun() if rerun is not None else None
            if not isinstance(again, ox.QuerySolutions):
                raise
            out = _CappedBuffer(0, max_bytes)  # the rows were counted in the first pass
            again.serialize(out.sink(), format=fmt)
        return Outcome(200, out.getvalue(), format_name=task.results_format)
    graph = cast(Iterable[ox.Triple], result)  # triples, or quads of the default graph
    if task.rdf_format == "ntriples":  # one line a triple: counted as it is written
        buffer = _CappedBuffer(task.max_rows, max_bytes)
        ox.serialize(graph, buffer.sink(), format=ox.RdfFormat.N_TRIPLES)
        return Outcome(200, buffer.getvalue(), format_name="ntriples")
    triples = list(islice(graph, task.max_rows + 1))
    if len(triples) > task.max_rows:
        raise RowCapExceeded
    prefixes = prefixes_needed(task.rdf_format, triples)
    out = _CappedBuffer(0, max_bytes)
    ox.serialize(triples, out.sink(), format=rdf_format(task.rdf_format), prefixes=prefixes)
    return Outcome(200, out.getvalue(), format_name=task.rdf_format)


def _read_graph(store: ox.Store, graph_names: frozenset[str], task: GraphTask) -> Outcome:
    fmt = rdf_format(task.rdf_format)
    if task.graph is None:
        union = store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        )
        assert isinstance(union, ox.QueryTriples)
        triples = list(union)
        body = ox.serialize(triples, format=fmt, prefixes=prefixes_needed(task.rdf_format, triples))
        return Outcome(200, _bytes(body), format_name=task.rdf_format)
    if task.graph not in graph_names:
        return Outcome(404, message=f"no graph <{task.graph}> in this dataset")
    graph = ox.NamedNode(task.graph)
    quads = list(store.quads_for_pattern(None, None, None, graph))
    body = store.dump(
        format=fmt, from_graph=graph, prefixes=prefixes_needed(task.rdf_format, quads)
    )
    return Outcome(200, _bytes(body), format_name=task.rdf_format)


def _bytes(serialised: bytes | None) -> bytes:
    """What pyoxigraph serialised without an output file (always bytes then)."""
    assert serialised is not None
    return serialised


def prefixes_needed(
    rdf_format: str, triples: Sequence[ox.Triple | ox.Quad]
) -> dict[str, str] | None:
    """The prefixes the triples need, for the syntaxes that use them."""
    return prefixes_for(iris_of(triples)) if rdf_format in ("turtle", "rdfxml") else None
