"""The site in a real browser: headless Debian Chromium driven by Playwright.

Screenshots of the main pages are kept under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .conftest import screenshot

XSS = '<script>alert("xss")</script><img src=x onerror=alert(2)>'


def test_home_page_shows_its_charts(page):
    page.goto("/")
    figures = page.locator("figure.chart")
    assert figures.count() >= 7
    titles = [figures.nth(i).locator("h3").text_content() for i in range(figures.count())]
    assert all(t and t.strip() for t in titles)
    assert "Partners Engagement Rate (2018-2021)" in titles
    assert "Domain of activities with Partners (2018-2021)" in titles
    assert page.locator("figure.chart svg.bar rect").count() > 20  # bars were drawn
    assert page.locator('figure.chart svg[role="img"] title').count() >= 1  # the timeline
    assert page.get_by_role("heading", name="Partners Engagement Rate (2018-2021)").is_visible()
    screenshot(page, "home")


def test_from_a_partner_to_one_of_its_activities_then_to_the_body_that_ran_it(page):
    page.goto("/partners")
    screenshot(page, "partners")
    page.get_by_role("link", name="Microsoft", exact=True).first.click()
    page.wait_for_url(re.compile(r"/doc/id/org/microsoft$"))
    assert page.locator("h1").text_content() == "Microsoft"
    screenshot(page, "partner-microsoft")
    activity = page.locator("section[aria-labelledby=g-participations] tbody tr td:nth-child(2) a")
    assert activity.count() > 0
    activity.first.click()
    page.wait_for_url(re.compile(r"/doc/id/activity/"))
    assert page.get_by_role("link", name="Microsoft", exact=True).count() > 0  # a participant
    screenshot(page, "activity")
    body = page.locator('dd[data-prop$="organisedBy"] a').first
    name = body.text_content()
    body.click()
    page.wait_for_url(re.compile(r"/doc/id/(body|org)/"))
    assert page.locator("h1").text_content() == name
    screenshot(page, "body")


def test_search_box_finds_telefonica_without_its_accent(page):
    page.goto("/")
    page.fill("#site-search", "telefonica")
    page.press("#site-search", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=telefonica"))
    result = page.get_by_role("link", name="Telefónica", exact=True)
    assert result.count() >= 1
    screenshot(page, "search")
    result.first.click()
    page.wait_for_url(re.compile(r"/doc/id/org/telefonica$"))
    assert page.locator("h1").text_content() == "Telefónica"


def test_query_page_runs_an_example_and_shows_a_table(page):
    page.goto("/query")
    page.get_by_role("link", name="Work-plan activities per body").click()
    page.wait_for_url(re.compile(r"example=activities-per-body"))
    assert "coedp:organisedBy" in page.locator("textarea#query").input_value()
    page.get_by_role("button", name="Run").click()
    page.wait_for_url(re.compile(r"/query\?query="))
    rows = page.locator("table.results-table tbody tr")
    assert rows.count() > 5
    assert page.locator("table.results-table a[href*='/doc/id/body/']").count() > 0
    assert page.get_by_role("link", name="csv").is_visible()
    screenshot(page, "query")


def test_language_switch_shows_french_labels(page):
    page.goto("/doc/id/country/de")
    assert page.locator("h1").text_content() == "Germany"
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/fr/doc/id/country/de$"))
    assert page.locator("h1").text_content() == "Allemagne"
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto("/doc/id/activity/cahai-plenary-1?lang=fr")  # an old link naming its language
    page.wait_for_url(re.compile(r"/fr/doc/id/activity/cahai-plenary-1$"))
    page.goto("/doc/id/activity/cahai-plenary-1")  # the choice is remembered
    assert page.url.endswith("/fr/doc/id/activity/cahai-plenary-1")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "CAHAI" in page.locator("h1").text_content()
    assert page.get_by_role("heading", name="Participants").is_visible()
    screenshot(page, "activity-fr")


def test_script_in_a_search_term_is_shown_as_text(page):
    page.goto("/search?q=" + quote(XSS))
    status = page.locator("p[role=status]")
    assert XSS in status.text_content()
    assert page.locator("#site-search").input_value() == XSS
    assert page.dialogs == []


def test_script_in_a_broken_query_is_shown_as_text(page):
    query = f"SELECT * WHERE {{ ?s ?p '{XSS}' "
    page.goto("/query?query=" + quote(query))
    assert page.locator("div.error").is_visible()
    assert page.locator("textarea#query").input_value() == query
    assert page.dialogs == []
    screenshot(page, "query-error")


def test_script_in_a_missing_path_is_shown_as_text(page):
    for path in ("/id/org/" + quote(XSS), "/no-such-page/" + quote(XSS)):
        response = page.goto(path)
        assert response.status == 404
        assert XSS in page.locator("main").text_content()
        assert page.dialogs == []


def test_ontology_and_downloads_pages(page):
    page.goto("/ontology#Company")
    assert page.locator("article#Company h3").is_visible()
    screenshot(page, "ontology")
    page.goto("/downloads")
    assert page.locator("a[href='/download/coedp.ttl']").is_visible()
    screenshot(page, "downloads")
