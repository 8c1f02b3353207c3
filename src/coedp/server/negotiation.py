"""The one content negotiator: choose a syntax from Accept or a ``format`` parameter.

Used by the SPARQL protocol, the Graph Store, the documents about IRIs and the
site's pages. The syntaxes themselves are in :mod:`coedp.server.formats`.

Rules: the values of ``format``/``output``/``results`` (a short name or a
media type) win over Accept; without Accept, or with a browser's (text/html
preferred), the first candidate is served; otherwise the candidate with the
highest q, a media type counting through its most specific matching range
(an alias only when named exactly: ``text/*`` must not pick RDF/XML through
``text/xml``), the server's order breaking ties.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from coedp.server.formats import (
    ASK_FORMATS,
    CSV,
    DOCUMENT_FORMATS,
    HTML,
    JSON,
    JSONLD,
    NTRIPLES,
    RDF_FORMATS,
    RDFXML,
    SELECT_FORMATS,
    TSV,
    TURTLE,
    XML,
    Format,
)

__all__ = [
    "ASK_FORMATS", "CSV", "DOCUMENT_FORMATS", "FORMAT_PARAMETERS", "HTML", "JSON", "JSONLD",
    "NTRIPLES", "RDFXML", "RDF_FORMATS", "SELECT_FORMATS", "TSV", "TURTLE", "XML", "Format",
    "MediaRange", "NotAcceptable", "accepts_html", "formats_for", "negotiate", "parse_accept",
    "quality",
]

# The parameters that name a format (SPARQLWrapper sends ``output`` or ``results``).
FORMAT_PARAMETERS = ("format", "output", "results")


class NotAcceptable(Exception):
    """No format fits; the message lists what is available."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), 0 for none."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == "*":
            return 2
        if self.type == main and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an Accept header; malformed entries are skipped, q clamped to [0, 1]."""
    return list(_parsed(header))


@functools.lru_cache(maxsize=256)
def _parsed(header: str) -> tuple[MediaRange, ...]:
    """The media ranges of ``header``: clients send the same few headers again and again."""
    ranges: list[MediaRange] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        if not main or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub, q))
    return tuple(ranges)


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q the client gives ``media_type``: that of the most specific matching range."""
    best_specificity, best_q = 0, 0.0
    for r in ranges:
        s = r.matches(media_type)
        if s > best_specificity:
            best_specificity, best_q = s, r.q
    return best_q


def formats_for(form: str) -> tuple[Format, ...]:
    """The formats a query form can be answered in."""
    if form == "SELECT":
        return SELECT_FORMATS
    if form == "ASK":
        return ASK_FORMATS
    return RDF_FORMATS


def accepts_html(accept: str | None) -> bool:
    """Whether the client prefers an HTML page (a browser), above any RDF or results type."""
    if not accept:
        return False
    return _accepts_html(accept)


@functools.lru_cache(maxsize=256)
def _accepts_html(accept: str) -> bool:
    ranges = _parsed(accept)
    html = max((r.q for r in ranges if r.matches("text/html") == 3), default=0.0)
    return html > 0 and html >= max((r.q for r in ranges if r.type != "*"), default=0.0)


def available(candidates: tuple[Format, ...]) -> str:
    """The candidates for a message: ``text/turtle (turtle), ...``."""
    return ", ".join(f"{f.media_type} ({f.name})" for f in candidates)


def negotiate(
    candidates: tuple[Format, ...], accept: str | None, overrides: list[str] | None = None
) -> Format:
    """Pick the format for a response; see the module docstring for the rules.

    ``overrides`` are the values of ``format``/``output``/``results``: the
    first that names a candidate wins over Accept. Raises ``NotAcceptable``
    when nothing fits.
    """
    if overrides:
        for value in overrides:
            found = _by_name_or_type(candidates, value.strip().lower())
            if found is not None:
                return found
        raise NotAcceptable(
            f"format {overrides[0]!r} is not available for this query; "
            f"available: {available(candidates)}"
        )
    if not accept or not accept.strip() or accepts_html(accept):
        # No preference, or a browser's (text/html first): the default, readable format.
        return candidates[0]
    # The same candidates (a module's constant) and the same header come again and again.
    remembered = _chosen.get((id(candidates), accept))
    if remembered is not None and remembered[0] is candidates:
        return remembered[1]
    chosen = _by_accept(candidates, accept)
    if len(_chosen) >= 256:
        _chosen.clear()
    # The candidates are kept with the choice: their id cannot be reused meanwhile.
    _chosen[(id(candidates), accept)] = (candidates, chosen)
    return chosen


_chosen: dict[tuple[int, str], tuple[tuple[Format, ...], Format]] = {}


def _by_accept(candidates: tuple[Format, ...], accept: str) -> Format:
    """The candidate ``accept`` prefers; raises ``NotAcceptable`` when it takes none."""
    ranges = _parsed(accept)
    best: Format | None = None
    best_q = 0.0
    for fmt in candidates:
        exact = [r.q for r in ranges for t in fmt.aliases if r.matches(t) == 3]
        q = max([quality(ranges, fmt.media_type), *exact])
        if q > best_q:
            best, best_q = fmt, q
    if best is not None:
        return best
    if quality(ranges, "text/html") > 0:
        return candidates[0]
    raise NotAcceptable(
        f"no acceptable format for Accept: {accept}; available: {available(candidates)}"
    )


def choose(candidates: tuple[Format, ...], accept: str | None) -> Format | None:
    """``negotiate`` by Accept alone, None instead of ``NotAcceptable``."""
    try:
        return negotiate(candidates, accept)
    except NotAcceptable:
        return None


def _by_name_or_type(candidates: tuple[Format, ...], value: str) -> Format | None:
    for fmt in candidates:
        if value == fmt.name or value in fmt.names:
            return fmt
    for fmt in candidates:
        if value in fmt.media_types:
            return fmt
    return None
