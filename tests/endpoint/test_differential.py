"""The endpoint and rdflib's SPARQL engine agree on every query of queries/.

The real dataset is built with ``coedp build --out TMP`` and served (in this process,
over the in-memory backend: the engine's own evaluation, as in the workers); each
queries/*.rq is asked of the endpoint and of an rdflib Dataset (default graph
= union) loaded from the same TriG. Rows are compared as multisets, in order
when the query has ORDER BY; numeric literals are compared by value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from support.inprocess import InProcessSite

from coedp.paths import queries_dir

QUERIES = sorted(queries_dir().glob("*.rq"))
NUMERIC = {
    XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.short,
    XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger,
    XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort,
    XSD.unsignedByte,
}


def test_there_are_enough_queries():
    assert len(QUERIES) >= 25, f"{queries_dir()} holds {len(QUERIES)} queries; expected 25+"


@pytest.fixture(scope="module")
def built(built_dist: Path) -> Path:
    """The real dataset, built once for the whole session (tests/conftest.py)."""
    assert (built_dist / "coedp.trig").is_file()
    return built_dist


@pytest.fixture(scope="module")
def endpoint(real_app: InProcessSite) -> Iterator[httpx.Client]:
    """A client on the site over the built dataset, in this process (timeout 120 s)."""
    with real_app.client() as client:
        yield client


@pytest.fixture(scope="module")
def reference(built: Path) -> Dataset:
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM names a graph of the dataset, never a URL
    ds = Dataset(default_union=True)
    ds.parse(built / "coedp.trig", format="trig")
    return ds


def norm(term: object) -> tuple:
    """A comparable form of an RDF term: numbers by value, blank nodes alike."""
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        if term.datatype in NUMERIC:
            try:
                return ("number", Decimal(str(term)).normalize())
            except InvalidOperation:
                return ("number", str(term))
        return ("literal", str(term), term.language, term.datatype)
    return ("iri", str(term))


def endpoint_term(binding: dict) -> object:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    datatype = binding.get("datatype")
    return Literal(value, lang=binding.get("xml:lang"),
                   datatype=URIRef(datatype) if datatype else None)


def canonical_graph(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in NUMERIC:
            o = Literal(str(norm(o)[1]), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_same_answer_as_rdflib(path: Path, endpoint: httpx.Client, reference: Dataset):
    query = path.read_text(encoding="utf-8")
    expected = reference.query(query)
    if expected.type in ("CONSTRUCT", "DESCRIBE"):
        r = endpoint.post("/sparql", data={"query": query},
                          headers={"accept": "application/n-triples"}, timeout=150)
        assert r.status_code == 200, r.text
        got = Graph().parse(data=r.content, format="nt")
        assert isomorphic(canonical_graph(got), canonical_graph(expected.graph)), path.name
        return
    r = endpoint.post("/sparql", data={"query": query},
                      headers={"accept": "application/sparql-results+json"}, timeout=150)
    assert r.status_code == 200, r.text
    answer = r.json()
    if expected.type == "ASK":
        assert answer["boolean"] == expected.askAnswer, path.name
        return
    variables = [str(v) for v in expected.vars]
    assert set(answer["head"]["vars"]) == set(variables)
    got_rows = [
        tuple(norm(endpoint_term(b[v])) if v in b else None for v in variables)
        for b in answer["results"]["bindings"]
    ]
    want_rows = [
        tuple(norm(row[v]) if row[v] is not None else None for v in variables)
        for row in expected
    ]
    if re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE):
        assert got_rows == want_rows, path.name
    else:
        assert Counter(got_rows) == Counter(want_rows), path.name
