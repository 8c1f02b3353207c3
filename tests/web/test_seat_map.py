"""The map of the partners' seats: every seated partner a dot where its seat lies, each dot
and label a link to the partner, no base map, readable on a phone; and the query behind it
draws the same points in the query page's map view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from urllib.parse import urlsplit

import httpx
import pytest

from coedp.web import query_page

from .conftest import screenshot

PHONE = {"width": 390, "height": 844}
# The partners whose seat city the profiles state (002 lines 85-185), with that city.
SEATED = {
    "Apple": "Cupertino", "AT&T": "Dallas", "Cloudflare": "San Francisco",
    "Computer & Communications Industry Association": "Washington, D.C.",
    "Deutsche Telekom": "Bonn", "DigitalEurope": "Brussels", "ServiceNow": "Santa Clara",
    "EuroISPA": "Brussels", "European Digital SME Alliance": "Brussels", "Meta": "Menlo Park",
    "IBM": "Armonk", "Microsoft": "Redmond", "Kaspersky": "Moscow", "Telefónica": "Madrid",
}


def seat_map(http: httpx.Client, lang: str) -> str:
    """The map's figure on the home page in ``lang``."""
    html = http.get("/", params={"lang": lang}).text
    assert 'id="chart-seats"' in html, "the home page has no map of the seats"
    return html.split('id="chart-seats"', 1)[1].split("</figure>", 1)[0]


def dots(figure: str) -> dict[str, tuple[float, float, str]]:
    """Each dot of the map: its partner (from its tooltip) -> (x, y, link)."""
    svg = figure.split("<svg", 1)[1].split("</svg>", 1)[0]
    found = {}
    for href, tip, cx, cy in re.findall(
        r'<a href="([^"]+)" class="seat"><title>([^<]+)</title>'
        r'<circle cx="([-\d.]+)" cy="([-\d.]+)"',
        svg,
    ):
        name = tip.split(" — ")[0].replace("&amp;", "&")
        found[name] = (float(cx), float(cy), href)
    return found


def test_every_seated_partner_is_a_dot_linked_to_its_page(http):
    found = dots(seat_map(http, "en"))
    assert set(found) == set(SEATED)
    for name, (_, _, href) in found.items():
        assert href.startswith("/en/doc/id/org/"), (name, href)
        assert http.get(href).status_code == 200, href


def test_dots_lie_by_longitude_and_latitude(http):
    found = dots(seat_map(http, "en"))
    x = {name: cx for name, (cx, _, _) in found.items()}
    y = {name: cy for name, (_, cy, _) in found.items()}
    # In North America: Redmond (47.7°N) above Dallas (32.8°N); Armonk (73.7°W) east of Dallas
    # (96.8°W) east of Redmond (122.1°W).
    assert y["Microsoft"] < y["IBM"] < y["AT&T"]
    assert x["Microsoft"] < x["AT&T"] < x["IBM"]
    # In Europe: Moscow above Bonn above Madrid; Madrid west of Bonn west of Moscow.
    assert y["Kaspersky"] < y["Deutsche Telekom"] < y["Telefónica"]
    assert x["Telefónica"] < x["Deutsche Telekom"] < x["Kaspersky"]
    # One scale for both axes (equirectangular): Redmond (47.66944, -122.12389) to Dallas
    # (32.78306, -96.80667), as many pixels a degree across as down.
    across = (x["AT&T"] - x["Microsoft"]) / (-96.80667 + 122.12389)
    down = (y["AT&T"] - y["Microsoft"]) / (47.66944 - 32.78306)
    assert across > 1 and abs(across - down) / across < 0.02, (across, down)


def test_labels_name_partner_and_seat_and_never_overlap(http):
    figure = seat_map(http, "en")
    svg = figure.split("<svg", 1)[1].split("</svg>", 1)[0]
    baselines = [float(y) for y in re.findall(r'<text x="3\d\d(?:\.\d)?" y="([\d.]+)"', svg)]
    assert len(baselines) >= len(SEATED) + len(set(SEATED.values()))
    ordered = sorted(baselines)
    assert all(b - a >= 14 for a, b in pairwise(ordered)), ordered
    for seat in set(SEATED.values()):
        assert f">{seat.replace('&', '&amp;')}</text>" in svg, seat


def test_no_base_map_and_nothing_fetched(http):
    figure = seat_map(http, "en")
    assert "<image" not in figure
    assert all(urlsplit(h).netloc == "" for h in re.findall(r'href="([^"]+)"', figure))


def test_the_map_speaks_french_on_the_french_page(http):
    figure = seat_map(http, "fr")
    assert "Sièges des partenaires" in figure
    assert ">Bruxelles</text>" in figure
    assert "<th scope=\"col\">siège</th>" in figure  # the table's column of seats
    assert 'href="/fr/doc/id/org/apple"' in figure


def test_the_table_gives_each_partner_its_coordinates(http):
    figure = seat_map(http, "en")
    table = figure.split('<table class="data">', 1)[1].split("</table>", 1)[0]
    assert "<th scope=\"col\">latitude</th><th scope=\"col\">longitude</th>" in table
    row = re.search(r'>Deutsche Telekom</a></th>\s*<td class="num">([-\d.]+)</td>'
                    r'<td class="num">([-\d.]+)</td>\s*<td>([^<]+)</td>', table)
    assert row and row.groups() == ("50.73389", "7.09972", "Bonn")


# -- in a browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def phone(browser, site) -> Iterator[object]:
    context = browser.new_context(base_url=site.url, viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    tab.goto("/?lang=en")
    yield tab
    context.close()


def test_on_a_phone_the_map_keeps_its_size_and_scrolls_sideways(phone):
    svg = phone.locator("#chart-seats svg.seat-map")
    scale = svg.evaluate("s => s.getBoundingClientRect().width / s.viewBox.baseVal.width")
    assert scale >= 11 / 12, scale  # 12 px text stays at least 11 px
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = phone.locator("#chart-seats .chart-scroll")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the map scrolls, not the page
    screenshot(phone, "seat-map-phone")


def test_a_dot_opens_its_partner(browser, site):
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        tab.goto("/?lang=en")
        dot = tab.locator("#chart-seats a.seat", has=tab.locator("title", has_text="IBM"))
        dot.locator("circle").first.click()
        tab.wait_for_url(re.compile(r"/en/doc/id/org/ibm$"), timeout=15_000)
        assert "IBM" in tab.locator("h1").text_content()
    finally:
        context.close()


def test_the_query_page_maps_the_same_points(browser, site):
    if not query_page.editor_bundle():
        pytest.skip("the editor bundle is not built (`pip install -e .` builds it)")
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside: list[str] = []
    tab.route(
        "**/*",
        lambda route: route.continue_()
        if urlsplit(route.request.url).hostname == "127.0.0.1"
        else (outside.append(route.request.url), route.abort()),
    )
    try:
        tab.goto("/query?example=chart-partner-seats-map")
        tab.locator(".cm-content").wait_for(timeout=15_000)
        tab.get_by_role("button", name="Run").click()
        tab.get_by_role("tab", name="Map").wait_for(timeout=30_000)
        tab.get_by_role("tab", name="Map").click()
        points = tab.locator("svg.map circle")
        assert points.count() == len(SEATED)
        titles = set(points.locator("title").all_text_contents())
        assert titles == set(SEATED)
        assert tab.locator("svg.map a").count() == len(SEATED)  # each point links its partner
        assert tab.locator("svg.map image").count() == 0
        screenshot(tab, "seat-map-query-page")
    finally:
        context.close()
    assert outside == []


def test_a_seat_page_gives_its_latitude_and_longitude(http):
    html = http.get("/en/doc/id/place/strasbourg").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1]))
    assert "latitude 48.5844" in text and "longitude 7.7486" in text
