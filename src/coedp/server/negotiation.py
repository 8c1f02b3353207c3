"""Choose a result format from the Accept header or a ``format`` parameter."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """A result syntax: the media type served and the short name in ``format=``."""

    name: str  # the canonical short name, e.g. "json"
    media_type: str
    kind: str  # "results" (SELECT/ASK) or "rdf" (CONSTRUCT/DESCRIBE)
    aliases: tuple[str, ...] = ()  # other media types that mean the same

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text types say they are UTF-8)."""
        if self.media_type.startswith("text/") or self.media_type.endswith(("xml", "json")):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


JSON = Format("json", "application/sparql-results+json", "results", ("application/json",))
XML = Format(
    "xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml")
)
CSV = Format("csv", "text/csv", "results")
TSV = Format("tsv", "text/tab-separated-values", "results")
TURTLE = Format("turtle", "text/turtle", "rdf", ("application/x-turtle",))
NTRIPLES = Format("ntriples", "application/n-triples", "rdf", ("text/plain",))
RDFXML = Format("rdfxml", "application/rdf+xml", "rdf", ("application/xml", "text/xml"))
JSONLD = Format("jsonld", "application/ld+json", "rdf", ("application/json",))

# Server preference order: the first is the default when the client has none.
SELECT_FORMATS = (JSON, XML, CSV, TSV)
ASK_FORMATS = (JSON, XML)
RDF_FORMATS = (TURTLE, NTRIPLES, RDFXML, JSONLD)

# Short names of ``format=`` (and SPARQLWrapper's ``output``/``results``), per kind.
_SHORT_NAMES: dict[str, dict[str, Format]] = {
    "results": {
        "json": JSON, "srj": JSON, "xml": XML, "srx": XML, "csv": CSV, "tsv": TSV,
    },
    "rdf": {
        "turtle": TURTLE, "ttl": TURTLE, "n3": TURTLE, "nt": NTRIPLES, "ntriples": NTRIPLES,
        "n-triples": NTRIPLES, "rdfxml": RDFXML, "rdf+xml": RDFXML, "rdf": RDFXML,
        "xml": RDFXML, "jsonld": JSONLD, "json-ld": JSONLD, "json": JSONLD,
    },
}

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
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
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
    ranges = parse_accept(accept)
    html = max((r.q for r in ranges if r.matches("text/html") == 3), default=0.0)
    return html > 0 and html >= max((r.q for r in ranges if r.type != "*"), default=0.0)


def negotiate(
    candidates: tuple[Format, ...], accept: str | None, overrides: list[str] | None = None
) -> Format:
    """Pick the format for a response.

    ``overrides`` are the values of ``format``/``output``/``results``: a short
    name or a media type; the first that names a candidate wins over Accept.
    Without Accept, or with a browser's (text/html preferred), the first
    candidate is served.
    Raises ``NotAcceptable`` when nothing fits.
    """
    available = ", ".join(f"{f.media_type} ({f.name})" for f in candidates)
    if overrides:
        for value in overrides:
            found = _by_name_or_type(candidates, value.strip().lower())
            if found is not None:
                return found
        raise NotAcceptable(
            f"format {overrides[0]!r} is not available for this query; available: {available}"
        )
    if not accept or not accept.strip() or accepts_html(accept):
        # No preference, or a browser's (text/html first): the default, readable format.
        return candidates[0]
    ranges = parse_accept(accept)
    best: Format | None = None
    best_q = 0.0
    for fmt in candidates:
        # An alias counts only when named exactly: "text/*" must not pick XML via text/xml.
        exact = [r.q for r in ranges for t in fmt.aliases if r.matches(t) == 3]
        q = max([quality(ranges, fmt.media_type), *exact])
        if q > best_q:
            best, best_q = fmt, q
    if best is not None:
        return best
    if quality(ranges, "text/html") > 0:
        return candidates[0]
    raise NotAcceptable(f"no acceptable format for Accept: {accept}; available: {available}")


def _by_name_or_type(candidates: tuple[Format, ...], value: str) -> Format | None:
    kind = candidates[0].kind
    named = _SHORT_NAMES[kind].get(value)
    if named in candidates:
        return named
    for fmt in candidates:
        if value == fmt.media_type or value in fmt.aliases:
            return fmt
    return None


