"""Crawlers and citers: sitemap, robots, favicon, validators and 304, file names, releases,
per-resource named graphs, the inferred mark, document triples, citation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import yaml
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL

from coedp import release
from coedp.web.pages import INDEXES

from .conftest import BASE, ROOT

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_sitemap_lists_every_page_in_both_languages(http):
    r = http.get("/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(r.content)
    urls = {u.find(SM + "loc").text: u for u in root.findall(SM + "url")}
    for lang in ("en", "fr"):
        for path in ["/", "/ontology", "/downloads", "/query"] + [f"/{ix.slug}" for ix in INDEXES]:
            assert f"{BASE}{lang}{path}" in urls, path
        assert f"{BASE}{lang}/doc/id/org/microsoft" in urls
        assert f"{BASE}{lang}/doc/graph/asserted" in urls
    entry = urls[f"{BASE}fr/doc/id/country/fr"]
    alternates = {a.get("hreflang"): a.get("href") for a in entry.findall(XHTML + "link")}
    assert alternates == {"en": f"{BASE}en/doc/id/country/fr", "fr": f"{BASE}fr/doc/id/country/fr"}
    # Every entity of an index page is in the sitemap.
    html = http.get("/en/partners").text
    for href in set(re.findall(r'href="(/en/doc/id/org/[^"]+)"', html)):
        assert BASE + href.lstrip("/") in urls, href


def test_robots_and_favicon(http):
    robots = http.get("/robots.txt")
    assert robots.status_code == 200
    assert f"Sitemap: {BASE}sitemap.xml" in robots.text and "Disallow: /sparql" in robots.text
    icon = http.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    ET.fromstring(icon.content)
    assert '<link rel="icon" href="/static/favicon.svg"' in http.get("/en/").text
    assert http.get("/static/favicon.svg").status_code == 200


@pytest.mark.parametrize("path", ["/en/", "/fr/partners", "/en/doc/id/org/microsoft",
                                  "/doc/id/org/microsoft.ttl", "/doc/id/org/microsoft.trig",
                                  "/en/ontology", "/sitemap.xml"])
def test_etag_and_conditional_get_and_head_answer_304(http, path):
    r = http.get(path)
    assert r.status_code == 200
    tag = r.headers["etag"]
    assert r.headers["cache-control"] == "public, no-cache" and r.headers["last-modified"]
    head = http.head(path)
    assert head.status_code == 200 and head.headers["etag"] == tag
    for method in ("GET", "HEAD"):
        again = http.request(method, path, headers={"if-none-match": tag})
        assert again.status_code == 304 and again.content == b"", method
        assert again.headers["etag"] == tag
    since = http.get(path, headers={"if-modified-since": r.headers["last-modified"]})
    assert since.status_code == 304
    assert http.get(path, headers={"if-none-match": 'W/"other"'}).status_code == 200


def test_representations_have_their_own_etags(http):
    tags = {http.get(p).headers["etag"] for p in
            ("/en/partners", "/fr/partners", "/doc/id/org/microsoft.ttl",
             "/doc/id/org/microsoft.nq")}
    assert len(tags) == 4


def test_downloads_and_results_have_file_names(http):
    r = http.get("/download/coedp.ttl")
    assert r.headers["content-disposition"] == 'attachment; filename="coedp.ttl"'
    r = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                                    "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'inline; filename="coedp-results.csv"'
    r = http.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
                                    "format": "turtle", "download": "1"})
    assert r.headers["content-disposition"] == 'attachment; filename="coedp-results.ttl"'


def test_the_release_is_addressable_by_its_version(http, built_dist):
    r = http.get(f"/dataset/{release.VERSION}/coedp.ttl")
    assert r.status_code == 200 and r.content == (built_dist / "coedp.ttl").read_bytes()
    assert http.get(f"/dataset/{release.VERSION}").status_code == 303
    missing = http.get("/dataset/0.0.1/coedp.ttl")
    assert missing.status_code == 404 and release.VERSION in missing.text
    void = Graph().parse(data=http.get("/doc/id/dataset.ttl").content, format="turtle")
    dataset = URIRef(BASE + "id/dataset")
    assert (dataset, OWL.versionInfo, Literal(release.VERSION)) in void
    assert str(void.value(dataset, DCTERMS.issued)) == release.DATE
    assert (dataset, DCTERMS.hasVersion, URIRef(f"{BASE}dataset/{release.VERSION}")) in void


def test_past_releases_are_served_from_their_folder(http, built_dist):
    import hashlib
    import shutil

    folder = built_dist / "releases" / "0.9.0"
    folder.mkdir(parents=True)
    try:
        data = b"<https://coedp.org/id/x> <https://coedp.org/def/y> 1 .\n"
        (folder / "coedp.nt").write_bytes(data)
        (folder / "secret.txt").write_bytes(b"not listed")
        (folder / "SHA256SUMS").write_text(f"{hashlib.sha256(data).hexdigest()}  coedp.nt\n")
        r = http.get("/dataset/0.9.0/coedp.nt")
        assert r.status_code == 200 and r.content == data
        assert r.headers["content-disposition"] == 'attachment; filename="coedp.nt"'
        assert http.get("/dataset/0.9.0/secret.txt").status_code == 404
        assert http.get("/dataset/0.9.0").headers["location"] == "/dataset/0.9.0/SHA256SUMS"
        assert "0.9.0" in http.get("/dataset/0.0.1/coedp.nt").text
    finally:
        shutil.rmtree(built_dist / "releases")


def test_per_resource_trig_and_nquads_keep_asserted_and_inferred_apart(http):
    turtle = Graph().parse(data=http.get("/doc/id/org/microsoft.ttl").content, format="turtle")
    for ext, fmt in (("trig", "trig"), ("nq", "nquads")):
        r = http.get(f"/doc/id/org/microsoft.{ext}")
        assert r.status_code == 200
        data = Dataset()
        data.parse(data=r.content, format=fmt)
        asserted = data.graph(URIRef(BASE + "graph/asserted"))
        inferred = data.graph(URIRef(BASE + "graph/inferred"))
        me = URIRef(BASE + "id/org/microsoft")
        assert (me, URIRef(BASE + "def/seatCountry"), URIRef(BASE + "id/country/us")) in asserted
        assert len(inferred) > 0 and (me, None, None) in inferred
        union = Graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
        assert set(union) == set(turtle), ext
    accept = http.get("/doc/id/org/microsoft", headers={"accept": "application/n-quads"})
    assert accept.status_code == 200


def test_documents_say_what_they_are_about(http):
    graph = Graph().parse(data=http.get("/doc/id/org/microsoft.ttl").content, format="turtle")
    doc = URIRef(BASE + "doc/id/org/microsoft")
    assert (doc, FOAF.primaryTopic, URIRef(BASE + "id/org/microsoft")) in graph
    assert (doc, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph


def test_inferred_statements_are_marked_on_pages(http):
    html = http.get("/en/doc/id/org/microsoft").text
    assert 'class="inferred"' in html
    membership = html[html.index('data-prop="http://www.w3.org/ns/org#hasMembership"'):]
    assert 'class="inferred"' in membership[: membership.index("</dd>")]
    seat = html[html.index(f'data-prop="{BASE}def/seatCountry"'):]
    assert 'class="inferred"' not in seat[: seat.index("</dd>")]


def schema_blocks(html: str) -> list[dict]:
    import json

    return [json.loads(b) for b in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


@pytest.mark.parametrize("path", ["/en/", "/fr/downloads"])
def test_home_and_downloads_carry_a_full_schema_dataset(http, path):
    html = http.get(path).text
    (dataset,) = schema_blocks(html)
    assert dataset["@type"] == "Dataset" and dataset["version"] == release.VERSION
    assert dataset["datePublished"] == release.DATE
    assert dataset["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert dataset["creator"]["name"] and dataset["publisher"]["name"]
    assert dataset["citation"] and f"{BASE}sparql" in str(dataset["potentialAction"])
    files = {d["name"]: d for d in dataset["distribution"]}
    assert files["coedp.ttl"]["encodingFormat"] == "text/turtle"
    assert re.fullmatch(r"[0-9a-f]{64}", files["coedp.ttl"]["sha256"])
    assert f"version {release.VERSION}" in html and "@misc{coedp" in html


def test_entity_schema_has_no_duplicates(http):
    (doc,) = schema_blocks(http.get("/en/doc/id/org/microsoft").text)
    description = doc["description"]
    assert isinstance(description, dict) or len({str(d) for d in description}) == len(description)


def test_citation_cff_says_the_release(http):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == release.VERSION
    assert str(cff["date-released"]) == release.DATE
    assert cff["license"] == "CC-BY-4.0"
