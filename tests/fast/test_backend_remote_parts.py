"""The remote backend's parts that need no store: repairs of answers, errors, requests."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from coedp.server.backends.remote.errors import Deadline, StoreFailure, rdf_format_of, store_error
from coedp.server.backends.remote.http import RDF_ACCEPT, RESULTS_ACCEPT
from coedp.server.backends.remote.virtuoso import AnswerStream, ask_answer, gist, readable

XML_WITH_VIRTUOSO_BNODES = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
    b'<head><variable name="x"/></head><results>'
    b"<result><binding name=\"x\"><bnode>nodeID://b10004</bnode></binding></result>"
    b"<result><binding name=\"x\"><bnode>nodeID://b10005</bnode></binding></result>"
    b"<result><binding name=\"x\"><bnode>nodeID://b10004</bnode></binding></result>"
    b"<result><binding name=\"x\"><bnode>ok_label</bnode></binding></result>"
    b"</results></sparql>"
)


@pytest.mark.parametrize("size", [1, 3, 7, 64, 4096])
def test_virtuoso_blank_nodes_are_repaired_across_chunks(size: int) -> None:
    data = XML_WITH_VIRTUOSO_BNODES
    chunks = iter([data[i:i + size] for i in range(0, len(data), size)])
    stream = AnswerStream(chunks, time.monotonic() + 60, fix_bnodes=True)
    solutions = ox.parse_query_results(readable(stream), ox.QueryResultsFormat.XML)
    assert isinstance(solutions, ox.QuerySolutions)
    labels = [row["x"] for row in solutions]
    assert all(isinstance(b, ox.BlankNode) for b in labels)
    assert labels[0] == labels[2] and labels[0] != labels[1]  # distinct stay distinct
    assert labels[3] == ox.BlankNode("ok_label")  # a valid label is kept


def test_the_deadline_stops_reading() -> None:
    stream = AnswerStream(iter([b"x"] * 10), time.monotonic() - 1)
    with pytest.raises(Deadline):
        stream.read(5)


def test_an_ask_answered_as_a_table_is_a_boolean() -> None:
    table = b"?__ASK_RETVAL\n1\n"
    solutions = ox.parse_query_results(table, ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    assert bool(ask_answer(solutions)) is True
    zero = ox.parse_query_results(b"?__ASK_RETVAL\n0\n", ox.QueryResultsFormat.TSV)
    assert isinstance(zero, ox.QuerySolutions)
    assert bool(ask_answer(zero)) is False


def test_messages_keep_the_store_s_words_without_the_echoed_query() -> None:
    text = "Virtuoso 37000 Error SP030: syntax error\n\nSPARQL query:\nSELECT * { ?s ?p"
    assert gist(text) == "Virtuoso 37000 Error SP030: syntax error"
    assert gist("x" * 600).endswith("...") and len(gist("x" * 600)) == 503


@pytest.mark.parametrize(("status", "message", "expected"), [
    (400, "syntax error", 400),
    (401, "unauthorised", 502),
    (500, "Transaction timed out", 503),
    (504, "gateway", 503),
    (500, "internal", 502),
])
def test_store_errors_become_answers(status: int, message: str, expected: int) -> None:
    outcome = store_error(status, message)
    assert outcome.status == expected and message in outcome.message


def test_answers_are_read_by_media_type() -> None:
    assert rdf_format_of("text/plain") == ox.RdfFormat.N_TRIPLES
    assert rdf_format_of("application/rdf+xml") == ox.RdfFormat.RDF_XML
    with pytest.raises(StoreFailure) as failure:
        rdf_format_of("text/html")
    assert failure.value.outcome.status == 502


def test_what_is_asked_of_the_store() -> None:
    assert RESULTS_ACCEPT == (
        "application/sparql-results+xml, application/sparql-results+json;q=0.9"
    )
    assert RDF_ACCEPT == "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
