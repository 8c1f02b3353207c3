"""The query page's editor in a real browser (Debian's Chromium through Playwright).

Every test routes all of the page's requests and fails on any that would leave
127.0.0.1 (the editor fetches nothing from elsewhere: no CDN, no vocabulary
service, no map tiles), and on any script error or Content-Security-Policy report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from coedp.namespaces import PREFIXES
from coedp.web import query_page

from .conftest import screenshot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLE_LINK = "Who took part in each CAHAI plenary"


@pytest.fixture(scope="module", autouse=True)
def bundle_built() -> None:
    """The editor bundle must have been built by the package's install."""
    if not query_page.editor_bundle():
        message = (
            f"the editor bundle is missing from {query_page.EDITOR}: "
            "`pip install -e .` builds it with npm (see setup.py)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture()
def tab(page) -> Iterator[object]:
    """The test's page, every request routed: only 127.0.0.1 is reached."""
    outside: list[str] = []
    problems: list[str] = []

    def route(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def console(message) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(message.text)

    page.route("**/*", route)
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    assert outside == [], f"requests left the site: {outside}"
    assert problems == [], f"script errors or policy reports: {problems}"


def editor(tab) -> object:
    """The editor's editable area, once the script has put it on the page."""
    content = tab.locator(".cm-content")
    content.wait_for(timeout=15_000)
    return content


def set_query(tab, text: str) -> None:
    """Replace the editor's text (inserted as one edit, as a paste would)."""
    editor(tab).click()
    tab.keyboard.press("Control+a")
    tab.keyboard.press("Delete")
    tab.keyboard.insert_text(text)


def wait_for_vocabulary(tab) -> None:
    """Wait until the completion vocabulary has arrived (it loads after the page)."""
    tab.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".some(e => e.name.endsWith('/query/completions.json') && e.responseEnd > 0)",
        timeout=30_000,
    )


def option(tab, label: str) -> object:
    """The offered completion whose label is exactly ``label``."""
    exact = tab.locator(".cm-completionLabel", has_text=re.compile(f"^{re.escape(label)}$"))
    return tab.locator(".cm-tooltip-autocomplete li").filter(has=exact).first


def complete(tab, typed: str, label: str) -> None:
    """Type ``typed`` and accept the completion whose label is ``label``."""
    tab.keyboard.type(typed, delay=30)
    item = option(tab, label)
    item.wait_for(timeout=10_000)
    item.click()


def run_with_keys(tab, done: re.Pattern[str] = re.compile(r"row|triple|not run")) -> None:
    """Ctrl+Enter, then wait for the heading of the results (``done``: in the page's words)."""
    tab.keyboard.press("Control+Enter")
    tab.locator("section.live-results h2").filter(has_text=done).wait_for(timeout=30_000)


def column_texts(tab, index: int) -> list[str]:
    """The shown value of each cell of a column (its label or value, without tags)."""
    return tab.eval_on_selector_all(
        f"table.results-table tbody tr td:nth-child({index})",
        "cells => cells.map(c => (c.firstElementChild || c).textContent.trim())",
    )


# -- the page and its policy ------------------------------------------------------------
def test_only_the_query_page_may_run_the_sites_own_scripts(http):
    query = http.get("/query").headers["content-security-policy"]
    assert "script-src 'self'" in query
    assert "unsafe-inline" not in query and "unsafe-eval" not in query
    for path in ("/", "/partners", "/ontology", "/search?q=cahai"):
        assert "script-src 'none'" in http.get(path).headers["content-security-policy"], path
    page = http.get("/query").text
    assert re.search(r'<script src="/static/editor/editor\.js\?v=[0-9a-f]{12}" defer>', page)
    script = http.get("/static/editor/editor.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    licences = http.get("/static/editor/editor-licences.txt")
    assert licences.status_code == 200 and "codemirror-lang-sparql" in licences.text
    for name in ("..%2Fcoedp.css", "nothing.js", "editor.js.map"):
        assert http.get("/static/editor/" + name).status_code == 404, name


def test_the_vocabulary_comes_from_the_graph(http):
    doc = http.get("/query/completions.json").json()
    assert doc["prefixes"] == PREFIXES
    terms = {iri: (kind, en, fr) for iri, kind, en, fr in doc["terms"]}
    assert terms[PREFIXES["coedp"] + "DigitalPartner"] == (
        "c", "Digital partner", "Partenaire numérique"
    )
    assert terms[PREFIXES["coedp"] + "organisedBy"][0] == "p"
    assert terms[PREFIXES["orgs"] + "microsoft"][:2] == ("e", "Microsoft")
    assert terms[PREFIXES["body"] + "cahai"][0] == "e"


# -- editing -------------------------------------------------------------------------------
def test_completion_offers_the_prefixed_class_and_names_by_label(tab):
    tab.goto("/query")
    set_query(tab, "SELECT ?p WHERE { ?p a  }")
    wait_for_vocabulary(tab)
    tab.keyboard.press("Control+End")
    for _ in range(2):
        tab.keyboard.press("ArrowLeft")
    tab.keyboard.type("coedp:Dig", delay=30)
    option(tab, "coedp:DigitalPartner").wait_for(timeout=10_000)  # offered, else this times out
    screenshot(tab, "editor-completion")
    tab.keyboard.press("Escape")
    # names by their label, French or English; the prefixed name is what gets written
    tab.keyboard.press("Control+End")
    tab.keyboard.press("Enter")
    complete(tab, "Partenaire num", "Digital partner")
    tab.keyboard.press("Enter")
    complete(tab, "Micros", "Microsoft")
    text = editor(tab).text_content()
    assert "coedp:DigitalPartner" in text and "orgs:microsoft" in text


def test_ctrl_enter_runs_the_query_and_keeps_a_permalink(tab):
    tab.goto("/query")
    set_query(tab, "SELECT ?p WHERE { ?p a coedp:DigitalPartner }")
    run_with_keys(tab)
    assert tab.locator("section.live-results h2").text_content().startswith("30 row(s)")
    # (/query is redirected to the page in the browser's language: English)
    assert tab.locator("table.results-table a[href='/en/doc/id/org/microsoft']").count() == 1
    link = tab.locator("a.permalink")
    href = link.get_attribute("href")
    assert href and href.startswith("/en/query?query=")
    assert tab.url.endswith(href)
    tab.goto(href)  # the permalink opens the same query and runs it
    tab.locator(".pager .range").wait_for(timeout=30_000)
    assert tab.locator(".pager .range").text_content() == "1–30 of 30"
    assert "coedp:DigitalPartner" in editor(tab).text_content()


LANGUAGE_QUERY = (
    "SELECT ?partner ?kind WHERE { ?partner a coedp:DigitalPartner , ?kind .\n"
    "  FILTER(?kind = coedp:DigitalPartner) } ORDER BY ?partner LIMIT 3"
)


def test_result_links_on_the_french_page_lead_to_french_pages(tab):
    tab.goto("/fr/query")
    set_query(tab, LANGUAGE_QUERY)
    run_with_keys(tab, re.compile(r"ligne|triplet|pas été"))
    assert tab.locator("section.live-results h2").text_content().startswith("3 ligne(s)")
    hrefs = tab.eval_on_selector_all(
        "table.results-table tbody a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) == 6, hrefs
    assert all(h.startswith(("/fr/doc/id/", "/fr/ontology#")) for h in hrefs), hrefs
    assert "/fr/ontology#DigitalPartner" in hrefs
    assert tab.locator("a.permalink").get_attribute("href").startswith("/fr/query?query=")
    first = tab.locator("table.results-table tbody a[href^='/fr/doc/id/']").first
    target = first.get_attribute("href")
    first.click()
    tab.wait_for_url(re.compile(re.escape(target) + "$"))
    assert tab.locator("html").get_attribute("lang") == "fr"
    assert tab.locator("h1").text_content().strip()


def test_the_server_drawn_results_link_in_the_pages_language(http):
    for lang in ("en", "fr"):
        page = http.get(f"/{lang}/query", params={"query": LANGUAGE_QUERY})
        assert page.status_code == 200
        links = re.findall(r'<td><a href="([^"]+)"', page.text)
        assert len(links) == 6, links
        assert all(h.startswith((f"/{lang}/doc/id/", f"/{lang}/ontology#")) for h in links)
        config = re.search(r'"pages":\s*"([^"]*)"', page.text)
        assert config and config.group(1) == f"/{lang}"  # the editor's links follow it


def test_a_syntax_error_is_marked_on_its_line(tab):
    tab.goto("/query")
    set_query(tab, "SELECT ?s\nWHERE {\n  ?s ?p ?o ) .\n}")
    marks = tab.locator(".cm-lintRange-error")
    marks.first.wait_for(timeout=10_000)
    lines = tab.locator(".cm-line")
    assert lines.nth(2).locator(".cm-lintRange-error").count() >= 1
    assert lines.nth(0).locator(".cm-lintRange-error").count() == 0
    assert tab.locator(".cm-gutter-lint .cm-lint-marker-error").count() == 1
    # an error only the endpoint finds (an unknown prefix) is marked where it says
    set_query(tab, "SELECT ?s WHERE {\n  ?s a coedp:DigitalPartner .\n  ?s foo:bar ?o .\n}")
    run_with_keys(tab)
    alert = tab.locator("section.live-results div.error").text_content()
    assert "unknown prefix foo:" in alert and "line 3" in alert
    marks = tab.locator(".cm-line").nth(2).locator(".cm-lintRange-error")
    marks.first.wait_for(timeout=10_000)
    # the whole name the endpoint refused (highlighting may cut a mark in pieces)
    assert "".join(marks.all_text_contents()) == "foo:bar"
    assert lines.nth(1).locator(".cm-lintRange-error").count() == 0
    screenshot(tab, "editor-error")


# -- results -------------------------------------------------------------------------------
def test_the_table_pages_and_sorts(tab, http):
    total = int(
        http.get(
            "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"Accept": "text/csv"},
        ).text.split()[1]
    )
    assert total > 2000
    tab.goto("/query")
    set_query(tab, "SELECT * WHERE { ?s ?p ?o }")
    run_with_keys(tab)
    shown = f"{total:,}"
    assert tab.locator(".pager .range").text_content() == f"1–1,000 of {shown}"
    assert tab.locator("table.results-table tbody tr").count() == 1000
    heads = tab.locator("table.results-table thead th").all_text_contents()
    assert [h.strip() for h in heads] == ["?s", "?p", "?o"]  # as the query names them
    tab.get_by_role("button", name="Next").click()
    assert tab.locator(".pager .range").text_content() == f"1,001–2,000 of {shown}"
    assert tab.get_by_role("button", name="Previous").is_enabled()
    # sorting, and the labels beside the prefixed names
    set_query(
        tab,
        "SELECT ?partner ?n WHERE { ?partner a coedp:DigitalPartner ; rdfs:label ?name .\n"
        '  FILTER(lang(?name) = "en") BIND(STRLEN(?name) AS ?n) }',
    )
    run_with_keys(tab)
    assert "orgs:" in tab.locator("table.results-table tbody td").first.text_content()
    tab.get_by_role("button", name="?n").click()
    lengths = [int(x) for x in column_texts(tab, 2)]
    assert lengths == sorted(lengths)
    tab.get_by_role("button", name=re.compile(r"^\?n")).click()
    lengths = [int(x) for x in column_texts(tab, 2)]
    assert lengths == sorted(lengths, reverse=True)
    downloads = tab.locator("p.downloads a")
    assert downloads.all_text_contents() == ["json", "xml", "csv", "tsv"]
    href = downloads.nth(2).get_attribute("href")
    assert href and http.get(href).headers["content-type"].startswith("text/csv")


def test_the_chart_view_draws_a_bar_per_row(tab):
    tab.goto("/query?example=activities-per-body")
    editor(tab)
    tab.get_by_role("button", name="Run").click()
    tab.get_by_role("tab", name="Bar chart").wait_for(timeout=30_000)
    rows = tab.locator("table.results-table tbody tr").count()
    tab.get_by_role("tab", name="Bar chart").click()
    bars = tab.locator("ol.bars li")
    assert bars.count() == rows > 5
    widths = [float(bars.nth(i).locator("rect").get_attribute("width")) for i in range(rows)]
    assert max(widths) == 100 and min(widths) > 0
    assert bars.first.locator("a[href^='/en/doc/id/']").count() == 1  # its entity's page
    assert "view=chart" in tab.url
    tab.goto(tab.url)  # the permalink opens on the chart
    tab.locator("ol.bars li").first.wait_for(timeout=30_000)
    assert tab.locator("ol.bars li").count() == rows
    screenshot(tab, "editor-chart")


def test_the_timeline_draws_each_date_at_its_precision(tab):
    tab.goto("/query")
    set_query(
        tab,
        "SELECT ?what ?when WHERE { VALUES (?what ?when) {\n"
        '  ("a year" "2020"^^xsd:gYear) ("a month" "2020-04"^^xsd:gYearMonth)\n'
        '  ("a day" "2020-11-05"^^xsd:date) } }',
    )
    run_with_keys(tab)
    tab.get_by_role("tab", name="Timeline").click()
    year = float(tab.locator(".lanes rect.year").get_attribute("width"))
    month = float(tab.locator(".lanes rect.month").get_attribute("width"))
    assert 11 < year / month < 13  # the whole of 2020 against the whole of April
    day = float(tab.locator(".lanes rect.day").get_attribute("width"))
    assert day < month / 5
    assert tab.locator(".lanes rect.year title").text_content() == "2020 (known to the year)"


def test_the_map_draws_points_without_a_base_map(tab):
    tab.goto("/query")
    set_query(
        tab,
        "SELECT ?place ?lat ?long WHERE { VALUES (?place ?lat ?long) {\n"
        '  ("Strasbourg" 48.58 7.75) ("Brussels" 50.85 4.35) } }',
    )
    run_with_keys(tab)
    tab.get_by_role("tab", name="Map").click()
    points = tab.locator("svg.map circle")
    assert points.count() == 2
    assert points.first.locator("title").text_content() == "Strasbourg"
    assert tab.locator("svg.map image").count() == 0


# -- without the script ---------------------------------------------------------------------
def test_the_page_works_without_javascript(browser, site):
    context = browser.new_context(base_url=site.url, java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto("/query")
        assert tab.locator("textarea#query").is_visible()
        assert tab.locator(".cm-content").count() == 0
        tab.fill("textarea#query", "SELECT * WHERE { ?s ?p ?o }")
        tab.get_by_role("button", name="Run").click()
        tab.wait_for_url(re.compile(r"/query\?query="))
        assert tab.locator("table.results-table tbody tr").count() == 1000
        heads = tab.locator("table.results-table thead th").all_text_contents()
        assert heads == ["?s", "?p", "?o"]
        names = tab.locator("table.results-table code.iri-small").all_text_contents()
        assert names and not any(n.startswith(("https://coedp.org/", "<https://coedp.org/"))
                                 for n in names)
        assert re.fullmatch(r"1–1,000 of [\d,]+", tab.locator("p.shown-range").text_content())
    finally:
        context.close()


# -- acceptance ------------------------------------------------------------------------------
def test_partners_in_cahai_meetings_in_2020_from_an_example_and_completions(tab):
    """Which partners took part in CAHAI meetings in 2020? The sources (the work plan's
    binding standard-setting table) name the 2nd plenary (6-8/07/2020: European DIGITAL
    SME Alliance, GSMA, IEEE, Microsoft) and the 3rd (15-17/12/2020: IEEE, Microsoft)."""
    tab.goto("/query")
    tab.get_by_role("link", name=EXAMPLE_LINK).click()
    editor(tab)
    wait_for_vocabulary(tab)
    line = tab.locator(".cm-line", has_text="?participant rdfs:label ?participantLabel")
    line.click()
    tab.keyboard.press("End")
    tab.keyboard.press("Enter")
    tab.keyboard.type("?participant a ", delay=20)
    complete(tab, "coedp:Digit", "coedp:DigitalPartner")
    tab.keyboard.type(" .", delay=20)
    tab.keyboard.press("Enter")
    complete(tab, "FILT", "FILTER")
    tab.keyboard.type("(", delay=20)
    complete(tab, "YEA", "YEAR")
    tab.keyboard.type("(?start) = 2020)", delay=20)
    screenshot(tab, "editor-acceptance")
    run_with_keys(tab)
    heading = tab.locator("section.live-results h2").text_content()
    assert heading.startswith("6 row(s)"), heading
    got = sorted(zip(column_texts(tab, 2), column_texts(tab, 5), strict=True))
    assert got == [
        ("2nd plenary meeting of CAHAI", "European Digital SME Alliance"),
        ("2nd plenary meeting of CAHAI", "GSMA"),
        ("2nd plenary meeting of CAHAI", "IEEE"),
        ("2nd plenary meeting of CAHAI", "Microsoft"),
        ("3rd plenary meeting of CAHAI", "IEEE"),
        ("3rd plenary meeting of CAHAI", "Microsoft"),
    ]



def test_the_editor_and_its_views_fit_a_phone(browser, site):
    context = browser.new_context(base_url=site.url, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    try:
        tab.goto("/query?example=activities-per-body")
        editor(tab)
        tab.get_by_role("button", name="Run").click()
        tab.get_by_role("tab", name="Bar chart").wait_for(timeout=30_000)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        tab.get_by_role("tab", name="Bar chart").click()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(tab, "editor-phone-chart")
    finally:
        context.close()


def test_describe_gives_triples_and_graph_downloads_ask_gives_an_answer(tab):
    tab.goto("/query")
    set_query(tab, "DESCRIBE orgs:microsoft")
    run_with_keys(tab)
    assert re.match(r"\d+ triple\(s\)", tab.locator("section.live-results h2").text_content())
    assert tab.locator("table.results-table thead th").all_text_contents() == [
        "?subject", "?predicate", "?object"
    ]
    assert "Microsoft" in column_texts(tab, 1)
    assert tab.locator("p.downloads a").all_text_contents() == [
        "turtle", "ntriples", "rdfxml", "jsonld"
    ]
    set_query(tab, "ASK { orgs:microsoft a coedp:DigitalPartner }")
    tab.keyboard.press("Control+Enter")
    tab.get_by_role("heading", name="Yes (true)").wait_for(timeout=30_000)


def test_a_prefix_declaration_completes_its_namespace(tab):
    tab.goto("/query")
    set_query(tab, "")
    wait_for_vocabulary(tab)
    tab.keyboard.type("PREFIX orgs:", delay=30)
    option(tab, "<https://coedp.org/id/org/>").wait_for(timeout=10_000)
    assert tab.locator(".cm-tooltip-autocomplete li").count() == 1


def test_without_the_bundle_no_editor_file_is_served(monkeypatch, tmp_path) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(query_page, "EDITOR", tmp_path)
    assert query_page.editor_bundle() is False  # the template then names no script
    with ThreadPoolExecutor(1) as pool:  # Playwright holds this thread's event loop
        response = pool.submit(asyncio.run, query_page.editor_static("editor.js")).result()
    assert response.status_code == 404
