"""What Virtuoso (and stores like it) answer that needs repair or care.

* its error messages echo the whole query after the message: ``gist`` keeps
  the message;
* its SPARQL XML results name blank nodes ``nodeID://b10004``, not a valid
  label: ``AnswerStream`` rewrites them while the answer streams in;
* it may answer an ASK as a one-cell table: ``ask_answer``;
* past its own time limit it may send a partial result, marked by an
  ``X-SQL-State`` header: ``is_partial``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import IO, cast

import httpx
import pyoxigraph as ox

from coedp.server.backends.remote.errors import Deadline

STORE_MESSAGE_LIMIT = 500  # characters of a store's message worth passing on
PARTIAL = (
    "the store stopped the query at its own time limit and offered a partial result, "
    "which is not served; narrow the query and try again"
)


def gist(text: str) -> str:
    """The store's message, without the query Virtuoso echoes after it, on one line."""
    text = text.split("SPARQL query:", 1)[0]
    text = " ".join(text.split())
    return text[:STORE_MESSAGE_LIMIT] + ("..." if len(text) > STORE_MESSAGE_LIMIT else "")


class AnswerStream:
    """A file-like view of a streamed response for pyoxigraph's parsers, checking the deadline.

    With ``fix_bnodes``, blank node labels of SPARQL XML results are rewritten to
    valid ones (Virtuoso writes ``<bnode>nodeID://b10004</bnode>``), keeping
    distinct labels distinct.
    """

    def __init__(self, chunks: Iterator[bytes], deadline: float, fix_bnodes: bool = False) -> None:
        self.chunks = chunks
        self.deadline = deadline
        self.fix_bnodes = fix_bnodes
        self.raw = b""  # bytes not yet safe to rewrite (a label may continue in the next chunk)
        self.pending = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            if time.monotonic() > self.deadline:
                raise Deadline
            chunk = next(self.chunks, None)
            if chunk is None:
                self.pending += self._rewrite(self.raw)
                self.raw = b""
                break
            self._take(chunk)
        if size < 0:
            size = len(self.pending)
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def _take(self, chunk: bytes) -> None:
        if not self.fix_bnodes:
            self.pending += chunk
            return
        self.raw += chunk
        opened, closed = self.raw.rfind(b"<bnode>"), self.raw.rfind(b"</bnode>")
        # Keep back an unclosed label, or a tail that may be the start of "<bnode>".
        if opened > closed:
            cut = opened
        else:
            end = closed + len(b"</bnode>") if closed >= 0 else 0
            cut = max(end, len(self.raw) - len(b"<bnode>"))
        self.pending += self._rewrite(self.raw[:cut])
        self.raw = self.raw[cut:]

    def _rewrite(self, data: bytes) -> bytes:
        if not self.fix_bnodes:
            return data
        return _BNODE.sub(_bnode_label, data)


_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")
_BNODE_LABEL = re.compile(rb"[A-Za-z0-9_]+")


def _bnode_label(match: re.Match[bytes]) -> bytes:
    label = match.group(1)
    if _BNODE_LABEL.fullmatch(label):
        return match.group()
    return b"<bnode>x" + label.hex().encode() + b"</bnode>"


def readable(stream: AnswerStream) -> IO[bytes]:
    """``stream`` as pyoxigraph's parsers take it: they only call its ``read``."""
    return cast(IO[bytes], stream)


def is_partial(response: httpx.Response) -> bool:
    """Whether the answer is Virtuoso's "anytime" result, cut at its own time limit."""
    return bool(response.headers.get("x-sql-state"))


def ask_answer(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """An ASK answered as a one-cell table (Virtuoso's ``__ASK_RETVAL``), as a boolean."""
    row = next(iter(solutions), None)
    cell = row[0] if row is not None and len(solutions.variables) == 1 else None
    truth = cell is not None and cell.value not in ("0", "false")
    document = b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false")
    answer = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
    assert isinstance(answer, ox.QueryBoolean)
    return answer
