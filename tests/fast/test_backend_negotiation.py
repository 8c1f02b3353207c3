"""The format registry and the one negotiator, as the protocol, documents and dumps use them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coedp.server import formats
from coedp.server.formats import (
    ASK_FORMATS,
    DOCUMENT_FORMATS,
    RDF_FORMATS,
    SELECT_FORMATS,
)
from coedp.server.negotiation import NotAcceptable, accepts_html, choose, negotiate

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "json"),
    ("", "json"),
    ("*/*", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("text/*", "csv"),  # the first text type: text/xml is an alias, named exactly only
    ("application/json", "json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.8", "xml"),
    ("application/sparql-results+json;q=0, */*;q=0.1", "xml"),
    (FIREFOX, "json"),  # a browser: the readable default
])
def test_select(accept: str | None, expected: str) -> None:
    assert negotiate(SELECT_FORMATS, accept).name == expected


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("text/n3", "turtle"),
    ("application/n-triples", "ntriples"),
    ("text/plain", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
    ("application/ld+json", "jsonld"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "jsonld"),
    ("application/json", "jsonld"),
    ("application/*", "ntriples"),  # the first application/ type in the server's order
])
def test_graphs(accept: str, expected: str) -> None:
    assert negotiate(RDF_FORMATS, accept).name == expected


def test_format_parameter_wins_and_names_per_kind() -> None:
    assert negotiate(SELECT_FORMATS, "text/csv", ["xml"]).name == "xml"
    assert negotiate(RDF_FORMATS, "text/turtle", ["xml"]).name == "rdfxml"
    assert negotiate(RDF_FORMATS, None, ["json"]).name == "jsonld"
    assert negotiate(SELECT_FORMATS, None, ["srj"]).name == "json"
    assert negotiate(SELECT_FORMATS, None, ["nonsense", "text/tab-separated-values"]).name == "tsv"
    with pytest.raises(NotAcceptable, match="'csv' is not available"):
        negotiate(ASK_FORMATS, None, ["csv"])


def test_nothing_acceptable() -> None:
    with pytest.raises(NotAcceptable, match="available: application/sparql-results"):
        negotiate(SELECT_FORMATS, "image/png")
    assert negotiate(SELECT_FORMATS, "image/png, text/html;q=0.1").name == "json"


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "html"),
    (FIREFOX, "html"),
    ("*/*", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"),
    ("text/turtle;q=0.9, text/html;q=0.5", "turtle"),
    ("text/html;q=0.9, application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("text/plain", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
    ("image/png", None),
])
def test_documents(accept: str | None, expected: str | None) -> None:
    chosen = choose(DOCUMENT_FORMATS, accept)
    assert (chosen.name if chosen else None) == expected


def test_accepts_html() -> None:
    assert accepts_html(FIREFOX)
    assert not accepts_html("*/*")
    assert not accepts_html("text/html;q=0.5, text/turtle")


def test_registry_is_pyoxigraph_s() -> None:
    assert formats.TURTLE.rdf == ox.RdfFormat.TURTLE
    assert formats.TURTLE.media_type == ox.RdfFormat.TURTLE.media_type
    assert formats.CSV.media_type == "text/csv"  # pyoxigraph's carries a charset
    assert formats.by_name("jsonld").content_type == "application/ld+json; charset=utf-8"
    assert formats.by_name("nquads").content_type == "application/n-quads"
    assert formats.results_format("tsv") == ox.QueryResultsFormat.TSV
    with pytest.raises(KeyError):
        formats.by_name("png")


def test_media_types_by_kind() -> None:
    # application/json is both SPARQL JSON results and JSON-LD: the kind decides.
    assert formats.from_media_type("application/json", formats.RESULTS) is formats.JSON
    assert formats.from_media_type("application/json", formats.RDF) is formats.JSONLD
    assert formats.from_media_type("Text/Turtle; charset=UTF-8", formats.RDF) is formats.TURTLE
    assert formats.from_media_type("text/ntriples", formats.RDF) is formats.NTRIPLES
    assert formats.from_media_type("text/html", formats.PAGE) is formats.HTML
    assert formats.from_media_type("image/png", formats.RDF) is None


def test_extensions() -> None:
    assert formats.from_extension(".owl") is formats.RDFXML
    assert formats.from_extension("TTL") is formats.TURTLE
    assert formats.from_extension(".html") is formats.HTML
    assert formats.from_extension(".ttl", among=formats.DATASET_FORMATS) is formats.TURTLE
    assert formats.from_extension(".rdf", among=formats.DATASET_FORMATS) is None
    assert formats.from_extension(".srj", formats.RESULTS) is formats.JSON
