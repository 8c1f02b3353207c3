"""The researcher's workbench: predeclared prefixes, readable syntax errors, and
``coedp query`` answering as the endpoint does (FROM, FROM NAMED, GRAPH, stdin).

One real ``coedp serve`` on the real built dataset serves the module; the CLI
runs as a subprocess on the same files.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper
from support.servers import Server, free_port, serve_command

from coedp.namespaces import PREFIXES, SH
from coedp.server.errors import explain
from coedp.server.guard import GuardError, declare_used_prefixes, lex_check

ROOT = Path(__file__).resolve().parents[2]
ASSERTED = "https://coedp.org/graph/asserted"
INFERRED = "https://coedp.org/graph/inferred"
PARTNERS = "SELECT ?p WHERE { ?p a coedp:DigitalPartner }"

# (query, what the one-line message must say), for the CLI and the endpoint alike.
MISTAKES = {
    "unknown prefix": (
        "SELECT ?p WHERE { ?p a coedp:DigitalPartner ; foo:x ?y }",
        "unknown prefix foo: at line 1, column 47; declare it with PREFIX foo: <...> "
        "or use one of coedp:, orgs:, body:,",
    ),
    "keyword typo": (
        "SELCT ?p WHERE { ?p a coedp:DigitalPartner }",
        "SELCT at line 1, column 1: expected SELECT, ASK, CONSTRUCT or DESCRIBE "
        "(did you mean SELECT?)",
    ),
    "unclosed bracket": (
        "SELECT ?p WHERE { ?p a coedp:DigitalPartner",
        "the { at line 1, column 17 is never closed",
    ),
    "clause typo": (
        "SELECT ?p WHERE { ?p a coedp:DigitalPartner }\nLIMT 3",
        "LIMT at line 2, column 1: not a SPARQL keyword (did you mean LIMIT?)",
    ),
}


def coedp(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``coedp ARGS`` as a user runs it (no colours, a pipe for output)."""
    return subprocess.run(
        [sys.executable, "-m", "coedp.cli", *args], input=stdin, capture_output=True,
        text=True, timeout=120, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def served(built_dist: Path) -> Iterator[Server]:
    """The endpoint over the real built dataset."""
    srv = Server(built_dist, "--workers", "2")
    yield srv
    srv.stop()


def endpoint_csv(server: Server, query: str) -> list[list[str]]:
    """The rows of ``query`` from /sparql as CSV, header first."""
    r = httpx.post(server.sparql, data={"query": query}, headers={"accept": "text/csv"},
                   timeout=60)
    assert r.status_code == 200, r.text
    return [line.split(",") for line in r.text.splitlines()]


def cli_csv(dist: Path, query: str) -> list[list[str]]:
    """The rows of ``query`` from ``coedp query --format csv``, header first."""
    done = coedp("query", "--data", str(dist), "--format", "csv", "--query", query)
    assert done.returncode == 0, done.stderr
    return [line.split(",") for line in done.stdout.splitlines()]


# -- the messages ------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(MISTAKES))
def test_error_message_names_culprit_and_position(name):
    query, expected = MISTAKES[name]
    message = explain(query)
    assert message.startswith(expected), message
    assert "\n" not in message and "\\u{" not in message


def test_guard_and_engine_word_a_mistake_alike():
    # The guard (web process) refuses a bad form before the engine sees it.
    query, expected = MISTAKES["keyword typo"]
    with pytest.raises(GuardError) as refused:
        lex_check(query, 10_000, 40)
    assert refused.value.message == explain(query) and refused.value.message.startswith(expected)


def test_brackets_that_do_not_match():
    assert explain("ASK { ?s ?p ?o ) }") == (
        "the ) at line 1, column 16 does not close the { at line 1, column 5 (expected })"
    )
    assert explain("ASK { ?s ?p ?o } }") == "the } at line 1, column 18 closes nothing"


def test_engine_grammar_dump_is_summarised():
    query = "SELECT ?x WHERE { ?x ?p ?o } ORDER BY"
    with pytest.raises(SyntaxError) as raw:
        ox.Store().query(query, prefixes=PREFIXES)
    assert "\\u{" in str(raw.value) and len(str(raw.value)) > 300  # the engine's dump
    message = explain(query, str(raw.value))
    assert message == (
        "syntax error at line 1, column 38 (after 'BY'): expected one of \"$\", \"(\", \":\", "
        "\"<\", \"?\""
    )


def test_incomplete_patterns_and_expressions_are_named():
    assert explain("SELECT ?s\nWHERE { ?s ?p }") == (
        "the triple pattern ?s ?p at line 2, column 9 has no object"
    )
    assert explain("ASK { ?x a coedp:DigitalPartner ; rdfs:label }") == (
        "the predicate rdfs:label at line 1, column 35 has no object"
    )
    assert explain("ASK { ?s ?p ?o FILTER(?o = ) }") == (
        "the = at line 1, column 26 has nothing on its right"
    )


def test_close_prefix_is_suggested():
    assert "(did you mean coedp:?)" in explain("ASK { ?s a cedp:DigitalPartner }")


def test_undeclared_prefixes_are_declared_for_an_outside_store():
    query = "PREFIX coedp: <http://example.org/>\nASK { ?s a coedp:X ; rdfs:label ?l }"
    sent = declare_used_prefixes(query)
    assert sent == f"PREFIX rdfs: <{PREFIXES['rdfs']}> " + query  # line numbers unchanged
    assert declare_used_prefixes("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"


def test_docs_prefix_table_is_the_code_table():
    graph = Graph().parse(ROOT / "docs" / "prefixes.ttl", format="turtle")
    declared = {p: str(ns) for p, ns in graph.namespace_manager.namespaces() if p in PREFIXES}
    assert declared == PREFIXES


# -- the endpoint -----------------------------------------------------------------------
@pytest.mark.parametrize("name", list(MISTAKES))
def test_cli_and_endpoint_give_the_same_message(served, built_dist, name):
    query, expected = MISTAKES[name]
    r = httpx.post(served.sparql, data={"query": query}, timeout=60)
    assert r.status_code == 400
    assert r.text.strip().startswith(expected), r.text
    done = coedp("query", "--data", str(built_dist), "--query", query)
    assert done.returncode == 2
    assert done.stderr.strip() == f"coedp: error: --query: {r.text.strip()}"
    page = httpx.get(f"{served.base}/query", params={"query": query}, timeout=60)
    assert expected.replace("<...>", "&lt;...&gt;") in page.text


def test_documented_prefixes_answer_on_sparql_and_through_sparqlwrapper(served):
    rows = endpoint_csv(served, PARTNERS)
    assert len(rows) > 10 and ["https://coedp.org/id/org/microsoft"] in rows
    sw = SPARQLWrapper(served.sparql)
    sw.setQuery(PARTNERS)
    sw.setReturnFormat(JSON)
    bindings = sw.query().convert()["results"]["bindings"]
    assert {b["p"]["value"] for b in bindings} == {row[0] for row in rows[1:]}


def test_query_declaring_its_own_prefix_wins(served):
    own = "PREFIX coedp: <http://example.org/other#> " + PARTNERS
    assert endpoint_csv(served, own) == [["p"]]
    same = f"PREFIX coedp: <{PREFIXES['coedp']}> " + PARTNERS
    assert len(endpoint_csv(served, same)) == len(endpoint_csv(served, PARTNERS))


def test_query_page_runs_prefixed_query_without_prefix_lines(served):
    page = httpx.get(f"{served.base}/query", params={"query": PARTNERS}, timeout=60)
    assert page.status_code == 200 and "/doc/id/org/microsoft" in page.text
    assert "PREFIX" not in httpx.get(f"{served.base}/query", timeout=60).text.split(
        "<textarea", 1)[1].split("</textarea>", 1)[0]


def test_service_description_lists_the_prefixes(served):
    r = httpx.get(served.sparql, headers={"accept": "text/turtle"}, timeout=60)
    graph = Graph().parse(data=r.text, format="turtle")
    declared = {
        str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
        for d in graph.objects(URIRef(served.sparql), SH.declare)
    }
    assert declared == PREFIXES


# -- the CLI answers as the endpoint -------------------------------------------------------
DATASET_QUERIES = {
    "union": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "asserted": f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED}> WHERE {{ ?s ?p ?o }}",
    "inferred": f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}",
    "both": f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED}> FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}",
    "from named": (
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{INFERRED}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    ),
    "graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "graph asserted": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ASSERTED}> {{ ?s ?p ?o }} }}",
    "from without named": (
        f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    ),
}


def test_cli_dataset_clauses_answer_as_the_endpoint(served, built_dist):
    answers = {}
    for name, query in DATASET_QUERIES.items():
        endpoint = endpoint_csv(served, query)
        assert cli_csv(built_dist, query) == endpoint, name
        answers[name] = endpoint
    union, asserted, inferred = (int(answers[k][1][0]) for k in ("union", "asserted", "inferred"))
    assert asserted < union and inferred < union  # FROM chose a graph, not the union
    assert answers["from named"] == [["g", "n"], [INFERRED, str(inferred)]]
    assert answers["from without named"] == [["n"], ["0"]]  # FROM alone names no graph


def test_cli_reads_the_query_from_standard_input(built_dist, served):
    query = PARTNERS + " ORDER BY ?p"
    done = coedp("query", "--data", str(built_dist), "--format", "csv", "-", stdin=query)
    assert done.returncode == 0, done.stderr
    rows = [line.split(",") for line in done.stdout.splitlines()]
    assert len(rows) > 10 and rows == endpoint_csv(served, query)


# -- serve ----------------------------------------------------------------------------------
def test_serve_on_a_busy_port_says_so_before_listening(built_dist):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = subprocess.run(
            [*serve_command(), "--data", str(built_dist), "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 1
    assert "listening" not in done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "already in use" in lines[0]
    assert "--port" in lines[0] and "COEDP_PORT" in lines[0]


def test_serve_names_a_mistyped_data_path(tmp_path):
    done = subprocess.run(
        [*serve_command(), "--data", str(tmp_path / "nope.nq"), "--port", str(free_port())],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "nope.nq does not exist" in done.stderr and "coedp build" not in done.stderr


def test_serve_help_has_examples_and_exit_codes():
    done = coedp("serve", "--help")
    assert done.returncode == 0
    assert "examples:" in done.stdout and "exit codes:" in done.stdout
    assert "COEDP_PORT=8080 coedp serve" in done.stdout
