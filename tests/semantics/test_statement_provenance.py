"""Provenance on statements: every asserted fact of the built dataset has its source.

The build reifies each fact of graph/ as an rdf:Statement whose dct:source is a
line of a source section (section#L169), the section, a public page, or, for
what coedp states itself, dct:creator orgs:coedp. Pages and the competency query
"which source line says Microsoft's seat is Redmond?" read these.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from coedp.build.statements import PROVENANCE_PREDICATES, statement_iri
from tests.semantics.conftest import ROOT, turtle

ASSERTED = "https://coedp.org/graph/asserted"
PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX coedp: <https://coedp.org/def/>
"""


@pytest.fixture(scope="module")
def store(built_dist: Path) -> ox.Store:
    st = ox.Store()
    st.bulk_load(path=str(built_dist / "coedp.nq"), format=ox.RdfFormat.N_QUADS)
    return st


def _count(store: ox.Store, query: str) -> int:
    rows = list(store.query(PREFIXES + query))
    return int(rows[0][0].value)


def test_every_fact_has_a_statement_with_a_source(store: ox.Store) -> None:
    data = turtle(ROOT / "graph")
    facts = [(s, p, o) for s, p, o in data if p not in PROVENANCE_PREDICATES]
    assert len(facts) > 5000
    stated = {
        r[0].value
        for r in store.query(
            PREFIXES + f"SELECT ?st FROM <{ASSERTED}> WHERE {{ ?st a rdf:Statement ; "
            "rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . "
            "FILTER EXISTS { ?st dct:source|dct:creator ?from } }"
        )
    }
    missing = [f for f in facts if str(statement_iri(*f)) not in stated]
    assert not missing, f"{len(missing)} facts without a sourced statement, e.g. {missing[:3]}"


def test_statements_name_what_they_reify(store: ox.Store) -> None:
    """Each statement's subject, predicate and object form a triple the graph asserts."""
    dangling = _count(
        store,
        f"SELECT (COUNT(?st) AS ?n) FROM <{ASSERTED}> WHERE {{ ?st a rdf:Statement ; "
        "rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . FILTER NOT EXISTS { ?s ?p ?o } }",
    )
    assert dangling == 0


def test_line_locators_are_parts_of_sections(store: ox.Store) -> None:
    """A line locator is section#L<n>, part of its section, with the line in its document.

    Not always in the section's own span: a footnote is printed at the foot of a page.
    """
    rows = list(
        store.query(
            PREFIXES + f"SELECT ?where ?section ?line ?first ?last FROM <{ASSERTED}> WHERE {{ "
            "?st dct:source ?where . ?where dct:isPartOf ?section ; coedp:sourceLine ?line . "
            "?section dct:isPartOf ?doc . ?doc coedp:firstLine ?first ; coedp:lastLine ?last }"
        )
    )
    assert len(rows) > 500
    for where, section, line, first, last in rows:
        assert where.value == f"{section.value}#L{line.value}"
        assert int(first.value) <= int(line.value) <= int(last.value), where.value


def test_microsoft_seat_has_its_own_line(store: ox.Store) -> None:
    """Not the eight sections that mention Microsoft: the one line stating its seat."""
    rows = list(
        store.query(
            PREFIXES + f"SELECT ?where FROM <{ASSERTED}> WHERE {{ ?st rdf:subject "
            "<https://coedp.org/id/org/microsoft> ; rdf:predicate coedp:seat ; "
            "rdf:object <https://coedp.org/id/place/redmond> ; dct:source ?where }"
        )
    )
    assert [r[0].value for r in rows] == [
        "https://coedp.org/id/section/digital-partnership-2022-profiles#L169"
    ]
