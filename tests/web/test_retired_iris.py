"""IRIs the remodelling retired still lead somewhere: 301 to the successor, or 410."""

from __future__ import annotations

import csv

import httpx
import pytest

from coedp.paths import graph_dir

BASE = "https://coedp.org/"


def _retired() -> list[dict[str, str]]:
    with (graph_dir() / "retired.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


RETIRED = _retired()


def test_every_retired_iri_is_listed_with_a_reason() -> None:
    assert RETIRED, "graph/retired.csv lists no IRI"
    for row in RETIRED:
        assert row["iri"].startswith(BASE) and row["reason"].strip(), row


@pytest.mark.parametrize("row", RETIRED, ids=[r["iri"] for r in RETIRED])
def test_retired_iri_answers_301_or_410(http: httpx.Client, row: dict[str, str]) -> None:
    path = "/" + row["iri"][len(BASE):]
    for accept in ("text/turtle", "text/html"):
        r = http.get(path, headers={"accept": accept})
        if row["successor"]:
            assert r.status_code == 301, r.text
            successor = "/" + row["successor"][len(BASE):]
            assert r.headers["location"] == successor
            # The successor is published.
            assert http.get(successor, headers={"accept": "text/turtle"}).status_code == 303
        else:
            assert r.status_code == 410, r.text
    doc = http.get("/doc" + path + ".ttl")
    assert doc.status_code == (301 if row["successor"] else 410)


def test_unknown_iri_is_still_404(http: httpx.Client) -> None:
    assert http.get("/def/noSuchTerm", headers={"accept": "text/turtle"}).status_code == 404
