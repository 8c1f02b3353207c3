"""Fixtures of the web tests: the site over the real built dataset in this process with
an HTTP client, and for the browser one real ``coedp serve`` and a headless Chromium
driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.inprocess import InProcessSite
from support.servers import Server

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
BASE = "https://coedp.org/"


@pytest.fixture(scope="session")
def site(built_dist: Path) -> Iterator[Server]:
    """The site over the real dataset, built once per session."""
    server = Server(built_dist, "--workers", "2", cwd=ROOT)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def http(real_app: InProcessSite) -> Iterator[httpx.Client]:
    """An HTTP client on the site in this process (tests/conftest.py ``real_app``), that
    does not follow redirects: for the tests that read pages and documents without a
    browser."""
    with real_app.client(follow_redirects=False) as client:
        yield client


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, site: Server) -> Iterator[object]:
    """A fresh browser page (own cookies) that records every dialog that opens."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []

    def on_dialog(dialog) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()


def screenshot(tab, name: str) -> None:
    """Keep a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def _forget_cookies(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts without the language cookie an earlier test's ?lang= set."""
    yield
    if "http" in request.fixturenames:
        request.getfixturevalue("http").cookies.clear()
