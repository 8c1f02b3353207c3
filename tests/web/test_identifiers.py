"""The "Identifiers" section of entity pages, and the links in the RDF, on a real server.

A reader of a partner's, a country's or a treaty's page finds its Wikidata item
or its Treaty Office page there, linked; an entity with no verified item has
no such section; the RDF and the page's schema.org block carry the same link.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from rdflib import Graph, URIRef

from .conftest import BASE, ROOT, Site

SAME_AS = URIRef("https://schema.org/sameAs")
TREATY_185 = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum=185"


class Identifiers(HTMLParser):
    """The heading and the links of the page's identifiers section."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # sections open inside the identifiers section, itself included
        self.in_heading = False
        self.heading = ""
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and (self.depth or found.get("class") == "identifiers"):
            self.depth += 1
        elif self.depth and tag == "h2":
            self.in_heading = True
        elif self.depth and tag == "a":
            self._href, self._text = found.get("href"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.depth:
            self.depth -= 1
        elif tag == "h2":
            self.in_heading = False
        elif tag == "a" and self._href is not None:
            self.links.append((self._text.strip(), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self.in_heading:
            self.heading += data
        elif self._href is not None:
            self._text += data


@pytest.fixture(scope="module")
def browse(site: Site) -> Iterator[httpx.Client]:
    """A client that asks for pages as a browser does, and follows redirects."""
    with httpx.Client(base_url=site.url, timeout=60, follow_redirects=True) as client:
        yield client


def page(client: httpx.Client, rel: str, lang: str) -> str:
    response = client.get(
        "/" + rel,
        headers={"accept": "text/html", "accept-language": lang},
        params={"lang": lang},
    )
    assert response.status_code == 200, (rel, response.status_code)
    assert "text/html" in response.headers["content-type"]
    return response.text


def identifiers(html: str) -> Identifiers:
    parser = Identifiers()
    parser.feed(html)
    return parser


@pytest.mark.parametrize(
    ("rel", "text", "href"),
    [
        ("id/org/microsoft", "Wikidata Q2283", "https://www.wikidata.org/wiki/Q2283"),
        ("id/country/fr", "Wikidata Q142", "https://www.wikidata.org/wiki/Q142"),
        ("id/instrument/ets-185", "Council of Europe Treaty Office, No. 185", TREATY_185),
    ],
)
def test_page_links_its_identifiers(browse: httpx.Client, rel: str, text: str, href: str) -> None:
    found = identifiers(page(browse, rel, "en"))
    assert found.heading.strip() == "Identifiers"
    assert (text, href) in found.links


def test_french_page_names_the_treaty_office_in_french(browse: httpx.Client) -> None:
    found = identifiers(page(browse, "id/instrument/ets-185", "fr"))
    assert found.heading.strip() == "Identifiants"
    assert ("Bureau des traités du Conseil de l'Europe, n° 185", TREATY_185) in found.links


def unverified_partner() -> str:
    """A partner that graph/links/evidence.csv lists with no identifier at all."""
    with (ROOT / "graph" / "links" / "evidence.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    unverified = [
        r["entity"] for r in rows if not r["target"] and r["entity"].startswith(BASE + "id/org/")
    ]
    assert unverified, "every partner is linked: pick another entity without an item"
    return unverified[0].removeprefix(BASE)


def test_entity_without_a_verified_item_has_no_identifiers_section(browse: httpx.Client) -> None:
    html = page(browse, unverified_partner(), "en")
    assert "<h1>" in html
    assert identifiers(html).links == []
    assert 'class="identifiers"' not in html


def test_the_link_is_shown_once(browse: httpx.Client) -> None:
    """schema:sameAs is not repeated among the facts: the Identifiers section shows it."""
    html = page(browse, "id/country/fr", "en")
    assert html.count("https://www.wikidata.org/wiki/Q142") == 1
    assert 'data-prop="https://schema.org/sameAs"' not in html


def test_schema_org_block_names_the_item(browse: httpx.Client) -> None:
    html = page(browse, "id/org/microsoft", "en")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    assert "http://www.wikidata.org/entity/Q2283" in json.loads(block.group(1))["sameAs"]


def test_rdf_of_the_entity_carries_the_link(browse: httpx.Client) -> None:
    response = browse.get("/id/org/microsoft", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    item = URIRef("http://www.wikidata.org/entity/Q2283")
    assert (URIRef(BASE + "id/org/microsoft"), SAME_AS, item) in graph
