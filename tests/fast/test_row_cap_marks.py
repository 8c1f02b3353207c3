"""The row cap in every results syntax, where literals hold what looks like a row's mark.

A result is serialised once and its rows counted by the marks of the syntax
(``},{`` in JSON, line breaks in CSV...); a literal may hold one, and the
count must then neither refuse a result within the cap nor serve one past it.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from coedp.server.engine import QueryTask, execute
from coedp.server.protocol import parse_query_string

# Four rows; two literals hold the JSON row separator, a CSV line break and "<result>".
TRICKY = ('x},{y},{"z"', 'line one\nline two\r\nthree', '<result></result>', 'plain')
QUERY = "SELECT ?s ?o WHERE { ?s <https://x.org/p> ?o } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT WHERE { ?s <https://x.org/p> ?o }"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Four triples, one per tricky literal."""
    built = ox.Store()
    for i, text in enumerate(TRICKY):
        built.add(ox.Quad(ox.NamedNode(f"https://x.org/s{i}"), ox.NamedNode("https://x.org/p"),
                          ox.Literal(text)))
    return built


def rows_of(fmt: str, body: bytes) -> int:
    """The rows of a results document, read by a real parser."""
    if fmt == "json":
        return len(json.loads(body)["results"]["bindings"])
    if fmt == "csv":
        return len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) - 1
    syntax = {"xml": ox.QueryResultsFormat.XML, "tsv": ox.QueryResultsFormat.TSV}[fmt]
    solutions = ox.parse_query_results(body, syntax)
    assert isinstance(solutions, ox.QuerySolutions)
    return len(list(solutions))


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_result_at_the_cap_is_served_whole(store: ox.Store, fmt: str) -> None:
    outcome = execute(store, frozenset(), QueryTask(QUERY, fmt, "turtle", max_rows=4))
    assert outcome.status == 200, outcome.message
    assert rows_of(fmt, outcome.body) == 4
    assert "line one" in outcome.body.decode("utf-8")


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_result_past_the_cap_is_refused(store: ox.Store, fmt: str) -> None:
    outcome = execute(store, frozenset(), QueryTask(QUERY, fmt, "turtle", max_rows=3))
    assert outcome.status == 422
    assert "more than 3 rows" in outcome.message and "LIMIT" in outcome.message


@pytest.mark.parametrize("rdf", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_triples_at_and_past_the_cap(store: ox.Store, rdf: str) -> None:
    served = execute(store, frozenset(), QueryTask(CONSTRUCT, "json", rdf, max_rows=4))
    assert served.status == 200, served.message
    syntax = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
              "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}[rdf]
    assert len(list(ox.parse(served.body, format=syntax))) == 4
    refused = execute(store, frozenset(), QueryTask(CONSTRUCT, "json", rdf, max_rows=3))
    assert refused.status == 422 and "more than 3 rows" in refused.message


@pytest.mark.parametrize(
    "raw",
    [b"query=SELECT+%3Fs+%7B%7D&format=json", b"a=%zz&b=%4&c=%", b"flag&x=&=y&&z=1",
     b"q=back%5Cslash%5Cx41+\\x41", b"q=%C3%A9t%C3%A9"],
)
def test_query_string_read_as_urllib_reads_it(raw: bytes) -> None:
    from urllib.parse import parse_qsl

    expected = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    assert parse_query_string(raw) == expected


def test_query_string_not_utf8_is_an_error() -> None:
    with pytest.raises(UnicodeDecodeError):
        parse_query_string(b"query=%C3%28")
