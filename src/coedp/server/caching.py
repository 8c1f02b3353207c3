"""Validators (ETag, Last-Modified) derived from the dataset version, and 304 checks."""

from __future__ import annotations

import functools
from email.utils import formatdate, parsedate_to_datetime

from starlette.requests import Request


def etag(version: str, variant: str) -> str:
    """A weak ETag: the dataset version plus what distinguishes this representation.

    Weak, because the gzip layer may re-encode the bytes without changing meaning.
    """
    return f'W/"{version[:20]}-{variant}"'


def http_date(timestamp: float) -> str:
    """An RFC 9110 date (IMF-fixdate) for ``timestamp``."""
    return _http_date(int(timestamp))


@functools.lru_cache(maxsize=64)
def _http_date(seconds: int) -> str:
    # The dataset's date, on every response: formatted once.
    return formatdate(seconds, usegmt=True)


def validators(version: str, variant: str, last_modified: float) -> dict[str, str]:
    """Headers that let a client revalidate a GET with If-None-Match / If-Modified-Since."""
    return {
        "ETag": etag(version, variant),
        "Last-Modified": http_date(last_modified),
        "Cache-Control": "public, no-cache",
    }


def not_modified(request: Request, tag: str, last_modified: float) -> bool:
    """Whether a GET/HEAD can be answered 304 (RFC 9110 section 13.2.2 order)."""
    if request.method not in ("GET", "HEAD"):
        return False
    inm = request.headers.get("if-none-match")
    if inm is not None:
        if inm.strip() == "*":
            return True
        wanted = {_opaque(t) for t in inm.split(",")}
        return _opaque(tag) in wanted
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return int(last_modified) <= since
    return False


def _opaque(tag: str) -> str:
    """Weak comparison: ignore the W/ prefix."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag
