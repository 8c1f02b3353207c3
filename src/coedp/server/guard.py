"""Checks a query passes before the engine sees it.

Two layers, cheapest first:

1. ``lex_check``: length, nesting depth, query form, SERVICE, updates and the
   FROM / FROM NAMED graphs, from a lexer that reads the text as the engine
   (pyoxigraph 0.5) does, not as the SPARQL grammar says where the two differ:

   - ``#`` comments end at CR or LF;
   - ``\\u`` / ``\\U`` escapes count only inside strings and IRIs (elsewhere a
     backslash is a syntax error, but in a prefixed name's ``\\#``-style escapes);
   - a prefixed name's local part holds at most one run of dots inside it;
   - keywords are matched without a word boundary (``trueSERVICE<x>{}`` is
     ``true`` then ``SERVICE``), so a bare word or a prefix name holding
     "service" is refused;
   - ``<`` compares only after an operand inside an expression's parentheses;
     anywhere else it opens an IRI, which ends at the first ``>``.

   The lexer is one pass in linear time (possessive regexes only; a string that
   does not end is a syntax error at once) and iterative, so a deeply nested
   query never reaches a recursive parser. FROM / FROM NAMED IRIs are resolved
   against BASE, the PREFIX declarations and the server's base IRI before they
   are compared with the store's graphs. In the web process
   (``lex_check_off_loop``) the verdicts on recent queries are remembered, a
   short query is lexed on the event loop and a longer one in a small thread pool.
2. ``dataset_check`` (in the worker, for queries that may name graphs): the
   same lexer beside the engine, which tells whether FROM chooses the dataset.
   ``parse_check``: rdflib's SPARQL parser, to explain a syntax error the
   engine reports (line, column, caret) and, in the external-store mode's
   guard processes, as a second opinion on SERVICE, updates and FROM.

The network is also closed below the guard (the workers' sandbox); the guard's
refusal is what gives a person a clear 403.

Test hook only: with ``COEDP_TEST_NO_SERVICE_CHECK=1`` in the server's
environment neither layer refuses SERVICE (all else unchanged), so that a test
can prove the sandbox closes the network on its own. Never set it in service.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from coedp.namespaces import PREFIXES

CONTRIBUTE = (
    "This endpoint is read-only: SPARQL Update and Graph Store writes are refused. "
    "To change the data, propose a change to the Turtle files under graph/ in the "
    "coedp repository and check it with 'coedp validate'; the published dataset is "
    "rebuilt from there."
)

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH",
)
PROLOGUE_KEYWORDS = frozenset({"BASE", "PREFIX"})
NO_SERVICE_CHECK_ENV = "COEDP_TEST_NO_SERVICE_CHECK"
# Threads of the web process that lex queries: a few, so that a flood of queries
# waits for them instead of taking the process's whole default pool.
OFF_LOOP_THREADS = 4
# A '''-string that never ends makes the engine read '' and go on; each such
# fallback may scan the rest of the query once, so their number is bounded.
MAX_FAILED_LONG_STRINGS = 4


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
    has_from: bool = False  # FROM / FROM NAMED: the query chooses its own dataset
    # (clause, absolute IRI) of each FROM / FROM NAMED, in order.
    dataset: tuple[tuple[str, str], ...] = field(default=())


# -- the engine's character classes (spargebra 0.5) ----------------------------------
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_CHAR = rf"[{_CHARS}:]|{_PLX}"
_PNAME = re.compile(
    rf"(?P<prefix>[{_BASE}][{_CHARS}]*+(?:\.++[{_CHARS}]++)*+)?:"
    rf"(?P<local>(?:[{_U}:0-9]|{_PLX})(?:{_LOCAL_CHAR})*+(?:\.++(?:{_LOCAL_CHAR})++)?+)?"
)
_PREFIX_RUN = re.compile(rf"[{_BASE}][{_CHARS}]*+(?:\.++[{_CHARS}]++)*+")
_WORD = re.compile(rf"[{_U}0-9][{_CHARS}]*+")
_VAR = re.compile(rf"[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+")
_BNODE = re.compile(rf"_:[{_U}0-9][{_CHARS}]*+(?:\.++[{_CHARS}]++)*+")
_NUMBER = re.compile(
    r"[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.[0-9]++[eE][+-]?[0-9]++|[0-9]++[eE][+-]?[0-9]++"
    r"|[0-9]*+\.[0-9]++|[0-9]++"
)
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+")
_COMMENT_END = re.compile(r"[^\r\n]*+")
_ESC = r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"""
_STRINGS = {
    "'": re.compile(rf"'(?:[^'\\\n\r]|{_ESC})*+'"),
    '"': re.compile(rf'"(?:[^"\\\n\r]|{_ESC})*+"'),
}
_LONG_STRINGS = {
    "'": re.compile(rf"'''(?:(?:''|')?+(?:[^'\\]|{_ESC}))*+'''"),
    '"': re.compile(rf'"""(?:(?:""|")?+(?:[^"\\]|{_ESC}))*+"""'),
}
# What an IRI may hold before its \u escapes are expanded; anything else fails in the engine.
_IRI_BODY = re.compile(r"""(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+""")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPERATORS = ("&&", "||", "!=", "<=", ">=", "^^")
# Words after which "(" opens an expression (FILTER, BIND, functions, IN...), but these.
_NOT_EXPRESSION_WORDS = frozenset({"VALUES", "A", "TRUE", "FALSE", "UNDEF"})


def service_check_enabled() -> bool:
    """False only under the test hook ``COEDP_TEST_NO_SERVICE_CHECK=1``."""
    return os.environ.get(NO_SERVICE_CHECK_ENV) != "1"


@dataclass
class _Token:
    kind: str  # word pname var bnode num str lang iri open close op
    text: str
    offset: int
    prefix: str = ""
    local: str = ""


@dataclass
class _Frame:
    """An open bracket; a "(" knows whether it holds an expression."""

    char: str
    expression: bool = False
    clause: str = ""  # in "{" or at the top: "select" or "modifier" while one is read


def expand_escapes(text: str) -> str:
    """Replace \\uXXXX and \\UXXXXXXXX by the characters they stand for."""

    def repl(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _UCHAR.sub(repl, text)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text`` (lines end at LF)."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_error(query: str, offset: int, what: str) -> GuardError:
    line, col = line_col(query, offset)
    return GuardError(400, f"syntax error at line {line}, column {col}: {what}")


def _operand_end(token: _Token | None) -> bool:
    """Whether ``token`` can end an operand, so that a "<" after it compares."""
    if token is None:
        return False
    if token.kind in ("var", "num", "str", "lang", "iri", "pname", "bnode"):
        return True
    if token.kind == "close":
        return token.text in ")]"
    return token.kind == "word" and token.text in ("true", "false")


class _Lexer:
    """One pass over a query: its tokens as the engine reads them, and the open brackets."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.pos = 0
        self.frames: list[_Frame] = [_Frame("")]
        self.prev: _Token | None = None
        self.prev2: _Token | None = None
        self.failed_long = 0
        self.no_colon_until = 0

    def tokens(self) -> Iterator[_Token]:
        """Every token but whitespace and comments; raises ``GuardError`` on a bad string."""
        q, n = self.query, len(self.query)
        while self.pos < n:
            c = q[self.pos]
            if c in " \t\r\n":
                self.pos += 1
                continue
            if c == "#":
                match = _COMMENT_END.match(q, self.pos + 1)
                assert match is not None  # matches the empty string
                self.pos = match.end()
                continue
            token = self._token(c)
            self.prev2, self.prev = self.prev, token
            yield token

    def _in_expression(self) -> bool:
        top = self.frames[-1]
        return top.char == "(" and top.expression

    def _opens_expression(self) -> bool:
        """Whether a "(" here opens an expression (not a collection, path or VALUES row)."""
        if self._in_expression():
            return True
        prev, top = self.prev, self.frames[-1]
        if prev is None or top.char not in ("{", ""):
            return False
        if prev.kind == "word":
            return prev.text.upper() not in _NOT_EXPRESSION_WORDS
        if top.clause and (prev.kind in ("var", "iri", "pname") or prev.text == ")"):
            return True  # SELECT ?a (...), GROUP BY ?a (...), ORDER BY <f>(...)
        if prev.kind in ("iri", "pname") and self.prev2 is not None:
            # FILTER <f>(...) or HAVING ex:f(...): a function call.
            return self.prev2.kind == "word" and self.prev2.text.upper() in ("FILTER", "HAVING")
        return False

    def _emit(self, kind: str, end: int, **extra: str) -> _Token:
        token = _Token(kind, self.query[self.pos:end], self.pos, **extra)
        self.pos = end
        return token

    def _token(self, c: str) -> _Token:
        if c in "'\"":
            return self._string(c)
        if c == "<":
            return self._angle()
        if c in "?$":
            match = _VAR.match(self.query, self.pos)
            return self._emit("var", match.end()) if match else self._emit("op", self.pos + 1)
        return self._literal(c) or self._name() or self._punctuation(c)

    def _literal(self, c: str) -> _Token | None:
        """A blank node label, a number or a language tag starting at ``c``, if any."""
        q, pos = self.query, self.pos
        match = None
        if c == "_" and q.startswith("_:", pos):
            match, kind = _BNODE.match(q, pos), "bnode"
        elif c.isdigit() or (c == "." and q[pos + 1:pos + 2].isdigit()):
            match, kind = _NUMBER.match(q, pos), "num"
        elif c == "@":
            match, kind = _LANGTAG.match(q, pos), "lang"
        return self._emit(kind, match.end()) if match else None

    def _name(self) -> _Token | None:
        """A prefixed name or a word (keyword, function name) here, if any."""
        q, pos = self.query, self.pos
        if pos >= self.no_colon_until:
            match = _PNAME.match(q, pos)
            if match:
                return self._emit("pname", match.end(), prefix=match.group("prefix") or "",
                                  local=match.group("local") or "")
            # "a.b.c" with no colon after it: no later name inside that run has one either,
            # so it is not scanned again from each of its parts.
            run = _PREFIX_RUN.match(q, pos)
            if run:
                self.no_colon_until = run.end()
        match = _WORD.match(q, pos)
        return self._emit("word", match.end()) if match else None

    def _punctuation(self, c: str) -> _Token:
        """A bracket or an operator (anything else is a one-character operator)."""
        q, pos = self.query, self.pos
        if c in "{([":
            expression = c == "(" and self._opens_expression()
            if c == "{" and self.frames[-1].clause == "select":
                self.frames[-1].clause = ""  # WHERE's group ends the SELECT clause
            self.frames.append(_Frame(c, expression))
            return self._emit("open", pos + 1)
        if c in "})]":
            if len(self.frames) > 1:
                self.frames.pop()
            return self._emit("close", pos + 1)
        if c == ">" and q.startswith(">>", pos) and self.frames[-1].char == "<<":
            self.frames.pop()
            return self._emit("close", pos + 2)
        if c == "\\":
            raise _syntax_error(q, pos, "a backslash outside a string, an IRI or a prefixed name")
        for op in _OPERATORS:
            if q.startswith(op, pos):
                return self._emit("op", pos + len(op))
        return self._emit("op", pos + 1)

    def _string(self, quote: str) -> _Token:
        q, pos = self.query, self.pos
        if q.startswith(quote * 3, pos):
            if self.failed_long >= MAX_FAILED_LONG_STRINGS:
                raise _syntax_error(q, pos, f"too many {quote * 3}-strings that do not end")
            match = _LONG_STRINGS[quote].match(q, pos)
            if match:
                return self._emit("str", match.end())
            self.failed_long += 1  # the engine reads an empty string here and goes on
        match = _STRINGS[quote].match(q, pos)
        if match is None:
            raise _syntax_error(
                q, pos, f"a string opened with {quote} does not end (it must end on its line; "
                "its escapes are \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uXXXX \\UXXXXXXXX)",
            )
        return self._emit("str", match.end())

    def _angle(self) -> _Token:
        q, pos = self.query, self.pos
        if self._in_expression() and _operand_end(self.prev):
            return self._emit("op", pos + (2 if q.startswith("<=", pos) else 1))
        if q.startswith("<<", pos):
            self.frames.append(_Frame("<<"))
            return self._emit("open", pos + 2)
        end = q.find(">", pos + 1)
        body = _IRI_BODY.match(q, pos + 1)
        if end < 0 or body is None or body.end() != end:
            raise _syntax_error(
                q, pos, "an IRI is written <...> without spaces, quotes, braces, |, ^, ` "
                "or backslashes (but \\uXXXX) inside",
            )
        return self._emit("iri", end + 1)


# -- IRIs ------------------------------------------------------------------------------
_IRI_PARTS = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?",
    re.DOTALL,
)


def _remove_dots(path: str) -> str:
    """RFC 3986 section 5.2.4."""
    out: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            cut = len(path) if cut < 0 else cut
            out.append(path[:cut])
            path = path[cut:]
    return "".join(out)


def _join(parts: tuple[str | None, str | None, str, str | None, str | None]) -> str:
    scheme, authority, path, query, fragment = parts
    text = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        text += "//" + authority
    text += path
    if query is not None:
        text += "?" + query
    if fragment is not None:
        text += "#" + fragment
    return text


def resolve_iri(reference: str, base: str | None) -> str:
    """``reference`` resolved against ``base`` as RFC 3986 section 5.2 says."""
    ref = _IRI_PARTS.fullmatch(reference)
    assert ref is not None  # every group is optional
    scheme, authority, path, query, fragment = ref.groups()
    if scheme is not None:
        return _join((scheme, authority, _remove_dots(path), query, fragment))
    if base is None:
        return reference
    b = _IRI_PARTS.fullmatch(base)
    assert b is not None
    b_scheme, b_auth, b_path, b_query, _ = b.groups()
    if authority is not None:
        return _join((b_scheme, authority, _remove_dots(path), query, fragment))
    if path == "":
        return _join((b_scheme, b_auth, b_path, query if query is not None else b_query,
                      fragment))
    if path.startswith("/"):
        return _join((b_scheme, b_auth, _remove_dots(path), query, fragment))
    merged = "/" + path if b_auth is not None and b_path == "" else (
        b_path[: b_path.rfind("/") + 1] + path
    )
    return _join((b_scheme, b_auth, _remove_dots(merged), query, fragment))


def _iri_value(token: _Token, base: str | None, prefixes: dict[str, str], query: str) -> str:
    """The absolute IRI an IRI or prefixed-name token stands for."""
    if token.kind == "iri":
        return resolve_iri(expand_escapes(token.text[1:-1]), base)
    if token.prefix not in prefixes:
        from coedp.server.errors import unknown_prefix_message

        raise GuardError(400, unknown_prefix_message(query, token.offset, token.prefix))
    return prefixes[token.prefix] + token.local.replace("\\", "")


# -- the check ---------------------------------------------------------------------------
def lex_check(
    query: str,
    max_length: int,
    max_depth: int,
    graph_names: Iterable[str] | None = None,
    base_iri: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    check_service: bool | None = None,
) -> LexInfo:
    """Check length, nesting depth, form, SERVICE, updates and FROM graphs without parsing.

    With ``graph_names``, each FROM / FROM NAMED must name one of them once resolved
    against BASE, the prefixes and ``base_iri``. ``prefixes`` are those the engine
    predeclares (default: the project's, ``namespaces.PREFIXES``); the query's own
    PREFIX declarations win. ``check_service`` False lets SERVICE pass (default: on,
    but under the test hook). Raises ``GuardError``: 413 for an
    over-long query; 400 for one nested too deeply, with a string or IRI that does
    not end, naming a graph the store lacks, or that is no query; 403 for an update
    or SERVICE.
    """
    _check_length(query, max_length)
    if check_service is None:
        check_service = service_check_enabled()
    lexer = _Lexer(query)
    stream = lexer.tokens()
    base = base_iri
    prefixes = dict(PREFIXES if prefixes is None else prefixes)
    form = ""
    dataset: list[tuple[str, str]] = []
    pending_from = ""  # "FROM" or "FROM NAMED" once read, until its IRI
    depth = deepest = 0
    for token in stream:
        kind, text = token.kind, token.text
        if check_service and _is_service(token, prefixes):
            _refuse_service(query, token)
        if kind in ("open", "close"):
            depth = _nesting(query, token, depth, max_depth)
            deepest = max(deepest, depth)
            continue
        if not form:
            declared = _prologue(token, stream, query)
            if declared is not None:
                base = _declare(declared, base, prefixes)
                continue
            form = _form(token, query)
            if kind == "word" and text.upper().startswith("SELECT"):
                lexer.frames[-1].clause = "select"
            continue
        if kind == "word":
            _clause_word(lexer, text.upper())
            clause = _dataset_keyword(text, depth, pending_from)
            if clause:
                pending_from = clause
                continue
        if pending_from and kind in ("iri", "pname"):
            dataset.append((pending_from, _iri_value(token, base, prefixes, query)))
        pending_from = ""
    if not form:
        from coedp.server.errors import not_a_query_message

        raise GuardError(400, not_a_query_message(query, len(query), ""))
    _check_graphs(dataset, graph_names)
    return LexInfo(form=form, depth=deepest, has_from=bool(dataset), dataset=tuple(dataset))


def _check_length(query: str, max_length: int) -> None:
    """413 for a query longer than ``max_length`` bytes of UTF-8."""
    size = len(query.encode("utf-8"))
    if size > max_length:
        raise GuardError(
            413, f"the query is {size} bytes long; this endpoint accepts at most {max_length}"
        )


def _nesting(query: str, token: _Token, depth: int, max_depth: int) -> int:
    """The depth after an opening or closing bracket; 400 past ``max_depth``."""
    if token.kind == "close":
        return max(0, depth - 1)
    depth += 1
    if depth > max_depth:
        line, col = line_col(query, token.offset)
        raise GuardError(
            400,
            f"the query nests deeper than {max_depth} levels of brackets "
            f"(at line {line}, column {col}); simplify it",
        )
    return depth


def _declare(declared: tuple[str | None, str], base: str | None,
             prefixes: dict[str, str]) -> str | None:
    """Record a BASE (returned) or PREFIX (into ``prefixes``) declaration."""
    name, iri = declared
    if name is None:
        return resolve_iri(iri, base)
    prefixes[name] = resolve_iri(iri, base)
    return base


def _dataset_keyword(word: str, depth: int, pending: str) -> str:
    """``FROM`` or ``FROM NAMED`` when ``word`` starts or continues a dataset clause, else ""."""
    upper = word.upper()
    if depth == 0 and upper.startswith("FROM"):
        return "FROM NAMED" if upper[4:] == "NAMED" else "FROM"
    if pending == "FROM" and upper == "NAMED":
        return "FROM NAMED"
    return ""


def _check_graphs(dataset: list[tuple[str, str]], graph_names: Iterable[str] | None) -> None:
    """400 for a FROM / FROM NAMED naming no graph of ``graph_names`` (when given)."""
    if graph_names is None:
        return
    known = set(graph_names)
    for clause, iri in dataset:
        if iri not in known:
            raise GuardError(400, unknown_graph_message(clause, iri, known))


def _prologue(
    token: _Token, stream: Iterator[_Token], query: str
) -> tuple[str | None, str] | None:
    """A BASE or PREFIX declaration starting at ``token``: (None, iri) for BASE,
    (name, iri) for PREFIX, with the IRI as written (escapes expanded); None if none."""
    upper = token.text.upper()
    if token.kind == "word" and upper == "BASE":
        iri = next(stream, None)
        if iri is None or iri.kind != "iri":
            raise _syntax_error(query, token.offset, "BASE must be followed by an <IRI>")
        return None, expand_escapes(iri.text[1:-1])
    # The PREFIX keyword, or PREFIX glued to its name ("PREFIXex:"), as the engine reads it.
    glued = token.kind == "pname" and not token.local and upper.startswith("PREFIX")
    if not glued and not (token.kind == "word" and upper == "PREFIX"):
        return None
    name = token.prefix[len("PREFIX"):] if glued else None
    if name is None:
        ns = next(stream, None)
        if ns is None or ns.kind != "pname" or ns.local:
            raise _syntax_error(query, token.offset, "PREFIX must be followed by name: <IRI>")
        name = ns.prefix
    iri = next(stream, None)
    if iri is None or iri.kind != "iri":
        raise _syntax_error(query, token.offset, "PREFIX must be followed by name: <IRI>")
    return name, expand_escapes(iri.text[1:-1])


def _form(token: _Token, query: str) -> str:
    """The query form the first token after the prologue starts; refuses updates."""
    upper = token.text.upper() if token.kind in ("word", "pname") else ""
    form = next((f for f in QUERY_FORMS if upper.startswith(f)), "")
    if not form and upper.startswith(UPDATE_KEYWORDS):
        raise GuardError(403, CONTRIBUTE)
    if not form:
        from coedp.server.errors import not_a_query_message

        raise GuardError(400, not_a_query_message(query, token.offset, token.text))
    return form


def _clause_word(lexer: _Lexer, upper: str) -> None:
    """Follow the SELECT and solution-modifier clauses, where "(" opens an expression."""
    frame = lexer.frames[-1]
    if frame.char not in ("{", ""):
        return
    if upper.startswith("SELECT"):
        frame.clause = "select"
    elif upper in ("BY", "HAVING"):
        frame.clause = "modifier"
    elif upper in ("WHERE", "LIMIT", "OFFSET", "VALUES"):
        frame.clause = ""


def _is_service(token: _Token, prefixes: dict[str, str]) -> bool:
    """Whether the engine may read SERVICE in this token (its keywords need no boundary).

    A bare word holding "service" is never valid SPARQL but SERVICE itself. A
    prefixed name ``P:x`` is read as SERVICE only where "service" in P is followed
    (after an optional SILENT) by a declared prefix: ``serviceex:x`` is
    ``SERVICE ex:x``.
    """
    if token.kind == "word":
        return "SERVICE" in token.text.upper()
    if token.kind != "pname":
        return False
    upper = token.prefix.upper()
    start = upper.find("SERVICE")
    while start >= 0:
        rest = token.prefix[start + len("SERVICE"):]
        if rest in prefixes or (rest.upper().startswith("SILENT") and rest[6:] in prefixes):
            return True
        start = upper.find("SERVICE", start + 1)
    return False


def _refuse_service(query: str, token: _Token) -> None:
    line, col = line_col(query, token.offset)
    where = f"line {line}, column {col}"
    if token.kind == "pname":
        where += (
            f"; the engine reads the prefixed name '{token.text}' as SERVICE followed by a "
            "declared prefix, so rename the prefix"
        )
    raise GuardError(403, _service_message(where))


def _service_message(where: str) -> str:
    return (
        f"SERVICE (federated query, {where}) is not allowed: this endpoint answers "
        "from its own dataset only and never contacts other services"
    )


async def lex_check_off_loop(
    query: str,
    max_length: int,
    max_depth: int,
    graph_names: Iterable[str] | None = None,
    base_iri: str | None = None,
) -> LexInfo:
    """``lex_check`` for the web process: the verdict on a recent query is remembered, a
    short query is lexed on the event loop (less time than a hop to a thread and back),
    a longer one in one of ``OFF_LOOP_THREADS`` threads, so the loop never lexes for long.
    """
    names = None if graph_names is None else frozenset(graph_names)
    key = (query, max_length, max_depth, names, base_iri, service_check_enabled())
    known = _VERDICTS.get(key) if len(query) <= VERDICT_MAX_CHARS else None
    if known is None:
        if len(query) <= INLINE_CHARS:
            known = _verdict(query, max_length, max_depth, names, base_iri)
        else:
            import anyio.to_thread

            global _limiter
            if _limiter is None:
                _limiter = anyio.CapacityLimiter(OFF_LOOP_THREADS)
            known = await anyio.to_thread.run_sync(
                _verdict, query, max_length, max_depth, names, base_iri, limiter=_limiter
            )
        if len(query) <= VERDICT_MAX_CHARS:
            _VERDICTS[key] = known
            if len(_VERDICTS) > VERDICT_ENTRIES:
                del _VERDICTS[next(iter(_VERDICTS))]  # the oldest first
    if isinstance(known, LexInfo):
        return known
    raise GuardError(*known)


def _verdict(
    query: str, max_length: int, max_depth: int, names: frozenset[str] | None,
    base_iri: str | None,
) -> LexInfo | tuple[int, str]:
    """``lex_check``'s answer, or the (status, message) of its refusal."""
    try:
        return lex_check(query, max_length, max_depth, names, base_iri)
    except GuardError as exc:
        return exc.status, exc.message


# Queries up to this many characters are lexed on the event loop: at most a millisecond
# or two, which a hop to a thread and back would cost in switches alone.
INLINE_CHARS = 4096
# Verdicts kept for queries up to VERDICT_MAX_CHARS characters, the most recent
# VERDICT_ENTRIES (at most 4 MB): the site's pages, its charts and the people using the
# endpoint send the same queries again and again. A verdict depends on nothing but the
# key: the text, the limits, the graphs, the base IRI and whether SERVICE is checked.
VERDICT_MAX_CHARS = 16384
VERDICT_ENTRIES = 256
_VERDICTS: dict[tuple[object, ...], LexInfo | tuple[int, str]] = {}
_limiter: Any = None


@dataclass(frozen=True)
class ParseInfo:
    """What a check learnt: the form, and whether the query has FROM / FROM NAMED."""

    form: str
    has_dataset: bool


def dataset_check(query: str, graph_names: Iterable[str], base_iri: str | None) -> ParseInfo:
    """The lexer's check in the worker: form, and whether FROM chooses known graphs.

    Raises ``GuardError`` as ``lex_check`` does (no length or depth limit here:
    the web process applied them).
    """
    info = lex_check(query, len(query.encode("utf-8")), 1 << 30, graph_names, base_iri)
    return ParseInfo(info.form, info.has_from)


def parse_check(
    query: str, graph_names: Iterable[str], base_iri: str | None = None
) -> ParseInfo:
    """Parse with rdflib and refuse SERVICE, updates and unknown FROM graphs.

    FROM IRIs are resolved by the lexer (BASE, prefixes, ``base_iri``). Raises
    ``GuardError`` with the parser's message and position for a syntax error.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(query)
    except ParseException as exc:
        try:
            parseUpdate(query)
        except Exception:  # noqa: BLE001 - the query error is the one to report
            from coedp.server.errors import explain

            message = explain(query)  # worded as everywhere else, when the engine agrees
            raise GuardError(
                400, syntax_message(query, exc) if message == "syntax error" else message
            ) from None
        raise GuardError(403, CONTRIBUTE) from None
    except RecursionError:
        raise GuardError(400, "the query is nested too deeply to be parsed") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises assorted errors on bad terms
        raise GuardError(400, f"syntax error: {exc}") from None
    form = ""
    has_dataset = False
    check_service = service_check_enabled()
    for node in _walk(tree):
        name = getattr(node, "name", "")
        if name == "ServiceGraphPattern" and check_service:
            term = node.get("term") if isinstance(node, dict) else None
            raise GuardError(403, _service_message(f"SERVICE <{term}>"))
        if name == "DatasetClause":
            has_dataset = True
        if not form and name.endswith("Query"):
            form = name[: -len("Query")].upper()
    if has_dataset:
        info = lex_check(query, len(query.encode("utf-8")), 1 << 30, graph_names, base_iri)
        has_dataset = info.has_from
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
        elif type(current).__name__ == "ParseResults":  # pyparsing's, not imported here
            stack.extend(cast("Iterable[object]", current))


def declare_used_prefixes(query: str, prefixes: Mapping[str, str] | None = None) -> str:
    """``query`` with a PREFIX line for each predeclared prefix it uses but does not declare.

    For a store that predeclares nothing. The declarations go before the query on
    its first line, so the line numbers of the store's errors stay right.
    """
    known = PREFIXES if prefixes is None else prefixes
    declared: set[str] = set()
    used: list[str] = []
    previous = ""
    try:
        for token in _Lexer(query).tokens():
            if token.kind == "pname" and not token.local and (
                previous == "PREFIX" or token.text.upper().startswith("PREFIX")
            ):
                declared.add(token.prefix if previous == "PREFIX" else token.prefix[6:])
            elif token.kind == "pname" and token.prefix in known and token.prefix not in used:
                used.append(token.prefix)
            previous = token.text.upper() if token.kind == "word" else ""
    except GuardError:
        return query  # the store reports the syntax error itself
    needed = [p for p in used if p not in declared]
    return "".join(f"PREFIX {p}: <{known[p]}> " for p in needed) + query
