"""Dereferencing over HTTP: 303s, content negotiation, RDF forms, headers, 404s, paging."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from coedp.web.describe import PAGE_SIZE

from .conftest import BASE

# One IRI of each kind, with a label its description must carry.
KINDS = {
    "organisation": ("id/org/microsoft", "Microsoft"),
    "body": ("id/body/cahai", None),
    "activity": ("id/activity/cahai-plenary-1", None),
    "country": ("id/country/fr", "France"),
    "concept": ("id/concept/domain/artificial-intelligence", None),
    "ontology term": ("def/Company", "Company"),
    "ontology": ("def/", None),
    "named graph": ("graph/asserted", None),
    "dataset": ("id/dataset", None),
}
RDF_FORMS = {
    "turtle": ("text/turtle", ".ttl", "turtle"),
    "ntriples": ("application/n-triples", ".nt", "nt"),
    "jsonld": ("application/ld+json", ".jsonld", "json-ld"),
    "rdfxml": ("application/rdf+xml", ".rdf", "xml"),
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def parse(body: bytes, fmt: str) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=fmt)
    return graph


def assert_canonical(graph: Graph, site_url: str) -> None:
    """Every IRI is canonical: none names the server the test talks to."""
    for triple in graph:
        for term in triple:
            assert not str(term).startswith(site_url), term
            assert "127.0.0.1" not in str(term), term


@pytest.mark.parametrize("kind", list(KINDS))
def test_thing_redirects_to_its_document(http, kind):
    rel, _ = KINDS[kind]
    r = http.get("/" + rel, headers={"accept": "text/turtle"})
    assert r.status_code == 303
    assert r.headers["location"] == "/doc/" + rel
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("form", list(RDF_FORMS))
def test_rdf_by_accept_and_by_extension(http, real_app, kind, form):
    rel, label = KINDS[kind]
    media, ext, fmt = RDF_FORMS[form]
    subject = URIRef(BASE + rel)
    for r in (http.get("/doc/" + rel, headers={"accept": media}),
              http.get("/doc/" + rel + ext)):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
        assert r.headers["access-control-allow-origin"] == "*"
        assert "Accept" in r.headers["vary"]
        graph = parse(r.content, fmt)
        assert len(graph) > 0
        assert (subject, None, None) in graph or (None, None, subject) in graph
        assert_canonical(graph, real_app.url)
        if label:
            assert Literal(label, lang="en") in set(graph.objects(subject, RDFS.label))


@pytest.mark.parametrize("kind", ["organisation", "activity", "country", "named graph"])
def test_html_by_accept_and_by_extension(http, kind):
    rel, _ = KINDS[kind]
    for r in (http.get("/en/doc/" + rel, headers={"accept": BROWSER}),
              http.get("/fr/doc/" + rel + ".html")):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "<h1>" in r.text


def test_link_headers_name_the_other_forms(http):
    r = http.get("/doc/id/org/microsoft", headers={"accept": "text/turtle"})
    links = r.headers["link"]
    for media, ext in (("text/html", ".html"), ("application/ld+json", ".jsonld"),
                       ("application/n-triples", ".nt"), ("application/rdf+xml", ".rdf")):
        assert f'</doc/id/org/microsoft{ext}>; rel="alternate"; type="{media}"' in links
    assert 'type="text/turtle"' not in links
    assert r.headers["content-location"] == "/doc/id/org/microsoft.ttl"


def test_q_values_are_honoured(http):
    accept = "text/turtle;q=0.5, application/ld+json;q=0.9, text/html;q=0.1"
    r = http.get("/doc/id/org/microsoft", headers={"accept": accept})
    assert r.headers["content-type"].startswith("application/ld+json")
    r = http.get("/doc/id/org/microsoft", headers={"accept": "text/html;q=0.2, text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")


def test_nothing_acceptable_is_406(http):
    r = http.get("/doc/id/org/microsoft", headers={"accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.text


def test_ontology_term_goes_to_its_documentation_for_a_browser(http):
    r = http.get("/def/Company", headers={"accept": BROWSER})
    assert r.status_code == 303 and r.headers["location"] == "/ontology#Company"
    page = http.get("/en/ontology")
    assert page.status_code == 200 and 'id="Company"' in page.text
    r = http.get("/def/", headers={"accept": BROWSER})
    assert r.status_code == 303 and r.headers["location"] == "/ontology"


def test_ontology_document_lists_its_terms(http):
    graph = parse(http.get("/doc/def/.ttl").content, "turtle")
    ontology = URIRef(BASE + "def/")
    assert (URIRef(BASE + "def/Company"), RDFS.isDefinedBy, ontology) in graph


def test_description_carries_labels_of_what_it_links_to(http):
    graph = parse(http.get("/doc/id/org/microsoft.ttl").content, "turtle")
    country = URIRef(BASE + "id/country/us")
    assert (URIRef(BASE + "id/org/microsoft"), URIRef(BASE + "def/seatCountry"), country) in graph
    assert set(graph.objects(country, RDFS.label)), "the linked country has no label"


def test_named_graph_is_described_from_the_metadata_and_links_its_dump(http):
    graph = parse(http.get("/doc/graph/asserted.ttl").content, "turtle")
    void_triples = URIRef("http://rdfs.org/ns/void#triples")
    assert any(graph.objects(None, void_triples))
    page = http.get("/en/doc/graph/asserted.html").text
    dump = "/rdf-graph-store?graph=" + quote(BASE + "graph/asserted", safe="")
    assert dump.replace("&", "&amp;") in page
    assert http.get(dump + "&format=ntriples").status_code == 200


def test_unknown_iri_is_404_with_a_search_box_for_a_browser(http):
    r = http.get("/id/org/no-such-company", headers={"accept": BROWSER})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert 'action="/en/search"' in r.text and 'href="/en/partners"' in r.text
    r = http.get("/id/org/no-such-company", headers={"accept": "text/turtle"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain")
    r = http.get("/doc/id/org/no-such-company.ttl")
    assert r.status_code == 404


def test_head_answers_like_get_without_a_body(http):
    r = http.head("/en/doc/id/org/microsoft", headers={"accept": BROWSER})
    assert r.status_code == 200 and r.content == b""
    assert http.head("/en/doc/id/org/no-such-company").status_code == 404
    assert http.head("/doc/id/org/no-such-company.ttl").status_code == 404


def _most_linked(http) -> tuple[str, int]:
    query = (
        "SELECT ?o (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{BASE}id/")) }} }} '
        "GROUP BY ?o ORDER BY DESC(?n) LIMIT 1"
    )
    row = http.get("/sparql", params={"query": query, "format": "json"}).json()
    binding = row["results"]["bindings"][0]
    return binding["o"]["value"], int(binding["n"]["value"])


def test_incoming_links_are_paged(http):
    iri, count = _most_linked(http)
    assert count > PAGE_SIZE, f"the dataset has no IRI with more than {PAGE_SIZE} incoming links"
    rel = iri[len(BASE):]
    subject = URIRef(iri)
    first = http.get(f"/doc/{rel}.nt")
    assert 'rel="next"' in first.headers["link"]
    assert f"</doc/{rel}.nt?page=2>" in first.headers["link"]
    document = URIRef(BASE + "doc/" + rel)  # the document's own foaf:primaryTopic
    incoming = {(s, p) for s, p, _ in parse(first.content, "nt").triples((None, None, subject))
                if s != document}
    assert len(incoming) == PAGE_SIZE
    second = http.get(f"/doc/{rel}.nt", params={"page": 2})
    more = {(s, p) for s, p, _ in parse(second.content, "nt").triples((None, None, subject))}
    assert more and not (more & incoming)
    pages = -(-count // PAGE_SIZE)
    last = http.get(f"/doc/{rel}.nt", params={"page": pages})
    assert 'rel="next"' not in last.headers["link"]
    assert http.get(f"/en/doc/{rel}", params={"page": "zero"}).status_code == 400


def test_downloads_match_their_checksums(http, built_dist):
    sums = dict(
        reversed(line.split()) for line in (built_dist / "SHA256SUMS").read_text().splitlines()
    )
    page = http.get("/en/downloads").text
    for name, digest in sums.items():
        assert f'href="/download/{name}"' in page and digest in page
    r = http.get("/download/coedp.ttl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert hashlib.sha256(r.content).hexdigest() == sums["coedp.ttl"]
    assert http.get("/download/coedp.nq").headers["content-type"] == "application/n-quads"
    for bad in ("..%2Fpyproject.toml", "..%2F..%2Fetc%2Fpasswd", "nothing.ttl", "coedp"):
        assert http.get("/download/" + bad).status_code == 404, bad


def test_void_summary_and_licence_on_the_downloads_page(http):
    page = http.get("/en/downloads").text
    assert 'href="/download/void.ttl"' in page
    assert "creativecommons.org/licenses/by/4.0" in page


def test_search_is_accent_and_case_insensitive(http):
    page = http.get("/en/search", params={"q": "telefonica"}).text
    assert 'href="/en/doc/id/org/telefonica">Telefónica</a>' in page
    page = http.get("/en/search", params={"q": "DEUTSCHE telecom"}).text
    assert 'href="/en/doc/id/org/deutsche-telekom"' in page
    assert "Deutsche Telecom" not in page  # a misspelling: searchable, never shown


def test_index_pages_filter_and_sort_on_the_server(http):
    rows = re.findall(r"<tr>", http.get("/en/partners").text)
    only = http.get("/en/partners", params={"q": "telefonica"}).text
    assert len(re.findall(r"<tr>", only)) == 2  # the heading row and Telefónica
    assert len(rows) > 20
    by_name = http.get("/en/partners", params={"sort": "name"}).text
    reverse = http.get("/en/partners", params={"sort": "name", "order": "desc"}).text
    first = re.search(r'<td><a href="(/en/doc/id/org/[^"]+)"', by_name).group(1)
    last = re.search(r'<td><a href="(/en/doc/id/org/[^"]+)"', reverse).group(1)
    assert first != last
    for path in ("/bodies", "/activities", "/instruments", "/countries", "/people",
                 "/events", "/organisations"):
        assert http.get("/fr" + path).status_code == 200, path


def test_query_page_shows_results_and_errors(http):
    query = "SELECT ?p WHERE { ?p a <https://coedp.org/def/DigitalPartner> } LIMIT 3"
    page = http.get("/en/query", params={"query": query}).text
    assert "results-table" in page and "/doc/id/org/" in page
    assert "format=csv" in page and "format=xml" in page
    broken = http.get("/en/query", params={"query": "SELECT ?x WHERE { ?x ?y }"}).text
    assert 'class="error"' in broken and "results-table" not in broken


def test_language_follows_accept_language_and_the_switch(http):
    r = http.get("/doc/id/country/de", headers={"accept": BROWSER,
                                                "accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert r.status_code == 303 and r.headers["location"] == "/fr/doc/id/country/de"
    page = http.get(r.headers["location"], headers={"accept": BROWSER})
    assert '<html lang="fr">' in page.text and "<h1>Allemagne</h1>" in page.text
    assert 'href="/en/doc/id/country/de"' in page.text  # the switch
    switched = http.get("/doc/id/country/de?lang=en",
                        headers={"accept": BROWSER, "accept-language": "fr"})
    assert switched.headers["location"] == "/en/doc/id/country/de"
    http.cookies.clear()  # the ?lang= choice is remembered: forget it for the other tests
    english = http.get("/en/doc/id/country/de", headers={"accept-language": "fr"})
    assert "<h1>Germany</h1>" in english.text
