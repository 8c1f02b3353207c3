"""Path traversal on every route that reads a file or maps a path to an IRI: always 404."""

from __future__ import annotations

import http.client

import pytest
from support.servers import Server

from .conftest import SECRET

# Sent byte for byte (no client-side normalisation of "..").
TRAVERSALS = [
    "/download/../secret.txt",
    "/download/..%2fsecret.txt",
    "/download/%2e%2e%2fsecret.txt",
    "/download/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/download/%2Fetc%2Fpasswd",
    "/download/unlisted.txt",
    "/download/..%5csecret.txt",
    "/static/../../server/app.py",
    "/static/..%2f..%2fserver%2fapp.py",
    "/static/%2e%2e%2f__init__.py",
    "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/..%5c__init__.py",
    "/id/../../etc/passwd",
    "/id/..%2f..%2f..%2fetc%2fpasswd",
    "/id/%2e%2e/%2e%2e/secret.txt",
    "/doc/id/..%2f..%2f..%2fetc%2fpasswd",
    "/doc/..%2fsecret.txt",
    "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd.ttl",
    "/def/%2e%2e/%2e%2e/etc/passwd",
    "/graph/..%2f..%2fsecret.txt",
    "/..%2f..%2fetc%2fpasswd",
    "/%2e%2e/%2e%2e/etc/passwd",
]
LEAKS = (SECRET, "root:x:0:0", "import ", "[build-system]")


def raw_get(server: Server, path: str, accept: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.putheader("Accept", accept)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_the_routes_exist(site: Server):
    """The traversal checks below mean something only if the routes serve real files."""
    status, text = raw_get(site, "/download/coedp.trig", "*/*")
    assert status == 200 and "coedp.org/graph/asserted" in text
    status, _ = raw_get(site, "/static/coedp.css", "text/css")
    assert status == 200


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "*/*"])
@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_404(site: Server, path: str, accept: str):
    status, text = raw_get(site, path, accept)
    assert status == 404, (path, status, text[:200])
    for leak in LEAKS:
        assert leak not in text, (path, leak)
