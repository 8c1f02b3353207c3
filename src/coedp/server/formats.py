"""Every syntax coedp reads or serves, in one registry built on pyoxigraph's formats.

pyoxigraph's ``RdfFormat`` and ``QueryResultsFormat`` give each syntax's media
type, file extension and the parser behind it (``from_media_type``,
``from_extension``); this registry adds what they lack: HTML pages, the short
names of ``format=``, the media types coedp also accepts for a syntax
(``aliases``), the charset of a Content-Type, the names the W3C gives the
formats (for the service description), rdflib's names and titles for people.

Lookups:

* :func:`by_name` (a canonical name such as ``"turtle"``, ``"json"``);
* :func:`from_media_type` and :func:`from_extension`, narrowed to a ``kind``
  (``"rdf"``, ``"results"`` or ``"page"``), since ``application/json`` is both
  SPARQL JSON results and JSON-LD;
* :func:`rdf_format` / :func:`results_format`: the pyoxigraph value of a name.

The candidate tuples (``SELECT_FORMATS``, ``RDF_FORMATS``, ``DOCUMENT_FORMATS``...)
are in the server's order of preference: the first is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

RESULTS = "results"  # SPARQL query results (SELECT, ASK)
RDF = "rdf"  # RDF graphs and datasets (CONSTRUCT, DESCRIBE, documents, dumps)
PAGE = "page"  # HTML pages


@dataclass(frozen=True)
class Format:
    """One syntax: its canonical name, kind, media type and what pyoxigraph calls it."""

    name: str  # canonical short name, e.g. "turtle"
    kind: str  # RESULTS, RDF or PAGE
    media_type: str  # the media type served, without parameters
    title: str  # for people, e.g. "Turtle"
    extension: str  # the file extension with its dot, e.g. ".ttl"
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()  # other media types that name this syntax
    names: tuple[str, ...] = ()  # other short names accepted by ``format=``
    extensions: tuple[str, ...] = ()  # other file extensions of this syntax
    w3c: str = ""  # its name under http://www.w3.org/ns/formats/ ("" for none)
    rdflib: str = ""  # rdflib's parser and serializer name ("" for none)

    @property
    def content_type(self) -> str:
        """The Content-Type header value: text, XML and JSON say they are UTF-8."""
        if self.media_type.startswith("text/") or self.media_type.endswith(("xml", "json")):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media type, then its aliases."""
        return (self.media_type, *self.aliases)


def _rdf(
    name: str, fmt: ox.RdfFormat, title: str, w3c: str, rdflib: str, *,
    aliases: tuple[str, ...] = (), names: tuple[str, ...] = (),
    extensions: tuple[str, ...] = (),
) -> Format:
    return Format(
        name, RDF, fmt.media_type, title, "." + fmt.file_extension, rdf=fmt, aliases=aliases,
        names=names, extensions=extensions, w3c=w3c, rdflib=rdflib,
    )


def _results(
    name: str, fmt: ox.QueryResultsFormat, title: str, *, aliases: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
) -> Format:
    media = fmt.media_type.partition(";")[0].strip()  # pyoxigraph gives CSV and TSV a charset
    return Format(
        name, RESULTS, media, title, "." + fmt.file_extension, results=fmt, aliases=aliases,
        names=names, w3c=str(fmt.iri).rsplit("/", 1)[-1],
    )


JSON = _results("json", ox.QueryResultsFormat.JSON, "SPARQL JSON", aliases=("application/json",),
                names=("srj",))
XML = _results("xml", ox.QueryResultsFormat.XML, "SPARQL XML",
               aliases=("application/xml", "text/xml"), names=("srx",))
CSV = _results("csv", ox.QueryResultsFormat.CSV, "CSV")
TSV = _results("tsv", ox.QueryResultsFormat.TSV, "TSV")

TURTLE = _rdf("turtle", ox.RdfFormat.TURTLE, "Turtle", "Turtle", "turtle",
              aliases=("application/x-turtle", "text/n3"), names=("ttl", "n3"))
NTRIPLES = _rdf("ntriples", ox.RdfFormat.N_TRIPLES, "N-Triples", "N-Triples", "nt",
                aliases=("text/plain",), names=("nt", "n-triples"))
RDFXML = _rdf("rdfxml", ox.RdfFormat.RDF_XML, "RDF/XML", "RDF_XML", "xml",
              aliases=("application/xml", "text/xml"), names=("rdf+xml", "rdf", "xml"),
              extensions=(".owl",))
JSONLD = _rdf("jsonld", ox.RdfFormat.JSON_LD, "JSON-LD", "JSON-LD", "json-ld",
              aliases=("application/json",), names=("json-ld", "json"))
NQUADS = _rdf("nquads", ox.RdfFormat.N_QUADS, "N-Quads", "N-Quads", "nquads", names=("nq",))
TRIG = _rdf("trig", ox.RdfFormat.TRIG, "TriG", "TriG", "trig")

HTML = Format("html", PAGE, "text/html", "HTML", ".html", aliases=("application/xhtml+xml",))

ALL: tuple[Format, ...] = (JSON, XML, CSV, TSV, TURTLE, NTRIPLES, RDFXML, JSONLD, NQUADS, TRIG,
                           HTML)

# Candidates, in the server's order of preference.
SELECT_FORMATS = (JSON, XML, CSV, TSV)
ASK_FORMATS = (JSON, XML)
RDF_FORMATS = (TURTLE, NTRIPLES, RDFXML, JSONLD)  # graphs: CONSTRUCT, DESCRIBE, Graph Store
# The document about an IRI (TriG and N-Quads keep the named graph of each statement).
DOCUMENT_FORMATS = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML, TRIG, NQUADS)
DATASET_FORMATS = (TRIG, NQUADS, TURTLE, NTRIPLES)  # what ``coedp serve --data`` loads
# What the commands that read a dataset file take (quads keep their graphs).
FILE_FORMATS = (NQUADS, TRIG, TURTLE, NTRIPLES, RDFXML, JSONLD)

_BY_NAME = {f.name: f for f in ALL}


class UnknownFormat(KeyError):
    """No syntax of the registry has that name."""


def by_name(name: str) -> Format:
    """The syntax of canonical name ``name``; ``UnknownFormat`` otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownFormat(name) from None


def rdf_format(name: str) -> ox.RdfFormat:
    """pyoxigraph's value for the RDF syntax ``name``."""
    fmt = by_name(name).rdf
    if fmt is None:
        raise UnknownFormat(name)
    return fmt


def results_format(name: str) -> ox.QueryResultsFormat:
    """pyoxigraph's value for the results syntax ``name``."""
    fmt = by_name(name).results
    if fmt is None:
        raise UnknownFormat(name)
    return fmt


def bare_media_type(value: str) -> str:
    """``value`` without its parameters, lower-cased (the media type proper)."""
    return value.partition(";")[0].strip().lower()


def from_media_type(
    value: str, kind: str, among: tuple[Format, ...] = ALL
) -> Format | None:
    """The syntax of kind ``kind`` among ``among`` a media type names (parameters ignored).

    pyoxigraph's own reading of media types comes first (it knows more
    spellings), then the registry's aliases.
    """
    media = bare_media_type(value)
    if not media:
        return None
    candidates = [f for f in among if f.kind == kind]
    found: object = None
    if kind == RDF:
        found = ox.RdfFormat.from_media_type(media)
    elif kind == RESULTS:
        found = ox.QueryResultsFormat.from_media_type(media)
    for f in candidates:
        if found is not None and found in (f.rdf, f.results):
            return f
    for f in candidates:
        if media in f.media_types:
            return f
    return None


def from_extension(extension: str, kind: str | None = None,
                   among: tuple[Format, ...] = ALL) -> Format | None:
    """The syntax a file extension (``.ttl`` or ``ttl``, any case) names, among ``among``."""
    ext = "." + extension.lower().lstrip(".")
    for f in among:
        if (kind is None or f.kind == kind) and ext in (f.extension, *f.extensions):
            return f
    return None


def by_short_name(value: str, kind: str) -> Format | None:
    """The syntax of kind ``kind`` a ``format=`` short name names (``ttl``, ``srj``...)."""
    value = value.strip().lower()
    for f in ALL:
        if f.kind == kind and value in (f.name, *f.names):
            return f
    return None


def accept_header(preferred: tuple[Format, ...]) -> str:
    """An Accept header asking for ``preferred`` in that order (q 1, 0.9, 0.8...)."""
    parts = []
    for rank, f in enumerate(preferred):
        q = round(1 - rank / 10, 1)
        parts.append(f.media_type if rank == 0 else f"{f.media_type};q={q:g}")
    return ", ".join(parts)
