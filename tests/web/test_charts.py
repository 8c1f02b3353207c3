"""The home page's charts tell the truth: every category, the unknowns, readable, linked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from coedp.web.charts import COLOURS

PHONE = {"width": 390, "height": 844}


def contrast(colour: str) -> float:
    """WCAG contrast ratio of ``#rrggbb`` against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def rows_of(http: httpx.Client, key: str) -> list[tuple[str, str | None, str]]:
    """(name, link, figure) of each row of a bar chart on the English home page."""
    html = http.get("/", params={"lang": "en"}).text
    block = html.split(f'id="{key}-bars"', 1)[1].split("</ol>", 1)[0]
    found = []
    for item in re.findall(r"<li>(.*?)</li>", block, re.S):
        link = re.search(r'<a href="([^"]+)">([^<]+)</a>', item)
        name = link.group(2) if link else re.sub(r"<[^>]+>", "", item.split("bar-cells")[0])
        figure = re.findall(r'<span class="bar-value">([^<]+)', item)
        found.append((name.strip(' ">'), link.group(1) if link else None, figure[0].strip()))
    return found


def test_series_colours_stand_out_from_white():
    assert all(contrast(c) >= 3.0 for c in COLOURS), [round(contrast(c), 2) for c in COLOURS]


def test_every_body_is_drawn_and_linked(http):
    rows = rows_of(http, "activities-per-body")
    # The work plan (002 lines 209-305) names 31 bodies or co-organisers in its "Secteur" column.
    assert len(rows) == 31, [r[0] for r in rows]
    assert all(link and link.startswith("/en/doc/id/") for _, link, _ in rows)  # pages in English


def test_partners_without_a_stated_seat_have_their_own_row(http):
    rows = rows_of(http, "partners-by-country")
    assert rows[-1][0] == "not stated" and rows[-1][2] == "16", rows[-1]
    assert sum(int(figure) for _, _, figure in rows) == 30
    assert rows[0][0] == "United States of America" and rows[0][2] == "8"


@pytest.fixture(scope="module")
def phone(browser, site) -> Iterator[object]:
    context = browser.new_context(base_url=site.url, viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    tab.goto("/?lang=fr")
    yield tab
    context.close()


def test_on_a_phone_no_chart_text_is_smaller_than_11_px(phone):
    sizes = phone.evaluate(
        """() => [...document.querySelectorAll('figure.chart .bars *')]
              .filter(e => e.childNodes.length && [...e.childNodes].some(
                  n => n.nodeType === 3 && n.textContent.trim()))
              .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert sizes and min(sizes) >= 11, min(sizes)
    # The timeline keeps its own size and scrolls sideways instead of shrinking its text.
    scale = phone.evaluate(
        """() => [...document.querySelectorAll('figure.chart svg[role=img]')].map(
              s => s.getBoundingClientRect().width / s.viewBox.baseVal.width)"""
    )
    assert scale and min(scale) >= 11 / 12, scale


def test_on_a_phone_labels_wrap_rather_than_being_clipped(phone):
    clipped = phone.evaluate(
        """() => [...document.querySelectorAll('.bar-label')]
              .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
    )
    assert clipped == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_bar_leads_to_its_entity(phone):
    phone.locator("#activities-per-body-bars a").first.click()
    phone.wait_for_url(re.compile(r"/doc/id/body/"))
    phone.go_back()


def test_every_chart_query_has_its_question_and_rule_in_french():
    from coedp.web.charts import HOME_CHARTS
    from coedp.web.data import load_query

    for spec in HOME_CHARTS:
        stored = load_query(spec.query)
        assert stored is not None, spec.query
        for key in ("question", "counting rule"):
            text, lang = stored.in_language(key, "fr")
            assert lang == "fr" and text, f"queries/{spec.query}.rq has no '# {key}@fr:' line"


def test_french_home_page_asks_its_chart_questions_in_french(http):
    html = http.get("/", params={"lang": "fr"}).text
    questions = re.findall(r'<p class="question" lang="(\w+)">([^<]+)</p>', html)
    assert len(questions) >= 7
    assert all(lang == "fr" for lang, _ in questions), questions
    assert "Combien de partenaires numériques ont leur siège dans chaque pays" in html
    english = http.get("/", params={"lang": "en"}).text
    assert "How many digital partners have their seat in each country" in english


def test_the_timeline_draws_imprecise_dates_as_spans(http):
    html = http.get("/", params={"lang": "en"}).text
    svg = html.split('id="joining-title"', 1)[1].split("</svg>", 1)[0]
    marks = re.findall(r'<g class="mark"><title>([^<]+)</title>(.*?)</g>', svg, re.S)
    spans = {tip.split(":")[0] for tip, body in marks if 'class="span"' in body}
    exact = {tip.split(":")[0] for tip, body in marks if 'class="span"' not in body}
    # 002 line 39: AT&T in April 2020, BT/IBM/ISOC in November 2020; line 115: Element AI
    # bought "en 2020"; 000 lines 7-9: the exchange of letters of 8 November 2017.
    assert {"April 2020", "November 2020", "2020"} <= spans, spans
    assert {"8 November 2017", "6 February 2020"} <= exact, exact
    table = html.split('id="chart-joining"', 1)[1].split("</table>", 1)[0]
    assert "April 2020" in table and "2020-04" not in table
