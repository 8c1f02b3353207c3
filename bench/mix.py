"""The query mix: queries/*.rq that return rows on the benchmark data, and synthetic ones.

The synthetic queries are the kinds researchers run on a bigger graph:
partner counts per country, activities per body and year, a two-hop join
(partner -> participation -> activity -> body) and label look-ups.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

PREFIXES = """PREFIX coedp: <https://coedp.org/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

SYNTHETIC = {
    "partners-per-country": """SELECT ?country (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
  ?partner a coedp:DigitalPartner ; coedp:seatCountry ?country .
} GROUP BY ?country ORDER BY DESC(?partners) ?country""",
    "activities-per-body-and-year": """SELECT ?body ?year (COUNT(?activity) AS ?activities) WHERE {
  ?activity a coedp:WorkPlanActivity ; coedp:organisedBy ?body ; coedp:startDate ?start .
  BIND (YEAR(?start) AS ?year)
} GROUP BY ?body ?year ORDER BY ?body ?year LIMIT 500""",
    "partner-participation-activity-body": """SELECT ?partner ?body
  (COUNT(DISTINCT ?activity) AS ?n) WHERE {
  ?partner a coedp:DigitalPartner .
  ?participation coedp:participant ?partner ; coedp:activity ?activity .
  ?activity coedp:organisedBy ?body .
} GROUP BY ?partner ?body ORDER BY DESC(?n) ?partner ?body LIMIT 100""",
    "label-lookup-activity": """SELECT ?thing ?label WHERE {
  ?thing rdfs:label "Activity 1"@en ; rdfs:label ?label .
}""",
    "label-lookup-company": """SELECT ?thing ?type WHERE {
  ?thing rdfs:label ?name ; a ?type . FILTER (?name = "City 1"@en)
}""",
}

# The cheap repeated query: answered from coedp's result cache after the first time.
REPEATED = PREFIXES + "ASK { ?activity a coedp:WorkPlanActivity }"


@dataclass(frozen=True)
class Query:
    """One query of the mix: where it comes from and its text."""

    name: str
    text: str
    rows: int


def _rows(store: ox.Store, text: str) -> tuple[int, float]:
    started = time.perf_counter()
    result = store.query(text, use_default_graph_as_union=True)
    rows = int(bool(result)) if isinstance(result, ox.QueryBoolean) else sum(1 for _ in result)
    return rows, time.perf_counter() - started


def _rows_bounded(store: ox.Store, text: str, limit: float) -> tuple[int, float]:
    """:func:`_rows` in a forked child, stopped after ``limit`` seconds (rows -1 then).

    pyoxigraph cannot cancel a query, and at a million triples and more some
    competency queries run for minutes: the child is killed instead.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            sender.send(_rows(store, text))
        except (SyntaxError, OSError, ValueError):
            sender.send((0, 0.0))

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(limit):
            return receiver.recv()
        return -1, limit
    except EOFError:
        return 0, 0.0
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()


def build_mix(
    store: ox.Store, queries_dir: Path | None, max_seconds: float = 0.5
) -> tuple[list[Query], list[str]]:
    """The queries that return rows on ``store`` within ``max_seconds``, and those left out.

    A query that takes pyoxigraph itself seconds at this size would dominate
    every side's figures (and keep a server busy after the window ends): it is
    left out and listed with its time.
    """
    candidates = [(f"synthetic/{k}", PREFIXES + v) for k, v in SYNTHETIC.items()]
    if queries_dir is not None and queries_dir.is_dir():
        candidates += [(f"queries/{p.name}", p.read_text(encoding="utf-8"))
                       for p in sorted(queries_dir.glob("*.rq"))]
    kept: list[Query] = []
    left_out: list[str] = []
    for name, text in candidates:
        rows, seconds = _rows_bounded(store, text, max(10 * max_seconds, 5.0))
        if rows < 0:
            left_out.append(f"{name} (over {seconds:.0f} s in pyoxigraph alone: stopped)")
        elif not rows:
            left_out.append(f"{name} (no rows)")
        elif seconds > max_seconds:
            left_out.append(f"{name} ({seconds:.1f} s in pyoxigraph alone)")
        else:
            kept.append(Query(name, text, rows))
    return kept, left_out


def unique_text(mix: list[Query], n: int) -> str:
    """The n-th request of the mix, made unique by a comment so that no cache answers it."""
    return f"{mix[n % len(mix)].text}\n# request {n}\n"
