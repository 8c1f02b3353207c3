"""Charts drawn on the server, from the queries of queries/.

Each chart names the query it is computed from (``queries/NAME.rq``), loads
it by name, runs it through the worker pool and draws the answer. Bar charts
are HTML: one list item per category, its name a link to the entity (wrapped,
never clipped, as readable on a phone as the text around it), its bars small
SVG rectangles sized in a 0-100 viewBox (presentation attributes, so the
page's ``style-src 'self'`` holds), the figure written beside each bar. Every
category is drawn; a row counts the items that lack the value. The timeline
is SVG (``role="img"``, ``<title>``, ``<desc>``) in a box that scrolls
sideways rather than shrinking its text; so is the map of the partners' seats
(:mod:`coedp.web.seatmap`). The page puts the figures in a table
beside each chart and the query's counting rule under it. Series colours
keep a 3:1 contrast with white (WCAG 1.4.11).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from fastapi import FastAPI
from markupsafe import Markup

from coedp.web import data, dates
from coedp.web.catalogue import Catalogue
from coedp.web.i18n import t

# Contrast with white: 6.7, 4.3, 4.1 and 5.9 to 1.
COLOURS = ("#1f5f99", "#b5651d", "#3c8d5a", "#8e44ad")


@dataclass(frozen=True)
class ChartSpec:
    """A chart: its query, the variable naming each bar, the series and how to draw them."""

    key: str
    query: str
    title: str  # message id
    label_var: str
    series: tuple[tuple[str, str], ...]  # (variable, i18n key of its name)
    shape: str = "bars"  # bars | stacked | timeline | map (coedp.web.seatmap)
    axis: str = "chart.activities"
    unknown_href: str | None = None  # the list behind the row of items lacking the value


HOME_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "partners-by-country",
        "chart-partners-by-country",
        "chart.title.partners-by-country",
        "country",
        (("partners", "chart.partners"),),
        axis="chart.partners",
        unknown_href="/partners",
    ),
    ChartSpec(
        "seats",
        "chart-partner-seats-map",
        "chart.title.seats",
        "partner",
        (("lat", "chart.latitude"), ("long", "chart.longitude")),
        shape="map",
        axis="chart.partners",
    ),
    ChartSpec(
        "partners-by-kind",
        "partner-kinds-stated-and-counted",
        "chart.title.partners-by-kind",
        "kind",
        (("statedCount", "chart.stated"), ("counted", "chart.counted")),
        axis="chart.partners",
    ),
    ChartSpec(
        "joining",
        "chart-joining-timeline",
        "chart.title.joining",
        "date",
        (("partners", "chart.partners"),),
        shape="timeline",
        axis="chart.partners",
    ),
    ChartSpec(
        "cohorts",
        "cohorts-stated-and-counted",
        "chart.title.cohorts",
        "cohort",
        (("statedCount", "chart.stated"), ("memberships", "chart.counted")),
        axis="chart.partners",
    ),
    ChartSpec(
        "activities-per-body",
        "activities-per-body",
        "chart.title.activities-per-body",
        "body",
        (("activities", "chart.activities"),),
    ),
    ChartSpec(
        "activities-per-year",
        "activities-per-year",
        "chart.title.activities-per-year",
        "year",
        (("activities", "chart.activities"),),
    ),
    ChartSpec(
        "engagement",
        "partner-engagement-2018-2021",
        "chart.title.engagement",
        "partner",
        (("confirmed", "chart.confirmed"), ("expected", "chart.expected")),
        shape="stacked",
    ),
    ChartSpec(
        "domains",
        "activity-domains-with-partners",
        "chart.title.domains",
        "domain",
        (("activities", "chart.activities"),),
    ),
)


@dataclass
class Point:
    """One bar (or one date of the timeline)."""

    label: str
    iri: str
    values: list[float]
    note: str = ""  # e.g. "joined" / "left" on the timeline
    extra: str = ""  # names listed by the query
    href: str | None = None
    raw: str = ""  # the timeline's date as the query gives it ("2020", "2020-04", a day)


@dataclass
class Chart:
    """A drawn chart and what the page shows around it."""

    spec: ChartSpec
    title: str
    points: list[Point] = field(default_factory=list)
    drawing: Markup | None = None
    error: str = ""
    rule: str = ""
    rule_lang: str = "en"
    question: str = ""
    question_lang: str = "en"
    series_names: list[str] = field(default_factory=list)
    extra_name: str = ""  # the heading of the table's column of ``Point.extra``


def _number(row: data.Row, var: str) -> float:
    term = row.get(var)
    if term is None:
        return 0.0
    try:
        return float(term.value)
    except ValueError:
        return 0.0


async def read_rows(app: FastAPI, spec: ChartSpec, lang: str) -> tuple[Chart, list[data.Row]]:
    """The chart's frame (title, question, counting rule) and its query's rows.

    A missing query or a failed one is set as the chart's error, with no rows.
    """
    chart = Chart(spec, t(spec.title, lang), series_names=[t(k, lang) for _, k in spec.series])
    stored = data.load_query(spec.query)
    if stored is None:
        chart.error = t("chart.unavailable", lang, msg=f"queries/{spec.query}.rq is missing")
        return chart, []
    chart.rule, chart.rule_lang = stored.in_language("counting rule", lang)
    chart.question, chart.question_lang = stored.in_language("question", lang)
    try:
        return chart, await data.select(app, stored.text)
    except data.DataError as exc:
        chart.error = t("chart.unavailable", lang, msg=str(exc))
        return chart, []


async def compute(
    app: FastAPI,
    spec: ChartSpec,
    cat: Catalogue,
    lang: str,
    link: Callable[[str], str | None] = lambda iri: None,
) -> Chart:
    """Run the chart's query and draw it; a failure becomes a message, not an error page."""
    if spec.shape == "map":
        # The map reads its rows and draws them in its own module, which builds on this one.
        from coedp.web import seatmap

        return await seatmap.compute(app, spec, cat, lang, link)
    chart, rows = await read_rows(app, spec, lang)
    for row in rows:
        term = row.get(spec.label_var)
        note = row["change"].value if "change" in row else ""
        extra = row["names"].value if "names" in row else ""
        values = [_number(row, var) for var, _ in spec.series]
        if term is None:
            # The items that lack the value (a partner whose seat is not stated).
            chart.points.append(
                Point(t("chart.unknown", lang), "", values, note, extra, spec.unknown_href)
            )
            continue
        label = cat.label(term.value, lang) if term.is_iri else term.value
        raw = ""
        if spec.shape == "timeline" and not term.is_iri:
            raw, label = term.value, dates.display_lexical(term.value, lang) or term.value
        chart.points.append(
            Point(
                label,
                term.value if term.is_iri else "",
                values,
                note,
                extra,
                link(term.value) if term.is_iri else None,
                raw,
            )
        )
    if chart.points:
        chart.drawing = draw(chart, lang)
    return chart


def draw(chart: Chart, lang: str) -> Markup:
    """The HTML (bars) or SVG (timeline) of a computed chart."""
    if chart.spec.shape == "timeline":
        return _timeline(chart, lang)
    return _bars(chart, lang, stacked=chart.spec.shape == "stacked")


def _open(chart: Chart, width: int, height: int, desc: str) -> list[str]:
    key = escape(chart.spec.key)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{key}-title {key}-desc">',
        f'<title id="{key}-title">{escape(chart.title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
    ]


def _summary(chart: Chart, lang: str) -> str:
    parts = []
    for p in chart.points:
        figures = ", ".join(
            f"{name} {_fmt(v)}" for name, v in zip(chart.series_names, p.values, strict=False)
        )
        parts.append(f"{p.label}{' (' + p.note + ')' if p.note else ''}: {figures}")
    return "; ".join(parts)


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _nice_max(value: float) -> int:
    if value <= 5:
        return max(1, math.ceil(value))
    step = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if value <= m * step:
            return int(m * step)
    return int(10 * step)


def _bar_svg(segments: list[tuple[float, float, str]], height: int = 10) -> str:
    """A bar as SVG rectangles: (start, width, colour), in percent of the scale."""
    rects = "".join(
        f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{colour}"/>'
        for x, w, colour in segments
        if w > 0
    )
    return (
        f'<svg class="bar" viewBox="0 0 100 {height}" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false">{rects}</svg>'
    )


def _bars(chart: Chart, lang: str, stacked: bool) -> Markup:
    """Every category as a row: its name (a link), its bar(s) and its figure(s)."""
    points = chart.points
    totals = [sum(p.values) if stacked else max(p.values or [0]) for p in points]
    top = _nice_max(max(totals or [1]))
    key = escape(chart.spec.key)
    out = [f'<div class="bars" id="{key}-bars">']
    if len(chart.series_names) > 1:
        out.append('<p class="legend">')
        for i, name in enumerate(chart.series_names):
            out.append(
                f'<span class="swatch">{_bar_svg([(0, 100, COLOURS[i])])}{escape(name)}</span>'
            )
        out.append("</p>")
    out.append(
        f'<p class="scale">{escape(t(chart.spec.axis, lang))}: 0–{top}</p>'
        '<ol class="bar-rows">'
    )
    for p in points:
        name = escape(p.label)
        label = f'<a href="{escape(p.href)}">{name}</a>' if p.href else name
        out.append(f'<li><span class="bar-label">{label}</span><span class="bar-cells">')
        if stacked:
            x = 0.0
            segments = []
            for i, value in enumerate(p.values):
                segments.append((x, value * 100 / top, COLOURS[i]))
                x += value * 100 / top
            parts = " + ".join(_fmt(v) for v in p.values)
            figure = f"{_fmt(sum(p.values))} ({parts})" if len(p.values) > 1 else parts
            out.append(
                f'<span class="bar-cell">{_bar_svg(segments)}'
                f'<span class="bar-value">{escape(figure)}</span></span>'
            )
        else:
            for i, value in enumerate(p.values):
                series = escape(chart.series_names[i]) if len(p.values) > 1 else ""
                out.append(
                    f'<span class="bar-cell">{_bar_svg([(0, value * 100 / top, COLOURS[i])])}'
                    f'<span class="bar-value">{_fmt(value)}'
                    f'{f" <small>{series}</small>" if series else ""}</span></span>'
                )
        out.append("</span></li>")
    out.append("</ol></div>")
    return Markup("".join(out))


def _period(text: str) -> tuple[date, date] | None:
    """The first and last day a date can be: a year ("2020") or a month ("2020-04")
    spans its days; a day is itself."""
    try:
        if len(text) == 4:
            return date(int(text), 1, 1), date(int(text), 12, 31)
        if len(text) == 7:
            first = date(int(text[:4]), int(text[5:7]), 1)
            after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, after - timedelta(days=1)
        day = date.fromisoformat(text[:10])
        return day, day
    except ValueError:
        return None


def _timeline(chart: Chart, lang: str) -> Markup:
    dated = [(d, p) for p in chart.points if (d := _period(p.raw or p.label)) is not None]
    width, height = 720, 236
    left, right, axis_y = 40, 40, 110
    out = _open(chart, width, height, _summary(chart, lang))
    if not dated:
        out.append("</svg>")
        return _scrolling(out)
    first_year = min(first.year for (first, _), _ in dated)
    last_year = max(last.year for (_, last), _ in dated) + 1
    span = (date(last_year, 1, 1) - date(first_year, 1, 1)).days or 1

    def x_of(d: date) -> float:
        return left + (d - date(first_year, 1, 1)).days * (width - left - right) / span

    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" class="axis"/>')
    for year in range(first_year, last_year + 1):
        x = x_of(date(year, 1, 1))
        out.append(
            f'<line x1="{x:.1f}" y1="{axis_y - 4}" x2="{x:.1f}" y2="{axis_y + 4}" class="axis"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{axis_y + 20}" text-anchor="middle" class="tick">{year}</text>'
        )
    out.append(
        f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle" '
        f'class="axis-label">{escape(t("chart.year", lang))}</text>'
    )
    ordered = sorted(dated, key=lambda dp: (dp[0][1], dp[0][0]))
    for n, ((first, last), p) in enumerate(ordered):
        # A date known to the month or the year is drawn as the span of days it can be,
        # with its mark hollow in the middle: never as its first day.
        x0, x1 = x_of(first), x_of(last + timedelta(days=1))
        x = (x0 + x1) / 2
        exact = first == last
        count = _fmt(p.values[0]) if p.values else ""
        change = t("chart." + p.note, lang) if p.note in ("joined", "left") else p.note
        tip = escape(f"{p.label}: {change} {count}".strip() + (f" ({p.extra})" if p.extra else ""))
        colour = COLOURS[1] if p.note == "left" else COLOURS[0]
        fill = colour if exact else "#fff"
        if p.note == "left":
            y = axis_y + 34
            label_y = axis_y + 62
            sign = "−"
        else:
            y = axis_y - (26 + (n % 3) * 22)
            label_y = y - 11
            sign = "+"
            out.append(
                f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{y}" class="grid"/>'
            )
        out.append(f'<g class="mark"><title>{tip}</title>')
        if not exact:
            out.append(
                f'<rect class="span" x="{x0:.1f}" y="{y - 3}" width="{max(x1 - x0, 2):.1f}" '
                f'height="6" rx="3" fill="{colour}" fill-opacity="0.35"/>'
            )
        if p.note == "left":
            out.append(
                f'<rect x="{x - 6:.1f}" y="{y - 6}" width="12" height="12" fill="{fill}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        else:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y}" r="7" fill="{fill}" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
        out.append(
            f'<text x="{x:.1f}" y="{label_y}" text-anchor="middle" class="value">'
            f"{sign}{count}</text></g>"
        )
    legend_y = 16
    out.append(f'<circle cx="{left + 6}" cy="{legend_y - 4}" r="6" fill="{COLOURS[0]}"/>')
    out.append(
        f'<text x="{left + 16}" y="{legend_y}" '
        f'class="legend">{escape(t("chart.joined", lang))}</text>'
    )
    out.append(
        f'<rect x="{left + 110}" y="{legend_y - 10}" width="12" height="12" fill="{COLOURS[1]}"/>'
    )
    out.append(
        f'<text x="{left + 128}" y="{legend_y}" '
        f'class="legend">{escape(t("chart.left", lang))}</text>'
    )
    out.append(
        f'<rect x="{left + 220}" y="{legend_y - 7}" width="40" height="6" rx="3" '
        f'fill="{COLOURS[0]}" fill-opacity="0.35"/>'
        f'<circle cx="{left + 240}" cy="{legend_y - 4}" r="6" fill="#fff" '
        f'stroke="{COLOURS[0]}" stroke-width="2"/>'
    )
    out.append(
        f'<text x="{left + 268}" y="{legend_y}" '
        f'class="legend">{escape(t("chart.span", lang))}</text>'
    )
    out.append("</svg>")
    return _scrolling(out)


def _scrolling(svg: list[str]) -> Markup:
    """An SVG drawn at its own size in a box that scrolls sideways on a narrow screen."""
    return Markup('<div class="chart-scroll">' + "\n".join(svg) + "</div>")
