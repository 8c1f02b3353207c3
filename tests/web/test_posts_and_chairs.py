"""Posts and chairs on the entity pages: each holder with the term it held the post.

The Secretary General is an org:Post of the Council of Europe; a chairmanship of the
Committee of Ministers is the chairing state's holding of the post of chair. The pages
of the post, of its organisation, of the holder and of a co-organised activity show
them with their periods.
"""

from __future__ import annotations

import re

import httpx


def section(html: str, anchor: str) -> str:
    """The page's ``<section aria-labelledby=anchor>`` (empty if absent)."""
    found = re.search(rf'<section[^>]*aria-labelledby="{anchor}">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


def rows(table: str) -> list[list[str]]:
    """The text of each cell of each body row of a table."""
    body = table.split("<tbody>", 1)[-1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def page(http: httpx.Client, rel: str) -> str:
    r = http.get(f"/doc/{rel}.html")
    assert r.status_code == 200, (rel, r.status_code)
    return r.text


def test_the_post_lists_its_holders_with_their_terms(http: httpx.Client) -> None:
    table = rows(section(page(http, "id/post/secretary-general"), "g-holders"))
    assert [(r[0], r[2], r[3]) for r in table] == [
        ("Thorbjørn Jagland", "1 October 2009", "18 September 2019"),
        # The page gives the month her successor took office, not the day she left.
        ("Marija Pejčinović Burić", "18 September 2019", "September 2024"),
    ]


def test_the_committee_of_ministers_lists_its_chairs(http: httpx.Client) -> None:
    table = rows(section(page(http, "id/body/committee-of-ministers"), "g-holders"))
    assert [(r[0], r[1], r[2], r[3]) for r in table] == [
        ("Finland", "Chair of the Committee of Ministers", "21 November 2018", "17 May 2019"),
        ("Germany", "Chair of the Committee of Ministers", "November 2020", "21 May 2021"),
        ("Hungary", "Chair of the Committee of Ministers", "21 May 2021", "17 November 2021"),
    ]


def test_the_chairing_state_shows_its_chairmanship(http: httpx.Client) -> None:
    html = page(http, "id/country/fi")
    table = rows(section(html, "g-memberships"))
    chair = [r for r in table if r[-1] == "Finnish Chairmanship of the Committee of Ministers"]
    assert len(chair) == 1, table
    assert chair[0][0] == "Committee of Ministers"
    assert "21 November 2018" in chair[0] and "17 May 2019" in chair[0]
    # A chairmanship starts and ends; it is not a joining of the Digital Partnership.
    timeline = section(html, "g-timeline")
    assert "Finnish Chairmanship" in timeline
    assert "joins the Digital Partnership" not in timeline


def test_the_secretary_general_shows_his_term(http: httpx.Client) -> None:
    html = page(http, "id/person/thorbjorn-jagland")
    table = rows(section(html, "g-memberships"))
    assert [(r[0], r[2], r[4]) for r in table] == [
        ("Council of Europe", "1 October 2009", "18 September 2019")
    ]
    assert "/id/post/secretary-general" in html


def test_a_co_organised_conference_names_its_chairmanship(http: httpx.Client) -> None:
    html = page(http, "id/activity/governing-the-game-changer-2019")
    value = re.search(
        r'<dd data-prop="https://coedp.org/def/chairmanship">(.*?)</dd>', html, re.S
    )
    assert value, "no chairmanship on the page"
    assert "/id/membership/cm-chair-finland-2018-2019" in value.group(1)
    # Its footnote points to line 268 of the June 2022 document, which names it.
    notes = re.findall(r'href="#fn-(\d+)"', value.group(1))
    assert notes
    footnote = re.search(rf'<li id="fn-{notes[0]}"[^>]*>(.*?)</li>', html, re.S)
    assert footnote and "line 268" in footnote.group(1)


def test_the_retired_chairmanship_leads_to_the_holding(http: httpx.Client) -> None:
    r = http.get("/id/body/chairmanship-germany-2020-2021", headers={"accept": "text/html"})
    assert r.status_code == 301
    assert r.headers["location"] == "/id/membership/cm-chair-germany-2020-2021"
