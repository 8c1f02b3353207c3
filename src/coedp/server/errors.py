"""Syntax errors a person can read: the culprit, its line and column, a suggestion.

One formatter serves the endpoint (the guard and the workers), the query page
and ``coedp query``, so a mistake reads the same everywhere:

- ``unknown prefix foo: at line 1, column 31; declare it with PREFIX foo: <...>
  or use one of coedp:, orgs:, body:, ...``
- ``SELCT at line 1, column 1: expected SELECT, ASK, CONSTRUCT or DESCRIBE
  (did you mean SELECT?)``
- ``the { at line 1, column 17 is never closed``
- otherwise the engine's own position with what it expected, its character
  classes (hundreds of Unicode ranges) left out.

The query is read with the guard's lexer (the engine's tokens); a mistake it
finds at or before the place where the engine stopped is the one named, since
the engine often stops a few characters after the culprit.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coedp.namespaces import PREFIXES

if TYPE_CHECKING:
    from coedp.server.guard import _Token

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# The predeclared prefixes an unknown-prefix message names first (then "...").
LISTED_PREFIXES = ("coedp", "orgs", "body", "activity", "event", "country", "rdfs", "skos")
# At most this many of the engine's expected tokens are named.
LISTED_EXPECTED = 8
# Every bare word SPARQL 1.1 (and the engine's RDF 1.2 additions) reads: keywords and
# built-in functions. Any other bare word is a mistake.
KEYWORDS = frozenset("""
BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY
HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS
FILTER UNION NOT IN EXISTS A TRUE FALSE LATERAL COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE
IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR
INSERT DELETE DATA LOAD CLEAR CREATE DROP COPY MOVE ADD WITH INTO TO USING DEFAULT ALL
""".split())


@dataclass(frozen=True)
class _Finding:
    offset: int  # where the mistake is (for an unclosed bracket: the end of the query)
    message: str


def position(query: str, offset: int) -> str:
    """``line L, column C`` of ``offset`` (1-based; lines end at LF, columns count characters)."""
    from coedp.server.guard import line_col  # the guard imports this module in turn

    line, column = line_col(query, offset)
    return f"line {line}, column {column}"


def _offset(query: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column."""
    start = 0
    for _ in range(line - 1):
        found = query.find("\n", start)
        if found < 0:
            return len(query)
        start = found + 1
    return min(start + column - 1, len(query))


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    match = difflib.get_close_matches(word.upper(), [c.upper() for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else ""


def unknown_prefix_message(
    query: str, offset: int, prefix: str, known: Mapping[str, str] | None = None
) -> str:
    """An undeclared prefix: where it is, how to declare it, the prefixes already known."""
    known = PREFIXES if known is None else known
    names = list(known)
    close = difflib.get_close_matches(prefix, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}:?)" if close else ""
    featured = [p for p in LISTED_PREFIXES if p in known] or names[: len(LISTED_PREFIXES)]
    listed = ", ".join(f"{p}:" for p in featured)
    more = ", ..." if len(names) > len(featured) else ""
    return (
        f"unknown prefix {prefix}: at {position(query, offset)}{hint}; declare it with "
        f"PREFIX {prefix}: <...> or use one of {listed}{more}"
    )


def not_a_query_message(query: str, offset: int, found: str) -> str:
    """The first word after the prologue starts no query form."""
    if not found:
        return (
            f"the query ends at {position(query, offset)} before its form: expected "
            "SELECT, ASK, CONSTRUCT or DESCRIBE"
        )
    return (
        f"{found} at {position(query, offset)}: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
        f"{_did_you_mean(found, QUERY_FORMS)}"
    )


def explain(query: str, engine_message: str | None = None,
            prefixes: Mapping[str, str] | None = None) -> str:
    """A syntax error of ``query`` in one line, from the engine's ``error at L:C: ...``.

    ``prefixes`` are the predeclared ones (default: the project's). Without
    ``engine_message`` the engine parses the query here to get it.
    """
    prefixes = PREFIXES if prefixes is None else prefixes
    if engine_message is None:
        engine_message = _engine_message(query, prefixes)
    if not engine_message:  # the engine reads the query: nothing to explain here
        return "syntax error"
    match = re.match(r"error at (\d+):(\d+): (.*)", engine_message, re.S)
    stop = _offset(query, int(match[1]), int(match[2])) if match else len(query)
    finding = _diagnose(query, prefixes)
    if finding is not None and (finding.offset <= stop or not match):
        return finding.message
    if not match:
        return f"syntax error: {engine_message}"
    return _summarise(query, stop, match[3])


def _engine_message(query: str, prefixes: Mapping[str, str]) -> str | None:
    import pyoxigraph as ox

    try:
        ox.Store().query(query, prefixes=dict(prefixes))
    except SyntaxError as exc:
        return str(exc)
    except Exception:  # noqa: BLE001 - it parsed: the mistake is elsewhere
        return None
    return None


def _diagnose(query: str, prefixes: Mapping[str, str]) -> _Finding | None:
    """The first mistake the lexer sees: a bad token, an unknown prefix or word, a bracket."""
    from coedp.server.guard import GuardError

    diagnosis = _Diagnosis(query, prefixes)
    try:
        for token in diagnosis.lexer.tokens():
            finding = diagnosis.feed(token)
            if finding is not None:
                return finding
    except GuardError as exc:
        found = re.search(r"line (\d+), column (\d+)", exc.message)
        where = _offset(query, int(found[1]), int(found[2])) if found else len(query)
        return _Finding(where, exc.message)
    return diagnosis.at_end()


# Each closing bracket and the opening one it closes.
_PAIRS = {"}": "{", ")": "(", "]": "[", ">>": "<<"}


class _Diagnosis:
    """What :func:`_diagnose` has read so far: brackets, the query form, declared prefixes."""

    def __init__(self, query: str, prefixes: Mapping[str, str]) -> None:
        from coedp.server.guard import _Lexer

        self.query = query
        self.prefixes = prefixes
        self.declared = dict(prefixes)
        self.brackets: list[tuple[str, int]] = []
        self.form = ""
        self.expect_name = False
        self.tokens: list[_Token] = []
        self.triples = _TriplePatterns()
        self.lexer = _Lexer(query)

    def feed(self, token: _Token) -> _Finding | None:
        """Read one token; the mistake it shows, if any."""
        query = self.query
        self.tokens.append(token)
        missing = self.triples.feed(token)
        if missing is not None:
            return _Finding(missing[0], missing[1].replace("{at}", position(query, missing[0])))
        if len(self.tokens) > 1 and _dangling(self.tokens[-2], token):
            op = self.tokens[-2]
            return _Finding(op.offset, f"the {op.text} at {position(query, op.offset)} "
                            "has nothing on its right")
        if token.kind == "open":
            self.brackets.append((token.text, token.offset))
            return None
        if token.kind == "close":
            return self._close(token)
        if self.expect_name:
            self.expect_name = False
            if token.kind == "pname" and not token.local:
                self.declared[token.prefix] = ""
                return None
        return self._in_query(token) if self.form else self._prologue(token)

    def _close(self, token: _Token) -> _Finding | None:
        """A closing bracket: it must close the last one opened."""
        query, text = self.query, token.text
        if not self.brackets:
            return _Finding(token.offset, f"the {text} at "
                            f"{position(query, token.offset)} closes nothing")
        opened, at = self.brackets.pop()
        if _PAIRS[text] == opened:
            return None
        closer = next(c for c, o in _PAIRS.items() if o == opened)
        return _Finding(
            token.offset,
            f"the {text} at {position(query, token.offset)} does not close the "
            f"{opened} at {position(query, at)} (expected {closer})",
        )

    def _prologue(self, token: _Token) -> _Finding | None:
        """Before the query form: PREFIX and BASE declarations only."""
        kind, upper = token.kind, token.text.upper()
        if kind == "word" and upper in ("PREFIX", "BASE"):
            self.expect_name = upper == "PREFIX"
            return None
        if kind == "pname" and upper.startswith("PREFIX") and not token.local:
            self.declared[token.prefix[len("PREFIX"):]] = ""
            return None
        if kind == "iri":
            return None
        if kind in ("word", "pname") and upper.startswith(QUERY_FORMS):
            self.form = upper
            if kind == "word" and upper.startswith("SELECT"):
                self.lexer.frames[-1].clause = "select"  # as the guard reads it
            return None
        return _Finding(token.offset, not_a_query_message(self.query, token.offset, token.text))

    def _in_query(self, token: _Token) -> _Finding | None:
        """After the query form: known prefixes and keywords."""
        from coedp.server.guard import _clause_word

        kind, text, upper = token.kind, token.text, token.text.upper()
        if kind == "word":
            _clause_word(self.lexer, upper)  # where "(" opens an expression, as in the guard
        if kind == "pname" and token.prefix not in self.declared:
            return _Finding(token.offset, unknown_prefix_message(
                self.query, token.offset, token.prefix, self.prefixes))
        if kind == "word" and upper not in KEYWORDS:
            return _Finding(
                token.offset,
                f"{text} at {position(self.query, token.offset)}: not a SPARQL keyword"
                f"{_did_you_mean(text, KEYWORDS)}",
            )
        return None

    def at_end(self) -> _Finding | None:
        """What the end of the query shows: a dangling operator, no form, an open bracket."""
        query, tokens = self.query, self.tokens
        if tokens and tokens[-1].kind == "op" and tokens[-1].text in _COMPARISONS:
            op = tokens[-1]
            return _Finding(op.offset, f"the {op.text} at {position(query, op.offset)} "
                            "has nothing on its right")
        if not self.form:
            return _Finding(len(query), not_a_query_message(query, len(query), ""))
        if self.brackets:
            opened, at = self.brackets[-1]
            return _Finding(len(query), f"the {opened} at {position(query, at)} is never closed")
        return None


class _TriplePatterns:
    """Finds a triple pattern that stops before its object: ``{ ?s ?p }``, ``?s ?p ?o ; ?q .``.

    Follows the simple terms (variables, IRIs, prefixed names, blank nodes, ``a``)
    written since the last ``{``, ``.`` or ``;``; any other token (a literal, a path,
    a function, brackets) leaves the pattern to the engine. VALUES blocks are skipped.
    """

    SIMPLE = frozenset({"var", "iri", "pname", "bnode"})

    def __init__(self) -> None:
        self.run: list[_Token] | None = None  # simple terms since the separator; None: not followed
        self.after = ""  # the separator: "{", "." or ";"
        self.values = False  # VALUES read, its variables being read

    def feed(self, token: _Token) -> tuple[int, str] | None:
        """Read one token; (offset, message with "{at}") when a pattern lacks its object."""
        kind, text = getattr(token, "kind", ""), getattr(token, "text", "")
        upper = text.upper()
        if kind == "word" and upper == "VALUES":
            self.values, self.run = True, None
            return None
        if text == "{" and not self.values:
            self.run, self.after = [], "{"
            return None
        if kind == "close" or text in (".", ";"):
            found = self._missing()
            self.values = False
            if text in (".", ";"):
                self.run, self.after = [], text
            elif text == "}":  # a pattern may follow a group: { OPTIONAL { ... } ?s ?p ?o }
                self.run, self.after = [], "."
            else:
                self.run, self.after = None, ""
            return found
        if self.values and (kind == "var" or text in "()"):
            return None
        self.values = False
        simple = kind in self.SIMPLE or (kind == "word" and text == "a")
        if self.run is not None and simple:
            self.run.append(token)
        else:
            self.run = None
        return None

    def _missing(self) -> tuple[int, str] | None:
        run = self.run
        if run is None:
            return None
        if self.after in ("{", ".") and len(run) == 2:
            subject = run[0]
            return subject.offset, (f"the triple pattern {subject.text} {run[1].text} at {{at}} "
                                    "has no object")
        if self.after == ";" and len(run) == 1:
            return run[0].offset, f"the predicate {run[0].text} at {{at}} has no object"
        return None


_COMPARISONS = frozenset({"=", "!=", "<", ">", "<=", ">=", "&&", "||"})


def _dangling(previous: object, token: object) -> bool:
    """A comparison or logical operator straight before a closing bracket: no right operand."""
    return (
        getattr(previous, "kind", "") == "op" and getattr(previous, "text", "") in _COMPARISONS
        and getattr(token, "kind", "") == "close"
    )


def _summarise(query: str, stop: int, detail: str) -> str:
    """The engine's message without its character classes, naming what it found."""
    expected = detail.strip()
    expected = re.sub(r"^expected (one of )?", "", expected)
    items = [item.strip() for item in _split(expected)]
    kept = [i for i in items if i and not i.startswith("[") and i != "Prefix not found"]
    found = _found(query, stop)
    where = f"syntax error at {position(query, stop)}" + (f" (after {found})" if found else "")
    if not kept:
        return f"{where}: the query cannot go on from here"
    shown = kept[:LISTED_EXPECTED] + (["..."] if len(kept) > LISTED_EXPECTED else [])
    listing = shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)
    return f"{where}: expected {listing}"


def _split(text: str) -> list[str]:
    """Split at the commas outside brackets and quotes."""
    items, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(text):
        if quote:
            if c == quote and text[i - 1] != "\\":
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def _found(query: str, stop: int) -> str:
    """The last word or character before ``stop`` (where the engine gave up), quoted."""
    before = query[:stop].rstrip()
    word = re.search(r"[\w:?$]+$|\S$", before)
    return f"'{word.group()}'" if word else ""
