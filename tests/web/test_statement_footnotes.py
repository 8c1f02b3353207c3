"""Entity pages cite a source per statement, as Wikidata shows references."""

from __future__ import annotations

import re

import httpx


def test_seat_has_a_footnote_to_its_line(http: httpx.Client) -> None:
    r = http.get("/doc/id/org/microsoft.html")
    assert r.status_code == 200
    html = r.text
    seat = re.search(r'<dd data-prop="https://coedp.org/def/seat">(.*?)</dd>', html, re.S)
    assert seat, "no seat on Microsoft's page"
    notes = re.findall(r'href="#fn-(\d+)"', seat.group(1))
    assert len(notes) == 1, seat.group(1)
    footnote = re.search(rf'<li id="fn-{notes[0]}"[^>]*>(.*?)</li>', html, re.S)
    assert footnote, f"footnote {notes[0]} is not on the page"
    # 002 line 169, in the section of the partners' profiles.
    assert "line 169" in footnote.group(1)
    assert "/id/section/digital-partnership-2022-profiles" in footnote.group(1)


def test_statement_nodes_are_not_listed_as_links(http: httpx.Client) -> None:
    r = http.get("/doc/id/place/redmond.html")
    assert r.status_code == 200
    assert "/id/statement/" not in r.text
