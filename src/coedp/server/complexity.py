"""How many tokens a query has: a bound the engine needs that length does not give.

pyoxigraph's parser and evaluator recurse once per operator, and its planner
grows faster than linearly with the triple patterns of a group (a collection
or a property path expands into one pattern per item or step). A query of a
few kilobytes can hold thousands of either, so a limit on tokens (terms and
operators) refuses such a query before the engine sees it; below it, the
query stack (see ``limits.query_stack_mb``) holds any chain and the timeout
bounds the planner.

The scan is linear on every input: a string or IRI that does not close ends
at the line's end (the query is then a syntax error the engine reports).
"""

from __future__ import annotations

import re

from coedp.server.guard import GuardError

_TOKEN = re.compile(
    r"""
      [\ \t\r\n]++
    | \#[^\r\n]*+
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:\"\"\")?
    | '''(?:[^'\\]|\\.|'(?!''))*+(?:''')?
    | "(?:[^"\\\r\n]|\\.)*+"?
    | '(?:[^'\\\r\n]|\\.)*+'?
    | <[^<>"{}|^`\\\x00-\x20]*+>
    | [\w:.\\%$?-]++
    | .
    """,
    re.VERBOSE | re.DOTALL,
)


def count_tokens(query: str, stop_after: int = 0) -> int:
    """Terms and operators in ``query`` (whitespace and comments not counted).

    Counting stops once past ``stop_after`` when it is positive.
    """
    count = 0
    for match in _TOKEN.finditer(query):
        first = match.group()[0]
        if first in " \t\r\n#":
            continue
        count += 1
        if stop_after and count > stop_after:
            break
    return count


# Verdicts kept for recent queries up to this many characters (at most 4 MB a process):
# the same query comes again and again, and its count never changes.
_KEPT_CHARS = 16384
_KEPT_ENTRIES = 256
_too_many: dict[tuple[str, int], bool] = {}


def check_tokens(query: str, max_tokens: int) -> None:
    """Raise ``GuardError`` (400) when ``query`` has more than ``max_tokens`` tokens."""
    if max_tokens <= 0:
        return
    key = (query, max_tokens)
    over = _too_many.get(key)
    if over is None:
        over = count_tokens(query, max_tokens) > max_tokens
        if len(query) <= _KEPT_CHARS:
            if len(_too_many) >= _KEPT_ENTRIES:
                del _too_many[next(iter(_too_many))]  # the oldest first
            _too_many[key] = over
    if over:
        raise GuardError(
            400,
            f"the query has more than {max_tokens} terms and operators, the most this "
            "endpoint evaluates; split it into smaller queries (long collections, "
            "property paths and chains of operators are the usual cause)",
        )
