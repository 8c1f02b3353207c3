"""Dates as a reader of the page's language expects them, at the precision the source gives.

The graph keeps what a source says of a date three ways: its wording
(``coedp:dateText``, e.g. "Printemps/Été 2021"@fr), the bounds of the days it
can cover (``coedp:startDate`` / ``coedp:endDate``, xsd:date) and its precision
(``coedp:datePrecision``: day, month, season or year). A page writes the date
from the bounds and the precision in its own language ("spring–summer 2021",
"printemps-été 2021"; "April 2020", "avril 2020"), never a bound as if it were
the day, and keeps the source's wording as a tooltip.
"""

from __future__ import annotations

from datetime import date

from coedp.web.i18n import LANGS, t

PRECISION = "https://coedp.org/id/concept/precision/"
DAY, MONTH, SEASON, YEAR = (PRECISION + p for p in ("day", "month", "season", "year"))

# Month and season names, the dash between bounds and the first of a month are in the
# message catalogue ("date.month.1"...). Seasons are meteorological (spring from March,
# summer from June...), as the bounds of a stated season were set.
SEASONS = ("winter", "spring", "summer", "autumn")


def _parse(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _day(d: date, lang: str, with_year: bool = True) -> str:
    month = t(f"date.month.{d.month}", lang)
    day = t("date.first-day", lang) if d.day == 1 else str(d.day)
    return f"{day} {month} {d.year}" if with_year else f"{day} {month}"


def _month(d: date, lang: str, with_year: bool = True) -> str:
    name = t(f"date.month.{d.month}", lang)
    return f"{name} {d.year}" if with_year else name


def _season(d: date, lang: str) -> str:
    return t("date.season." + SEASONS[(d.month % 12) // 3], lang)


def display(start: str, end: str, precision: str, lang: str) -> str:
    """The date a source states, written in ``lang`` at its ``precision``.

    ``start`` and ``end`` are the xsd:date bounds (``end`` may be empty);
    ``precision`` is a concept of the date-precision scheme (or empty, read as
    a day). Returns "" when ``start`` is not a date.
    """
    lang = lang if lang in LANGS else "en"
    first = _parse(start)
    if first is None:
        return ""
    last = _parse(end) or first
    dash = t("date.dash", lang)
    if precision == YEAR:
        return str(first.year) if first.year == last.year else f"{first.year}{dash}{last.year}"
    if precision == SEASON:
        opening, closing = _season(first, lang), _season(last, lang)
        years = str(first.year) if first.year == last.year else f"{first.year}{dash}{last.year}"
        if opening == closing:
            return f"{opening} {years}"
        return f"{opening}{dash}{closing} {years}"
    if precision == MONTH:
        if (first.year, first.month) == (last.year, last.month):
            return _month(first, lang)
        if first.year == last.year:
            return f"{_month(first, lang, False)}{dash}{_month(last, lang)}"
        return f"{_month(first, lang)}{dash}{_month(last, lang)}"
    if first == last:
        return _day(first, lang)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{dash}{_day(last, lang)}"
    if first.year == last.year:
        return f"{_day(first, lang, False)} {dash} {_day(last, lang)}"
    return f"{_day(first, lang)} {dash} {_day(last, lang)}"


def display_lexical(text: str, lang: str) -> str:
    """An xsd:date, xsd:gYearMonth or xsd:gYear value written in ``lang`` at its own
    precision ("2021" stays a year, "2020-04" is April 2020); "" for anything else."""
    lang = lang if lang in LANGS else "en"
    if len(text) == 4 and text.isdigit():
        return text
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        month = int(text[5:])
        return f"{t(f'date.month.{month}', lang)} {text[:4]}" if 1 <= month <= 12 else ""
    day = _parse(text)
    return _day(day, lang) if day and len(text) == 10 else ""
