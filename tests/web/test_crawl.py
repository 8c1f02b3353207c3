"""Every page reachable from the home page is well-formed, accessible and has no broken link.

A breadth-first crawl from / over the site's own HTML pages (at most
``MAX_PAGES``, fetched with GET): each page is parsed with the standard
library's ``html.parser`` and a strict tag-balance check (no well-kept HTML
validator is installed here: html5lib and lxml are not dependencies), every
``<img>`` has an ``alt`` and every ``<svg role="img">`` a ``<title>`` or an
``aria-label``. Every internal link of the crawled pages must answer below
400: pages beyond the bound and other resources are checked with HEAD.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

MAX_PAGES = 200
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SVG_VOID = {"rect", "circle", "line", "path", "polyline", "polygon", "ellipse", "use", "stop"}


class StrictPage(HTMLParser):
    """Collects links and the problems of one page: unbalanced tags, missing text alternatives."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self._svg_img: list[dict] = []  # open <svg role=img>: has a title?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        line = self.getpos()[0]
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("link", "script") and (a.get("href") or a.get("src")):
            self.links.append(a.get("href") or a.get("src"))
        if tag == "img" and not (a.get("alt") is not None or a.get("aria-label")):
            self.problems.append(f"line {line}: <img> without alt")
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"line {line}: duplicate id {a['id']!r}")
            self.ids.add(a["id"])
        if tag == "svg" and a.get("role") == "img":
            self._svg_img.append({"line": line, "alt": bool(a.get("aria-label")), "title": False})
        if tag == "title" and self._svg_img:
            self._svg_img[-1]["title"] = True
        if tag in VOID or tag in SVG_VOID:
            return
        self.stack.append((tag, line))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and tag not in SVG_VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID or tag in SVG_VOID:
            return
        if not self.stack:
            self.problems.append(f"line {line}: </{tag}> closes nothing")
            return
        open_tag, opened = self.stack.pop()
        if open_tag != tag:
            self.problems.append(f"line {line}: </{tag}> closes <{open_tag}> of line {opened}")
        if tag == "svg" and self._svg_img:
            svg = self._svg_img.pop()
            if not (svg["title"] or svg["alt"]):
                self.problems.append(f"line {svg['line']}: <svg role=img> without a title")

    def finish(self) -> list[str]:
        self.close()
        for tag, line in self.stack:
            self.problems.append(f"<{tag}> of line {line} is never closed")
        return self.problems


def check_page(html: str) -> tuple[list[str], list[str]]:
    """(problems, links) of one page."""
    parser = StrictPage()
    if not html.lstrip().lower().startswith("<!doctype html>"):
        parser.problems.append("no <!doctype html>")
    parser.feed(html)
    return parser.finish(), parser.links


def test_the_strict_check_finds_what_it_must():
    problems, _ = check_page("<!doctype html><html><body><p><b>x</p></body></html>")
    assert any("closes <b>" in p for p in problems)
    problems, _ = check_page("<!doctype html><html><body><img src=a.png></body></html>")
    assert any("without alt" in p for p in problems)
    svg = '<svg role="img"><rect/></svg>'
    problems, _ = check_page(f"<!doctype html><html><body>{svg}</body></html>")
    assert any("without a title" in p for p in problems)
    problems, _ = check_page("<!doctype html><html><body><div></body></html>")
    assert problems


def test_every_page_reachable_from_home_is_sound(real_app):
    base = real_app.url
    host = urlsplit(base).netloc
    seen_pages: set[str] = set()
    queue: deque[str] = deque([base + "/"])
    queued = {base + "/"}
    links: dict[str, str] = {}  # link -> a page that has it
    failures: list[str] = []

    def internal(url: str) -> bool:
        return urlsplit(url).netloc == host

    def is_page(url: str) -> bool:
        path = urlsplit(url).path
        return not path.startswith(("/sparql", "/rdf-graph-store", "/download/", "/static/"))

    def fetch(client: httpx.Client, url: str) -> tuple[str, httpx.Response]:
        return url, client.get(url, headers={"accept": "text/html"})

    # Redirects followed: the neutral address of a page sends to its language's address.
    with real_app.client(follow_redirects=True) as client, \
            ThreadPoolExecutor(max_workers=3) as pool:
        while queue and len(seen_pages) < MAX_PAGES:
            batch = []
            while queue and len(seen_pages) + len(batch) < MAX_PAGES:
                batch.append(queue.popleft())
            for url, response in pool.map(lambda u: fetch(client, u), batch):
                seen_pages.add(url)
                if response.status_code >= 400:
                    failures.append(f"{url}: {response.status_code}")
                    continue
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                problems, hrefs = check_page(response.text)
                failures.extend(f"{url}: {p}" for p in problems)
                for href in hrefs:
                    target = urldefrag(urljoin(url, href))[0]
                    if not internal(target):
                        continue
                    links.setdefault(target, url)
                    if is_page(target) and target not in queued:
                        queued.add(target)
                        queue.append(target)
        unchecked = [link for link in links if link not in seen_pages]

        def head(link: str) -> tuple[str, int]:
            return link, client.head(link, headers={"accept": "text/html"}).status_code

        for link, status in pool.map(head, unchecked):
            if status >= 400:
                failures.append(f"{links[link]} links to {link}: {status}")
    assert len(seen_pages) >= 100, f"only {len(seen_pages)} pages reachable from the home page"
    assert not failures, "\n".join(failures[:40])
