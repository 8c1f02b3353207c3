"""Checks a query passes before the engine sees it.

Two layers, cheapest first:

1. ``lex_check`` (in the web process): length, nesting depth and query form,
   from a small lexer that knows strings, IRIs and comments, so that a deeply
   nested query never reaches a recursive parser.
2. ``parse_check`` (in the worker process, under the query timeout): rdflib's
   SPARQL parser; the parse tree is walked for SERVICE anywhere and for FROM /
   FROM NAMED IRIs that are not graphs of the store. pyoxigraph would follow a
   SERVICE IRI over the network, so nothing with SERVICE may reach it (the
   lexer refuses the keyword already). rdflib's parser costs more than most
   queries (tens of ms), so it runs before the engine only for a query with
   FROM, and otherwise only to explain a syntax error pyoxigraph reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

CONTRIBUTE = (
    "This endpoint is read-only: SPARQL Update and Graph Store writes are refused. "
    "To change the data, propose a change to the Turtle files under graph/ in the "
    "coedp repository and check it with 'coedp validate'; the published dataset is "
    "rebuilt from there."
)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
PROLOGUE_KEYWORDS = frozenset({"BASE", "PREFIX"})


class GuardError(Exception):
    """A query refused before it runs: an HTTP status and a message for a person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class LexInfo:
    """What the lexer learnt: the query form (SELECT, ASK...) and the deepest nesting."""

    form: str
    depth: int
    has_from: bool = False  # FROM / FROM NAMED: the parser must check the graphs named


# One token at a time; the order matters (long strings before short ones).
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"
               |'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w:%.\\-]*[\w:%-])?)
    | (?P<word>[^\W\d]\w*)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(query: str) -> Iterator[tuple[str, str, int]]:
    """Yield (kind, text, offset) for each token but whitespace and comments."""
    pos = 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        assert match is not None  # the last alternative matches any character
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield kind, match.group(), pos
        pos = match.end()


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def expand_escapes(query: str) -> str:
    """Replace \\uXXXX and \\UXXXXXXXX by the characters they stand for."""

    def repl(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _ESCAPE.sub(repl, query)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def lex_check(query: str, max_length: int, max_depth: int) -> LexInfo:
    """Check length, nesting depth, form and the SERVICE keyword without parsing.

    Raises ``GuardError``: 413 for an over-long query, 400 for one nested too
    deeply or that is no query, 403 for an update or SERVICE.
    """
    size = len(query.encode("utf-8"))
    if size > max_length:
        raise GuardError(
            413, f"the query is {size} bytes long; this endpoint accepts at most {max_length}"
        )
    # SPARQL expands \u and \U escapes before parsing: so must the lexer, or
    # "\u007B" would hide a bracket and "\u0053ERVICE" a keyword.
    query = expand_escapes(query)
    form = ""
    has_from = False
    depth = deepest = 0
    for kind, text, offset in _tokens(query):
        if kind == "open":
            depth += 1
            if depth > max_depth:
                line, col = line_col(query, offset)
                raise GuardError(
                    400,
                    f"the query nests deeper than {max_depth} levels of brackets "
                    f"(at line {line}, column {col}); simplify it",
                )
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word":
            upper = text.upper()
            if upper == "FROM":
                has_from = True
            if upper == "SERVICE":
                line, col = line_col(query, offset)
                raise GuardError(403, _service_message(f"line {line}, column {col}"))
            if not form and upper not in PROLOGUE_KEYWORDS:
                if upper in QUERY_FORMS:
                    form = upper
                elif upper in UPDATE_KEYWORDS:
                    raise GuardError(403, CONTRIBUTE)
    if not form:
        raise GuardError(
            400, "this is not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
        )
    return LexInfo(form=form, depth=deepest, has_from=has_from)


def _service_message(where: str) -> str:
    return (
        f"SERVICE (federated query, {where}) is not allowed: this endpoint answers "
        "from its own dataset only and never contacts other services"
    )


@dataclass(frozen=True)
class ParseInfo:
    """What the parser learnt: the form, and whether the query has FROM / FROM NAMED."""

    form: str
    has_dataset: bool


def parse_check(query: str, graph_names: Iterable[str]) -> ParseInfo:
    """Parse with rdflib and refuse SERVICE, updates and unknown FROM graphs.

    Raises ``GuardError`` with the parser's message and position for a
    syntax error.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(query)
    except ParseException as exc:
        try:
            parseUpdate(query)
        except Exception:  # noqa: BLE001 - the query error is the one to report
            raise GuardError(400, syntax_message(query, exc)) from None
        raise GuardError(403, CONTRIBUTE) from None
    except RecursionError:
        raise GuardError(400, "the query is nested too deeply to be parsed") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises assorted errors on bad terms
        raise GuardError(400, f"syntax error: {exc}") from None
    known = set(graph_names)
    form = ""
    has_dataset = False
    for node in _walk(tree):
        name = getattr(node, "name", "")
        if name == "ServiceGraphPattern":
            raise GuardError(403, _service_message(f"SERVICE <{dict.get(node, 'term')}>"))
        if name == "DatasetClause":
            has_dataset = True
            for key, clause in (("default", "FROM"), ("named", "FROM NAMED")):
                iri = dict.get(node, key)  # CompValue.get answers missing keys oddly
                if iri is not None and str(iri) not in known:
                    raise GuardError(400, unknown_graph_message(clause, str(iri), known))
        if not form and name.endswith("Query"):
            form = name[: -len("Query")].upper()
    return ParseInfo(form, has_dataset)


def unknown_graph_message(where: str, iri: str, known: Iterable[str]) -> str:
    """Explain that ``iri`` names no graph of this dataset."""
    listing = ", ".join(f"<{g}>" for g in sorted(known)) or "none"
    return (
        f"{where} <{iri}> is not a graph of this dataset (graphs are never fetched "
        f"from the web); its named graphs are: {listing}"
    )


def syntax_message(query: str, exc: Exception) -> str:
    """A syntax error with its line, column and a caret under the culprit."""
    lineno = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    if lineno is None or col is None:
        return f"syntax error: {msg}"
    lines = query.splitlines() or [""]
    text = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    return (
        f"syntax error at line {lineno}, column {col}: {msg}\n"
        f"  {text}\n  {' ' * (col - 1)}^"
    )


def _walk(node: object) -> Iterator[object]:
    """Every node of an rdflib parse tree (CompValue, ParseResults, lists)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)
        elif type(current).__name__ == "ParseResults":
            stack.extend(list(current))
