"""Charts drawn on the server as inline SVG, from the queries of queries/.

Each chart names the query it is computed from (``queries/NAME.rq``), loads
it by name, runs it through the worker pool and draws the answer. The SVG is
accessible: ``role="img"``, a ``<title>`` and a ``<desc>`` referenced by
``aria-labelledby``, axis labels; the page puts the figures in a table beside
it and the query's counting rule under it. Colours and sizes come from
presentation attributes and the site's CSS (no inline style, no script).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html import escape

from fastapi import FastAPI
from markupsafe import Markup

from coedp.web import data
from coedp.web.catalogue import Catalogue
from coedp.web.i18n import t

COLOURS = ("#1f5f99", "#d9822b", "#3c8d5a", "#8e44ad")


@dataclass(frozen=True)
class ChartSpec:
    """A chart: its query, the variable naming each bar, the series and how to draw them."""

    key: str
    query: str
    title: tuple[str, str]  # (English, French)
    label_var: str
    series: tuple[tuple[str, str], ...]  # (variable, i18n key of its name)
    shape: str = "bars"  # bars | stacked | columns | timeline
    top: int = 0  # keep only the first rows in the drawing (all stay in the table)
    axis: str = "chart.activities"


HOME_CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "partners-by-country",
        "chart-partners-by-country",
        ("Partners by country of seat", "Partenaires par pays du siège"),
        "country",
        (("partners", "chart.partners"),),
        axis="chart.partners",
    ),
    ChartSpec(
        "partners-by-kind",
        "partner-kinds-stated-and-counted",
        ("Partners by kind: stated and counted", "Partenaires par type : annoncés et comptés"),
        "kind",
        (("statedCount", "chart.stated"), ("counted", "chart.counted")),
        axis="chart.partners",
    ),
    ChartSpec(
        "joining",
        "chart-joining-timeline",
        ("Joining and leaving the partnership", "Arrivées et départs du partenariat"),
        "date",
        (("partners", "chart.partners"),),
        shape="timeline",
        axis="chart.partners",
    ),
    ChartSpec(
        "cohorts",
        "cohorts-stated-and-counted",
        (
            "Cohorts of partners: stated and counted",
            "Vagues de partenaires : annoncées et comptées",
        ),
        "cohort",
        (("statedCount", "chart.stated"), ("memberships", "chart.counted")),
        axis="chart.partners",
    ),
    ChartSpec(
        "activities-per-body",
        "activities-per-body",
        ("Work-plan activities per body", "Activités du plan de travail par organe"),
        "body",
        (("activities", "chart.activities"),),
        top=15,
    ),
    ChartSpec(
        "activities-per-year",
        "activities-per-year",
        ("Work-plan activities per year", "Activités du plan de travail par année"),
        "year",
        (("activities", "chart.activities"),),
        shape="columns",
    ),
    ChartSpec(
        "engagement",
        "partner-engagement-2018-2021",
        ("Partners Engagement Rate (2018-2021)", "Taux d'engagement des partenaires (2018-2021)"),
        "partner",
        (("confirmed", "chart.confirmed"), ("expected", "chart.expected")),
        shape="stacked",
    ),
    ChartSpec(
        "domains",
        "activity-domains-with-partners",
        (
            "Domain of activities with Partners (2018-2021)",
            "Domaines des activités avec les partenaires (2018-2021)",
        ),
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


@dataclass
class Chart:
    """A drawn chart and what the page shows around it."""

    spec: ChartSpec
    title: str
    points: list[Point] = field(default_factory=list)
    svg: Markup | None = None
    error: str = ""
    rule: str = ""
    question: str = ""
    series_names: list[str] = field(default_factory=list)


def _number(row: data.Row, var: str) -> float:
    term = row.get(var)
    if term is None:
        return 0.0
    try:
        return float(term.value)
    except ValueError:
        return 0.0


async def compute(
    app: FastAPI,
    spec: ChartSpec,
    cat: Catalogue,
    lang: str,
    link: Callable[[str], str | None] = lambda iri: None,
) -> Chart:
    """Run the chart's query and draw it; a failure becomes a message, not an error page."""
    title = spec.title[1 if lang == "fr" else 0]
    chart = Chart(spec, title, series_names=[t(k, lang) for _, k in spec.series])
    stored = data.load_query(spec.query)
    if stored is None:
        chart.error = t("chart.unavailable", lang, msg=f"queries/{spec.query}.rq is missing")
        return chart
    chart.rule = stored.counting_rule
    chart.question = stored.question
    try:
        rows = await data.select(app, stored.text)
    except data.DataError as exc:
        chart.error = t("chart.unavailable", lang, msg=str(exc))
        return chart
    for row in rows:
        term = row.get(spec.label_var)
        if term is None:
            continue
        label = cat.label(term.value, lang) if term.is_iri else term.value
        note = row["change"].value if "change" in row else ""
        extra = row["names"].value if "names" in row else ""
        chart.points.append(
            Point(
                label,
                term.value if term.is_iri else "",
                [_number(row, var) for var, _ in spec.series],
                note,
                extra,
                link(term.value) if term.is_iri else None,
            )
        )
    if chart.points:
        chart.svg = draw(chart, lang)
    return chart


def draw(chart: Chart, lang: str) -> Markup:
    """The SVG of a computed chart."""
    shape = chart.spec.shape
    if shape == "columns":
        return _columns(chart, lang)
    if shape == "timeline":
        return _timeline(chart, lang)
    return _bars(chart, lang, stacked=shape == "stacked")


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


def _ticks(top: int) -> list[int]:
    step = max(1, top // 5)
    return list(range(0, top + 1, step))


def _bars(chart: Chart, lang: str, stacked: bool) -> Markup:
    points = chart.points[: chart.spec.top] if chart.spec.top else chart.points
    series = len(chart.spec.series)
    per_row = 1 if stacked or series == 1 else series
    bar_h, gap = 14, 10
    row_h = per_row * bar_h + gap
    left, right, top_pad = 230, 30, 34
    width = 720
    plot_w = width - left - right
    height = top_pad + len(points) * row_h + 40
    totals = [sum(p.values) if stacked else max(p.values or [0]) for p in points]
    top = _nice_max(max(totals or [1]))
    scale = plot_w / top
    out = _open(chart, width, height, _summary(chart, lang))
    # legend
    x = left
    for i, name in enumerate(chart.series_names):
        out.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{COLOURS[i]}"/>')
        out.append(f'<text x="{x + 16}" y="18" class="legend">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    axis_y = top_pad + len(points) * row_h
    for tick in _ticks(top):
        tx = left + tick * scale
        out.append(
            f'<line x1="{tx:.1f}" y1="{top_pad - 4}" x2="{tx:.1f}" y2="{axis_y}" class="grid"/>'
        )
        out.append(
            f'<text x="{tx:.1f}" y="{axis_y + 14}" text-anchor="middle" class="tick">{tick}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{axis_y + 32}" text-anchor="middle" '
        f'class="axis-label">{escape(t(chart.spec.axis, lang))}</text>'
    )
    for n, p in enumerate(points):
        y = top_pad + n * row_h
        label = p.label if len(p.label) <= 34 else p.label[:33] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + per_row * bar_h / 2 + 4:.1f}" '
            f'text-anchor="end" class="bar-label">{escape(label)}</text>'
        )
        offset = 0.0
        for i, value in enumerate(p.values):
            w = value * scale
            if stacked:
                out.append(
                    f'<rect x="{left + offset:.1f}" y="{y}" width="{w:.1f}" '
                    f'height="{bar_h}" fill="{COLOURS[i]}"/>'
                )
                offset += w
            else:
                by = y + i * bar_h
                out.append(
                    f'<rect x="{left}" y="{by}" width="{w:.1f}" height="{bar_h - 2}" '
                    f'fill="{COLOURS[i]}"/>'
                )
                out.append(
                    f'<text x="{left + w + 4:.1f}" y="{by + bar_h - 4}" '
                    f'class="value">{_fmt(value)}</text>'
                )
        if stacked:
            out.append(
                f'<text x="{left + offset + 4:.1f}" y="{y + bar_h - 3}" '
                f'class="value">{_fmt(sum(p.values))}</text>'
            )
    out.append(f'<line x1="{left}" y1="{top_pad - 4}" x2="{left}" y2="{axis_y}" class="axis"/>')
    out.append("</svg>")
    return Markup("\n".join(out))


def _columns(chart: Chart, lang: str) -> Markup:
    points = chart.points
    width, height = 720, 300
    left, bottom, top_pad = 50, 50, 20
    plot_w, plot_h = width - left - 20, height - bottom - top_pad
    top = _nice_max(max((p.values[0] for p in points), default=1))
    slot = plot_w / max(1, len(points))
    out = _open(chart, width, height, _summary(chart, lang))
    base_y = top_pad + plot_h
    for tick in _ticks(top):
        ty = base_y - tick * plot_h / top
        out.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - 20}" y2="{ty:.1f}" class="grid"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" class="tick">{tick}</text>'
        )
    for n, p in enumerate(points):
        h = p.values[0] * plot_h / top
        x = left + n * slot + slot * 0.15
        out.append(
            f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{COLOURS[0]}"/>'
        )
        out.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{base_y - h - 4:.1f}" '
            f'text-anchor="middle" class="value">{_fmt(p.values[0])}</text>'
        )
        out.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{base_y + 16}" text-anchor="middle" '
            f'class="tick">{escape(p.label)}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" '
        f'class="axis-label">{escape(t("chart.year", lang))}</text>'
    )
    out.append(
        f'<text x="14" y="{top_pad + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top_pad + plot_h / 2:.1f})" '
        f'class="axis-label">{escape(t(chart.spec.axis, lang))}</text>'
    )
    out.append(f'<line x1="{left}" y1="{base_y}" x2="{width - 20}" y2="{base_y}" class="axis"/>')
    out.append("</svg>")
    return Markup("\n".join(out))


def _parse_date(text: str) -> date | None:
    """A day; a month ("2020-04") or a year ("2020") is placed at its middle, not its first day."""
    try:
        if len(text) == 4:
            return date(int(text), 7, 1)
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:7]), 15)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _timeline(chart: Chart, lang: str) -> Markup:
    dated = [(d, p) for p in chart.points if (d := _parse_date(p.label)) is not None]
    width, height = 720, 220
    left, right, axis_y = 40, 40, 110
    out = _open(chart, width, height, _summary(chart, lang))
    if not dated:
        out.append("</svg>")
        return Markup("\n".join(out))
    first_year = min(d.year for d, _ in dated)
    last_year = max(d.year for d, _ in dated) + 1
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
    for n, (d, p) in enumerate(sorted(dated, key=lambda dp: dp[0])):
        x = x_of(d)
        count = _fmt(p.values[0]) if p.values else ""
        if p.note == "left":
            out.append(
                f'<rect x="{x - 6:.1f}" y="{axis_y + 28}" width="12" height="12" '
                f'fill="{COLOURS[1]}"/>'
            )
            out.append(
                f'<text x="{x:.1f}" y="{axis_y + 56}" text-anchor="middle" '
                f'class="value">−{count}</text>'
            )
        else:
            lift = 26 + (n % 3) * 22
            out.append(
                f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y - lift}" class="grid"/>'
            )
            out.append(f'<circle cx="{x:.1f}" cy="{axis_y - lift}" r="7" fill="{COLOURS[0]}"/>')
            out.append(
                f'<text x="{x:.1f}" y="{axis_y - lift - 11}" text-anchor="middle" '
                f'class="value">+{count}</text>'
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
    out.append("</svg>")
    return Markup("\n".join(out))
