"""What an entity page tells a reader: memberships at a glance, who took part, names once."""

from __future__ import annotations

import re

import httpx


def section(http: httpx.Client, path: str, section_id: str, lang: str = "en") -> str:
    """The text of one section of a page, tags removed and spaces squeezed."""
    html = http.get(path, params={"lang": lang}).text
    found = re.search(rf'<h2 id="{section_id}">(.*?)</section>', html, re.S)
    assert found, f"{path} has no section {section_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).replace("&#39;", "'")


def test_a_partner_page_sums_up_its_membership_and_why_it_ended(http):
    text = section(http, "/doc/id/org/sberbank", "g-memberships")
    # 002 line 41: an exchange of letters in 2021; ended by the Secretary General's letter of
    # 4 March 2022, after the Committee of Ministers suspended Russia on 2 March 2022.
    assert "Digital Partnership" in text and "Ended" in text
    assert "2021" in text and "4 March 2022" in text  # a year, then a day
    assert "suspended the Russian Federation" in text
    french = section(http, "/doc/id/org/sberbank", "g-memberships", "fr")
    assert "suspendu la Fédération de Russie" in french
    assert "suspended the Russian Federation" not in french


def test_an_active_partner_has_no_leaving_date(http):
    text = section(http, "/doc/id/org/microsoft", "g-memberships")
    assert "In force" in text and "8 November 2017" in text, text  # 000 lines 7-9
    assert "Ended" not in text


def test_the_cahai_page_shows_who_took_part_in_its_plenaries(http):
    text = section(http, "/doc/id/body/cahai", "g-organised-participants")
    # 002 lines 213-214: partners in the 2nd (July 2020) and 3rd (December 2020) plenaries.
    second = re.search(r"2nd plenary meeting of CAHAI(.*?)(?:\d+-\d+/\d+/\d{4}|$)", text)
    assert second and "Microsoft" in second.group(1) and "GSMA" in second.group(1), text
    third = re.search(r"3rd plenary meeting of CAHAI(.*?)(?:\d+/\d+/\d{4}|$)", text)
    assert third and "IEEE" in third.group(1), text


def test_a_name_written_alike_in_both_languages_is_shown_once_without_a_tag(http):
    html = http.get("/doc/id/org/telefonica", params={"lang": "en"}).text
    assert html.count("Telefónica SA<") == 1
    assert 'lang-tag">(en)' not in html  # the page's own language is never tagged


def test_people_are_listed_by_family_name(http):
    html = http.get("/people", params={"lang": "en"}).text
    names = re.findall(r'<a href="/en/doc/id/person/[^"]+">([^<]+)</a>', html)  # English pages
    assert names[:3] == ["Yoshua Bengio", "Stef Blok", "Christophe Deloire"], names
    assert names.index("Marija Pejčinović Burić") < names.index("Nicolas Petrovic")
    assert names.index("Yann Le Cun") < names.index("Jean-Yves Le Drian")
