"""The ontology at its namespace and version IRI, in every RDF form, and its documentation."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import _TripleCanonicalizer
from rdflib.namespace import OWL, RDF

from coedp.build.pipeline import stamp_release
from coedp.release import VERSION

from .conftest import BASE, ROOT

FORMS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@functools.cache
def source_ontology() -> Graph:
    """ontology/ as the build publishes it: with the release version stamped on it (read
    once; the tests only read it)."""
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    stamp_release(graph)
    return graph


@functools.cache
def source_hash() -> int:
    """The canonical hash of :func:`source_ontology` that ``rdflib.compare.isomorphic``
    computes for it (computed once, compared with each served form's)."""
    return _TripleCanonicalizer(source_ontology()).to_hash()


def isomorphic_to_source(served: Graph) -> bool:
    """``rdflib.compare.isomorphic(source_ontology(), served)``, with the source's half
    computed once: isomorphic compares the two graphs' canonical hashes."""
    return _TripleCanonicalizer(served).to_hash() == source_hash()


def declared(graph: Graph) -> set[URIRef]:
    return {s for kind in DECLARATIONS for s in graph.subjects(RDF.type, kind)
            if isinstance(s, URIRef)}


def fetch_graph(http, path: str, media: str) -> Graph:
    r = http.get(path, headers={"accept": media})
    if r.status_code == 303:
        r = http.get(r.headers["location"], headers={"accept": media})
    assert r.status_code == 200, (path, media, r.text[:200])
    assert r.headers["content-type"].startswith(media)
    fmt = FORMS[media]
    if fmt in ("trig", "nquads"):
        data = Dataset()
        data.parse(data=r.content, format=fmt)
        return data.graph(URIRef(BASE + "graph/ontology"))
    return Graph().parse(data=r.content, format=fmt)


@pytest.mark.parametrize("media", list(FORMS))
@pytest.mark.parametrize("path", ["/def/", f"/def/{VERSION}"])
def test_namespace_and_version_iri_give_the_whole_ontology(http, path, media):
    source = source_ontology()
    served = fetch_graph(http, path, media)
    assert declared(source) and declared(source) <= declared(served)
    assert isomorphic_to_source(served), f"{path} as {media} differs from ontology/"
    assert (URIRef(BASE + "def/"), OWL.versionIRI, URIRef(f"{BASE}def/{VERSION}")) in served


def test_a_browser_is_sent_to_the_documentation(http):
    for path in ("/def/", f"/def/{VERSION}"):
        r = http.get(path, headers={"accept": "text/html"})
        assert r.status_code == 303 and r.headers["location"] == "/ontology"


def test_pylode_documents_what_the_namespace_serves(http, tmp_path: Path):
    pylode = pytest.importorskip("pylode")
    r = http.get("/doc/def/", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    path = tmp_path / "coedp.ttl"
    path.write_bytes(r.content)
    html = pylode.OntPub(ontology=str(path)).make_html()
    ns = BASE + "def/"
    missing = [t for t in declared(source_ontology()) if str(t).startswith(ns)
               and str(t) not in html]
    assert not missing, f"pyLODE's page lacks {missing[:5]}"
    assert "coedp ontology" in html


def test_the_page_shows_axioms_by_name(http):
    page = http.get("/en/ontology").text
    def article(anchor: str) -> str:
        text = page[page.index(f'id="{anchor}"'):]
        return text[: text.index("</article>")]

    assert "In the domain of" in article("Participation") and "#participant" in article(
        "Participation")
    assert "In the range of" in article("Country") and "#seatCountry" in article("Country")
    association = page[page.index('id="BusinessAssociation"'):]
    association = association[: association.index("</article>")]
    assert "Disjoint with" in association and "/ontology#ProfessionalAssociation" in association
    assert "Property chain" in page and " ∘ " in page
    assert ">Functional</a>" in page
    assert "owl#FunctionalProperty</" not in page
    french = http.get("/fr/ontology").text
    assert ">Fonctionnelle</a>" in french and "Disjointe de" in french
