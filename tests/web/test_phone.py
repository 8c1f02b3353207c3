"""Pages on a phone: 390 px wide, nothing wider than the screen, the menu folded away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coedp.web.pages import INDEXES

PHONE = {"width": 390, "height": 844}
PAGES = [
    "/",
    "/doc/id/org/microsoft",
    "/doc/id/body/cahai",
    "/doc/id/activity/cahai-plenary-1",
    "/doc/id/country/fr",
    "/ontology",
    "/search?q=ai",
    "/downloads",
    "/query",
    *(f"/{ix.slug}" for ix in INDEXES),
]


@pytest.fixture(scope="module")
def phone(browser, site) -> Iterator[object]:
    """One browser tab the size of a phone."""
    context = browser.new_context(base_url=site.url, viewport=PHONE, is_mobile=True)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_page_is_wider_than_a_phone(phone, path, lang):
    sep = "&" if "?" in path else "?"
    response = phone.goto(f"{path}{sep}lang={lang}")
    assert response is not None and response.status == 200
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px screen"


def test_the_menu_folds_into_a_details_element_that_opens_without_javascript(browser, site):
    context = browser.new_context(base_url=site.url, viewport=PHONE, java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto("/?lang=en")
        partners = tab.get_by_role("link", name="Partners", exact=True)
        assert not partners.is_visible()
        header = tab.locator("header.site").bounding_box()
        assert header is not None and header["height"] < PHONE["height"] / 4
        tab.locator("header.site summary").click()
        assert partners.is_visible()
        partners.click()
        tab.wait_for_url("**/partners**")
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_is_open(page):
    page.goto("/?lang=en")
    assert page.get_by_role("link", name="Partners", exact=True).is_visible()
