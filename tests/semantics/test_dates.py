"""Dates as the sources give them: bounds stay bounds, and each date names its precision.

coedp:startDate and coedp:endDate hold the earliest and latest day a stated date
can mean. Reasoned with the ontology, they must not turn into schema:startDate or
schema:endDate, which would state "Printemps/Été 2021" as starting on 1 March.
A date that names one day, one month or one year has coedp:statedDate, typed at
that precision.
"""

from __future__ import annotations

import calendar
from datetime import date

from rdflib import Literal, Namespace

from tests.semantics.conftest import ROOT, turtle

# rdflib's closed XSD namespace warns when pytest probes module attributes.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
COEDP = Namespace("https://coedp.org/def/")
SCHEMA = Namespace("https://schema.org/")
PRECISION = Namespace("https://coedp.org/id/concept/precision/")


def test_bounds_are_not_schema_dates(closure):
    """No imprecise date of the graph becomes a schema.org start or end in the closure."""
    imprecise = {
        s for s, p in closure.subject_objects(COEDP.datePrecision) if p != PRECISION.day
    }
    assert len(imprecise) >= 12, "fewer imprecise dates than the sources give: check the data"
    wrong = sorted(
        str(s) for s in imprecise
        if (s, SCHEMA.startDate, None) in closure or (s, SCHEMA.endDate, None) in closure
    )
    assert not wrong, f"bounds stated as schema.org dates: {wrong[:5]}"


def _expected(precision, start: date, end: date) -> Literal | None:
    """The typed value a date names, or None for a range or a season."""
    if precision == PRECISION.day and start == end:
        return Literal(start.isoformat(), datatype=XSD.date)
    last = calendar.monthrange(start.year, start.month)[1]
    if precision == PRECISION.month and start.day == 1 and end == start.replace(day=last):
        return Literal(f"{start.year:04d}-{start.month:02d}", datatype=XSD.gYearMonth)
    if precision == PRECISION.year and start == date(start.year, 1, 1) and end == date(
        start.year, 12, 31
    ):
        return Literal(f"{start.year:04d}", datatype=XSD.gYear)
    return None


def test_each_date_is_typed_at_its_precision():
    data = turtle(ROOT / "graph")
    checked = {"day": 0, "month": 0, "year": 0, "none": 0}
    problems = []
    for node, precision in data.subject_objects(COEDP.datePrecision):
        start = data.value(node, COEDP.startDate)
        end = data.value(node, COEDP.endDate)
        assert start is not None and end is not None, f"{node}: a precision without bounds"
        want = _expected(precision, start.toPython(), end.toPython())
        got = data.value(node, COEDP.statedDate)
        if got != want:
            problems.append(f"{node}: stated {got!r}, expected {want!r}")
        checked[str(precision).rsplit("/", 1)[-1] if want is not None else "none"] += 1
    assert not problems, "\n".join(problems)
    # The sources give days, months, years, and ranges or seasons ("Printemps/Été 2021").
    assert all(checked[k] > 0 for k in checked), checked


def test_element_ai_leaves_after_it_joins():
    """Its end is "en 2020" (a year), its start 6 February 2020: the year is not 1 January."""
    data = turtle(ROOT / "graph")
    event = next(
        data.objects(
            next(data.subjects(Namespace("http://www.w3.org/ns/org#").member,
                               Namespace("https://coedp.org/id/org/")["element-ai"])),
            COEDP.endedBy,
        )
    )
    assert data.value(event, COEDP.statedDate) == Literal("2020", datatype=XSD.gYear)
    assert str(data.value(event, COEDP.endDate)) == "2020-12-31"
