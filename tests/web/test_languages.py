"""An address per language: /en/ and /fr/ pages, hreflang and canonical, neutral RDF."""

from __future__ import annotations

import re

import pytest

from .conftest import BASE

# One page of each type (language-neutral path).
PAGES = {
    "home": "/",
    "index": "/partners",
    "entity": "/doc/id/org/microsoft",
    "ontology": "/ontology",
    "downloads": "/downloads",
    "query": "/query",
    "search": "/search?q=microsoft",
    "named graph": "/doc/graph/asserted",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def head_links(html: str) -> tuple[list[str], dict[str, str]]:
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    return canonical, alternates


@pytest.mark.parametrize("kind", list(PAGES))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_page_has_hreflang_for_both_and_an_absolute_canonical(http, kind, lang):
    path = PAGES[kind]
    r = http.get(f"/{lang}{path}", headers={"accept": BROWSER})
    assert r.status_code == 200, r.text[:200]
    assert r.headers["content-language"] == lang
    assert f'<html lang="{lang}">' in r.text
    canonical, alternates = head_links(r.text)
    bare = path.split("?")[0]
    assert canonical == [f"{BASE}{lang}{bare}"]
    assert alternates["en"] == f"{BASE}en{path}"
    assert alternates["fr"] == f"{BASE}fr{path}"
    assert alternates["x-default"] == f"{BASE}{path.lstrip('/')}"
    other = "fr" if lang == "en" else "en"
    assert f'href="/{other}{path}"' in r.text.replace("&amp;", "&")  # the language switch


@pytest.mark.parametrize("kind", list(PAGES))
def test_accept_language_picks_the_language_at_the_neutral_address_only(http, kind):
    path = PAGES[kind]
    http.cookies.clear()  # no language remembered from another test
    r = http.get(path, headers={"accept": BROWSER, "accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/fr{path}"
    assert "Accept-Language" in r.headers["vary"]
    r = http.get(path, headers={"accept": BROWSER, "accept-language": "de, en;q=0.5"})
    assert r.headers["location"] == f"/en{path}"
    r = http.get(f"/en{path}", headers={"accept": BROWSER, "accept-language": "fr"})
    assert r.status_code == 200 and r.headers["content-language"] == "en"


def test_old_links_with_lang_keep_working_and_the_choice_is_remembered(http):
    http.cookies.clear()
    r = http.get("/partners?lang=fr&sort=joined", headers={"accept": BROWSER})
    assert r.status_code == 303 and r.headers["location"] == "/fr/partners?sort=joined"
    assert "lang=fr" in r.headers["set-cookie"]
    r = http.get("/bodies", headers={"accept": BROWSER, "accept-language": "en"})
    assert r.headers["location"] == "/fr/bodies"
    http.cookies.clear()


def test_links_in_a_page_stay_in_its_language(http):
    html = http.get("/fr/doc/id/org/microsoft").text
    assert 'href="/fr/partners"' in html and 'href="/fr/doc/id/' in html
    assert 'href="/doc/id/org/microsoft.ttl"' in html  # RDF forms are language-neutral
    assert 'href="/partners"' not in html


def test_things_and_rdf_documents_stay_language_neutral(http):
    r = http.get("/id/org/microsoft", headers={"accept": BROWSER})
    assert r.status_code == 303 and r.headers["location"] == "/doc/id/org/microsoft"
    r = http.get("/doc/id/org/microsoft", headers={"accept": "text/turtle",
                                                   "accept-language": "fr"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert '"Microsoft"@en' in r.text and '"Microsoft"@fr' in r.text
    r = http.get("/en/doc/id/org/microsoft.ttl")
    assert r.status_code == 308 and r.headers["location"] == "/doc/id/org/microsoft.ttl"
    r = http.get("/fr/sparql?query=ASK%7B%7D")
    assert r.status_code == 308 and r.headers["location"].startswith("/sparql?")


def test_a_script_at_the_neutral_address_is_served_in_place_with_the_canonical(http):
    http.cookies.clear()
    r = http.get("/partners", headers={"accept": "*/*", "accept-language": "fr"})
    assert r.status_code == 200 and r.headers["content-language"] == "fr"
    canonical, alternates = head_links(r.text)
    assert canonical == [f"{BASE}fr/partners"] and alternates["en"] == f"{BASE}en/partners"
