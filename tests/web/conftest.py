"""Fixtures of the web tests: one real ``coedp serve`` on the real built dataset,
an HTTP client, and a headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
BASE = "https://coedp.org/"


class Site:
    """A ``coedp serve`` process on a free port of 127.0.0.1."""

    def __init__(self, data: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        handle, name = tempfile.mkstemp(prefix="coedp-web-", suffix=".log")
        os.close(handle)
        self.log = Path(name)
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coedp.cli", "serve", "--data", str(data),
             "--port", str(self.port), "--workers", "2"],
            stdout=self._out, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coedp serve exited:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"coedp serve did not become ready:\n{self.output()}")

    def output(self) -> str:
        """What the server printed."""
        self._out.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the server and its workers."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
        self.log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def site(built_dist: Path) -> Iterator[Site]:
    """The site over the real dataset, built once per session."""
    server = Site(built_dist)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def http(site: Site) -> Iterator[httpx.Client]:
    """An HTTP client on the site that does not follow redirects."""
    with httpx.Client(base_url=site.url, timeout=60, follow_redirects=False) as client:
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
def page(browser, site: Site) -> Iterator[object]:
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
