"""Real SPARQL clients against the endpoint: SPARQLWrapper, rdflib, Comunica, httpx."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
COMPANIES = (
    "PREFIX coedp: <https://coedp.org/def/> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    'SELECT ?org ?label WHERE { ?org a coedp:Company ; skos:prefLabel ?label '
    'FILTER(lang(?label) = "en") } ORDER BY ?label'
)
EXPECTED = ["Acme Software", "Globex", "Initech"]


def test_sparqlwrapper_json(server):
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(COMPANIES)
    sw.setReturnFormat(JSON)
    result = sw.query().convert()
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == EXPECTED
    assert result["results"]["bindings"][0]["label"]["xml:lang"] == "en"


def test_sparqlwrapper_xml_over_post(server):
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(COMPANIES)
    sw.setMethod("POST")
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    labels = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert labels == EXPECTED


def test_sparqlwrapper_construct_to_graph(server):
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(
        "CONSTRUCT { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
        "WHERE { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    )
    graph = sw.queryAndConvert()  # RDF/XML by default, parsed into an rdflib Graph
    assert isinstance(graph, Graph) and len(graph) == 6
    assert Literal("Globex", lang="en") in set(graph.objects())
    sw.setReturnFormat(TURTLE)
    turtle = sw.query().convert()
    assert len(Graph().parse(data=turtle, format="turtle")) == 6


def test_rdflib_sparqlstore(server):
    store = SPARQLStore(server.sparql, returnFormat="json")
    graph = Graph(store=store)
    rows = list(graph.query(COMPANIES))
    assert [str(r.label) for r in rows] == EXPECTED
    assert (URIRef("https://coedp.org/id/org-acme"), None, None) in graph
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


def test_httpx_plain(server):
    r = httpx.post(server.sparql, data={"query": COMPANIES},
                   headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert [b["label"]["value"] for b in r.json()["results"]["bindings"]] == EXPECTED


@pytest.fixture(scope="session")
def comunica() -> Path:
    """Comunica installed from tests/clients/package-lock.json (npm ci if needed)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed: the Comunica client test needs Node.js")
    if not (CLIENTS / "node_modules" / "@comunica" / "query-sparql").is_dir():
        assert npm is not None, "node is installed but npm is not"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS, check=True,
                       capture_output=True, timeout=600)
    return CLIENTS / "comunica_query.mjs"


def test_comunica_uses_the_endpoint_as_a_source(server, comunica):
    done = subprocess.run(
        ["node", str(comunica), server.sparql, COMPANIES],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert sorted(r["label"] for r in rows) == EXPECTED
    assert {r["org"] for r in rows} == {
        "https://coedp.org/id/org-acme", "https://coedp.org/id/org-globex",
        "https://coedp.org/id/org-initech",
    }
