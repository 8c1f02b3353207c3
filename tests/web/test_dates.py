"""Dates on pages: written in the page's language at the precision the source gives."""

from __future__ import annotations

import re

import pytest

from coedp.web.dates import DAY, MONTH, SEASON, YEAR, display, display_lexical


@pytest.mark.parametrize(
    ("start", "end", "precision", "en", "fr"),
    [
        # 002: "Printemps/Été 2021" (the GREVIO consultation), stored as 2021-03-01..2021-08-31
        ("2021-03-01", "2021-08-31", SEASON, "spring–summer 2021", "printemps-été 2021"),
        ("2020-04-01", "2020-04-30", MONTH, "April 2020", "avril 2020"),
        ("2021-04-01", "2021-05-31", MONTH, "April–May 2021", "avril-mai 2021"),
        ("2019-11-18", "2019-11-20", DAY, "18–20 November 2019", "18-20 novembre 2019"),
        ("2020-06-30", "2020-07-02", DAY, "30 June – 2 July 2020", "30 juin - 2 juillet 2020"),
        ("2020-01-01", "2020-12-31", YEAR, "2020", "2020"),
        ("2021-03-01", "", DAY, "1 March 2021", "1er mars 2021"),
        ("2020-12-01", "2021-02-28", SEASON, "winter 2020–2021", "hiver 2020-2021"),
        ("not a date", "", DAY, "", ""),
    ],
)
def test_a_date_is_written_at_its_precision(start, end, precision, en, fr):
    assert display(start, end, precision, "en") == en
    assert display(start, end, precision, "fr") == fr


def test_typed_values_keep_their_own_precision():
    assert display_lexical("2021", "en") == "2021"  # Sberbank joined "en 2021": a year
    assert display_lexical("2020-04", "fr") == "avril 2020"
    assert display_lexical("2022-03-04", "en") == "4 March 2022"
    assert display_lexical("2022-13", "en") == ""


def test_an_activity_page_shows_its_season_in_the_readers_language(http):
    path = "/doc/id/activity/grevio-general-recommendation-digital-consultation"
    english = http.get(path, params={"lang": "en"}).text
    assert re.search(r'<span title="Printemps/Été 2021">spring–summer 2021</span>', english)
    assert "2021-03-01" not in re.sub(r"<[^>]*>", "", english.split("g-timeline")[-1][:2000])
    french = http.get(path, params={"lang": "fr"}).text
    assert "printemps-été 2021" in french


def test_the_activities_table_has_no_french_dates_on_english_pages(http):
    html = http.get("/activities", params={"lang": "en"}).text
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "(fr)" not in table
    assert "spring–summer 2021" in table and "18–20 November 2019" in table


def test_every_partner_has_its_joining_date_at_its_precision(http):
    html = http.get("/partners", params={"lang": "en"}).text
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>", 1)[1], re.S)
    joined = {}
    for row in rows:
        name = re.search(r'href="/en/doc/id/org/([^"]+)"', row)  # the English page's links
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if name:
            joined[name.group(1)] = re.sub(r"<[^>]+>", "", cells[5]).strip()
    # 002 line 39: AT&T in April 2020; BT, IBM and ISOC in November 2020; 002 line 41: Sberbank
    # in 2021.
    assert joined["att"] == "April 2020"
    assert joined["bt"] == joined["ibm"] == "November 2020"
    assert joined["sberbank"] == "2021"
    assert joined["microsoft"] == "8 November 2017"
