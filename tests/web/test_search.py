"""Search as a reader uses it: ranking, typos, a type filter and paging, over the real data."""

from __future__ import annotations

import re

import httpx

RESULT = re.compile(r'<li><a href="([^"]+)">')
STATUS = re.compile(r'<p role="status">([^<]+)</p>')


def results(http: httpx.Client, **params: str) -> list[str]:
    """The links of the results page, in order."""
    r = http.get("/en/search", params={"lang": "en", **params})
    assert r.status_code == 200, r.text
    ol = r.text.split('<ol class="results"', 1)
    return RESULT.findall(ol[1]) if len(ol) == 2 else []


def status(http: httpx.Client, **params: str) -> str:
    r = http.get("/en/search", params={"lang": "en", **params})
    found = STATUS.search(r.text)
    assert found, r.text
    return found.group(1)


def test_an_acronym_finds_its_body_first(http):
    assert results(http, q="CAHAI")[0].endswith("/body/cahai")


def test_a_typo_still_finds_the_partner_first(http):
    assert results(http, q="microsft")[0].endswith("/org/microsoft")
    assert results(http, q="telefonca")[0].endswith("/org/telefonica")


def test_typos_are_not_tolerated_in_short_words(http):
    # "AO" is one edit from "AI": two letters are too few to guess from.
    assert not any(link.endswith("/org/element-ai") for link in results(http, q="AO"))


def test_main_entities_come_before_countries_and_ontology_terms(http):
    links = results(http, q="AI")
    first = links[:15]
    assert any(link.endswith("/body/cahai") for link in first), first
    assert not any("/country/" in link or "/ontology#" in link for link in first), first


def test_auxiliary_nodes_come_after_the_entities_they_serve(http):
    links = results(http, q="element ai")
    assert links[0].endswith("/org/element-ai"), links
    auxiliary = [
        i for i, link in enumerate(links)
        if any(part in link for part in ("/participation/", "/membership/", "/instant/"))
    ]
    main = [i for i in range(len(links)) if i not in auxiliary]
    assert auxiliary and max(main) < min(auxiliary), links


def test_the_type_filter_keeps_one_kind(http):
    links = results(http, q="AI", type="bodies")
    assert links and all("/body/" in link for link in links), links
    assert any(link.endswith("/body/cahai") for link in links)


def test_results_say_which_of_how_many_and_page_on(http):
    text = status(http, q="a")
    found = re.match(r"1–100 of (\d+) result", text)
    assert found, text
    total = int(found.group(1))
    assert total > 100
    assert len(results(http, q="a")) == 100
    second = status(http, q="a", page="2")
    assert second.startswith(f"101–{min(200, total)} of {total}"), second
    r = http.get("/en/search", params={"q": "a", "lang": "en"})
    assert 'rel="next"' in r.text and "page=2" in r.text


def test_an_unknown_type_or_page_says_what_is_allowed(http):
    r = http.get("/en/search", params={"q": "AI", "type": "planets"})
    assert r.status_code == 400
    assert "planets" in r.text and "partners" in r.text and "bodies" in r.text
    r = http.get("/en/search", params={"q": "AI", "page": "zero"})
    assert r.status_code == 400 and "page" in r.text
