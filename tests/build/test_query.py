"""``coedp query``: result formats, query forms, malformed queries."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rdflib import Graph, URIRef

QUERY = "queries/partners.rq"
THALES = "https://coedp.org/id/org/thales"


def test_select_as_table_csv_tsv_and_json(built: tuple[Path, Path], coedp) -> None:
    home, dist = built
    table = coedp("query", home / QUERY, home=home, dist=dist)
    assert table.returncode == 0, table.stderr
    assert "orgs:thales" in table.stdout and "Thales@en" in table.stdout
    assert "3 row(s)" in table.stdout

    as_csv = coedp("query", home / QUERY, "--format", "csv", home=home, dist=dist, binary=True)
    assert as_csv.returncode == 0
    assert as_csv.stdout.startswith(b"org,label,joined\r\n")  # CRLF, per RFC 4180
    as_csv = coedp("query", home / QUERY, "--format", "csv", home=home, dist=dist)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["org"]: r["joined"] for r in rows} == {
        "https://coedp.org/id/org/meta": "",
        THALES: "2022-06-28",
        "https://coedp.org/id/org/lego": "2022-06-28",
    }

    tsv = coedp("query", home / QUERY, "--format", "tsv", home=home, dist=dist)
    assert tsv.stdout.splitlines()[0] == "?org\t?label\t?joined"
    assert f"<{THALES}>\t\"Thales\"@en\t" in tsv.stdout

    as_json = coedp("query", home / QUERY, "--format", "json", home=home, dist=dist)
    doc = json.loads(as_json.stdout)
    assert doc["head"]["vars"] == ["org", "label", "joined"]
    thales = next(b for b in doc["results"]["bindings"] if b["org"]["value"] == THALES)
    assert thales["org"] == {"type": "uri", "value": THALES}
    assert thales["label"] == {"type": "literal", "value": "Thales", "xml:lang": "en"}
    assert thales["joined"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"


def test_default_graph_is_the_union_and_named_graphs_are_reachable(
    built: tuple[Path, Path], coedp
) -> None:
    home, dist = built
    # hasPartner only exists in the inferred graph; the union sees it.
    proc = coedp("query", "--query", "ASK { ?p coedp:hasPartner ?o }", home=home, dist=dist)
    assert proc.stdout.strip() == "true"
    proc = coedp("query", "--query",
                 "ASK { GRAPH <https://coedp.org/graph/asserted> { ?p coedp:hasPartner ?o } }",
                 "--format", "json", home=home, dist=dist)
    assert json.loads(proc.stdout) == {"head": {}, "boolean": False}


def test_construct_prints_turtle(built: tuple[Path, Path], coedp) -> None:
    home, dist = built
    proc = coedp("query", "--query",
                 "CONSTRUCT { ?o coedp:partnerIn ?p } WHERE { ?p coedp:hasPartner ?o }",
                 home=home, dist=dist)
    assert proc.returncode == 0, proc.stderr
    graph = Graph().parse(data=proc.stdout, format="turtle")
    assert (URIRef(THALES), URIRef("https://coedp.org/def/partnerIn"),
            URIRef("https://coedp.org/id/partnership")) in graph
    assert len(graph) == 3


def test_malformed_query_exits_2_with_line_and_column(built: tuple[Path, Path], coedp,
                                                      tmp_path: Path) -> None:
    home, dist = built
    unknown_prefix = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s nope:x ?o }\n"
    bad_filter = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = ) }\n"
    for engine, text in (("oxigraph", unknown_prefix), ("rdflib", bad_filter)):
        bad = tmp_path / f"{engine}.rq"
        bad.write_text(text, encoding="utf-8")
        proc = coedp("query", bad, "--engine", engine, home=home, dist=dist)
        assert proc.returncode == 2, engine
        assert f"{bad}: " in proc.stderr and "line 3, column" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""
    proc = coedp("query", "--query", unknown_prefix, "--engine", "rdflib", home=home, dist=dist)
    assert proc.returncode == 2 and "nope" in proc.stderr


def test_usage_errors_exit_2(built: tuple[Path, Path], coedp) -> None:
    home, dist = built
    assert coedp("query", home=home, dist=dist).returncode == 2
    both = coedp("query", home / QUERY, "--query", "ASK {}", home=home, dist=dist)
    assert both.returncode == 2 and "exactly one" in both.stderr
    missing = coedp("query", home / "queries" / "none.rq", home=home, dist=dist)
    assert missing.returncode == 2 and "none.rq" in missing.stderr


def test_rdflib_engine_agrees_with_oxigraph(built: tuple[Path, Path], coedp) -> None:
    home, dist = built
    results = []
    for engine in ("oxigraph", "rdflib"):
        proc = coedp("query", home / QUERY, "--format", "csv", "--engine", engine,
                     home=home, dist=dist)
        assert proc.returncode == 0, proc.stderr
        results.append(sorted(proc.stdout.splitlines()))
    assert results[0] == results[1]


def test_query_builds_the_dataset_when_missing(tree: Path, tmp_path: Path, coedp) -> None:
    dist = tmp_path / "fresh"
    proc = coedp("query", "--query", "SELECT (COUNT(*) AS ?n) { ?s a coedp:Company }",
                 "--format", "csv", home=tree, dist=dist)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["n", "3"]
    assert (dist / "coedp.nq").is_file()
