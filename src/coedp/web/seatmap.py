"""The map of the partners' seats, drawn on the server as SVG.

Each seat is a point by its longitude and latitude in an equirectangular
projection (x by longitude, y by latitude, one scale for both) on a graticule,
with no base map: nothing is fetched. The seats fall into groups an ocean
apart, so each group (points closer than ``GAP`` degrees of longitude to the
next) gets its own panel, fitted to its points, one under the other. Each
partner is a dot at its seat (partners sharing a seat sit on a small ring
round it) and a label in a column beside its panel, joined to the dot by a
leader line; dot and label are both links to the partner's page. The labels
are pushed apart so that none overlaps, however close the seats (Menlo Park,
Cupertino and Santa Clara lie some 20 km apart). Like the timeline, the
drawing keeps its own size and scrolls sideways on a narrow screen; the table
under it gives every figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from fastapi import FastAPI
from markupsafe import Markup

from coedp.web import charts, data
from coedp.web.catalogue import Catalogue
from coedp.web.charts import COLOURS, Chart, ChartSpec, Point
from coedp.web.i18n import t

WIDTH = 720
MAP_LEFT, MAP_WIDTH, MAP_HEIGHT = 44, 280, 220  # the map's box in a panel, at most
LABEL_X = 356  # where the labels' column starts
INDENT = 12  # partners' names under their seat's
LINE = 17  # the least distance between two labels' baselines
GAP = 50.0  # degrees of longitude between two points that puts them in two panels
PAD_LON, PAD_LAT = 2.0, 1.5  # degrees of margin round a panel's points
STEPS = (1, 2, 5, 10, 20, 30)  # graticule spacings, in degrees
RING = 6.0  # radius of the ring of partners sharing a seat, in pixels


@dataclass
class Dot:
    """A partner drawn on the map: where, its label, its page."""

    point: Point
    lat: float
    long: float
    x: float = 0.0
    y: float = 0.0
    label_y: float = 0.0


def _number(row: data.Row, var: str) -> float | None:
    term = row.get(var)
    if term is None:
        return None
    try:
        value = float(term.value)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


async def compute(
    app: FastAPI,
    spec: ChartSpec,
    cat: Catalogue,
    lang: str,
    link: Callable[[str], str | None] = lambda iri: None,
) -> Chart:
    """Run the map's query and draw it; a failure becomes a message, not an error page.

    The query gives ``?partner``, ``?seat``, ``?lat`` and ``?long``; a row whose
    coordinates are missing or out of range is left off the map (and the table).
    """
    chart, rows = await charts.read_rows(app, spec, lang)
    chart.extra_name = t("chart.seat", lang)
    for row in rows:
        partner, seat = row.get("partner"), row.get("seat")
        lat, long = _number(row, "lat"), _number(row, "long")
        if partner is None or not partner.is_iri or lat is None or long is None:
            continue
        if not (-90 <= lat <= 90 and -180 <= long <= 180):
            continue
        seat_name = cat.label(seat.value, lang) if seat is not None and seat.is_iri else ""
        chart.points.append(
            Point(
                cat.label(partner.value, lang),
                partner.value,
                [lat, long],
                extra=seat_name,
                href=link(partner.value),
            )
        )
    if chart.points:
        chart.drawing = draw(chart, lang)
    return chart


def _groups(dots: list[Dot]) -> list[list[Dot]]:
    """The dots in panels, west to east: a new panel wherever ``GAP`` degrees are empty."""
    ordered = sorted(dots, key=lambda d: d.long)
    groups: list[list[Dot]] = [[ordered[0]]]
    for dot in ordered[1:]:
        if dot.long - groups[-1][-1].long > GAP:
            groups.append([])
        groups[-1].append(dot)
    return groups


def _step(span: float) -> int:
    """The graticule spacing that draws three to six lines across ``span`` degrees."""
    return next((s for s in STEPS if span / s <= 6), STEPS[-1])


def _degrees(value: float, positive: str, negative: str) -> str:
    if value == 0:
        return "0°"
    return f"{abs(value):g}°{positive if value > 0 else negative}"


@dataclass(frozen=True)
class Frame:
    """A panel's projection: its bounds in degrees, its scale and its map's top."""

    west: float
    east: float
    south: float
    north: float
    scale: float
    top: float

    @classmethod
    def fitted(cls, group: list[Dot], top: float) -> Frame:
        """The frame round ``group``: never narrower than 10 degrees of longitude nor 6
        of latitude, so that one city alone still shows where it lies."""
        west = min(d.long for d in group) - PAD_LON
        east = max(d.long for d in group) + PAD_LON
        south = min(d.lat for d in group) - PAD_LAT
        north = max(d.lat for d in group) + PAD_LAT
        if east - west < 10:
            west, east = (west + east) / 2 - 5, (west + east) / 2 + 5
        if north - south < 6:
            south, north = (south + north) / 2 - 3, (south + north) / 2 + 3
        scale = min(MAP_WIDTH / (east - west), MAP_HEIGHT / (north - south))
        return cls(west, east, south, north, scale, top + 8)

    def x(self, long: float) -> float:
        """The x of a longitude."""
        return MAP_LEFT + (long - self.west) * self.scale

    def y(self, lat: float) -> float:
        """The y of a latitude."""
        return self.top + (self.north - lat) * self.scale


def _graticule(frame: Frame) -> list[str]:
    """The frame's box, its meridians and parallels, labelled in degrees."""
    right, bottom = frame.x(frame.east), frame.y(frame.south)
    out = [
        f'<rect x="{MAP_LEFT}" y="{frame.top:.1f}" width="{right - MAP_LEFT:.1f}" '
        f'height="{bottom - frame.top:.1f}" fill="none" class="grid"/>'
    ]
    step = _step(max(frame.east - frame.west, frame.north - frame.south))
    long = math.ceil(frame.west / step) * step
    while long <= frame.east:
        x = frame.x(long)
        out.append(
            f'<line x1="{x:.1f}" y1="{frame.top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
            f'class="grid"/><text x="{x:.1f}" y="{bottom + 14:.1f}" text-anchor="middle" '
            f'class="tick">{escape(_degrees(long, "E", "W"))}</text>'
        )
        long += step
    lat = math.ceil(frame.south / step) * step
    while lat <= frame.north:
        y = frame.y(lat)
        out.append(
            f'<line x1="{MAP_LEFT}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{MAP_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(_degrees(lat, 'N', 'S'))}</text>"
        )
        lat += step
    return out


@dataclass
class Seat:
    """A seat: its partners' dots round it and its header in the labels' column."""

    name: str
    lat: float
    long: float
    dots: list[Dot]
    x: float = 0.0
    y: float = 0.0
    header_y: float = 0.0


def _wrap(text: str) -> list[str]:
    """``text`` in lines that fit the labels' column (about 6.6 px a character)."""
    width = int((WIDTH - LABEL_X - INDENT - 8) / 6.6)
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _place(group: list[Dot], frame: Frame) -> list[Seat]:
    """The seats of ``group``, each dot at its seat (partners sharing a seat on a ring
    round it, so that each dot is its own link), each seat's header and partners' names
    in the labels' column from north to south, none overlapping."""
    by_seat: dict[tuple[float, float, str], list[Dot]] = {}
    for dot in group:
        by_seat.setdefault((dot.lat, dot.long, dot.point.extra), []).append(dot)
    seats = [Seat(name, lat, long, dots) for (lat, long, name), dots in by_seat.items()]
    for seat in seats:
        seat.x, seat.y = frame.x(seat.long), frame.y(seat.lat)
        seat.dots.sort(key=lambda d: d.point.label.casefold())
        radius = RING if len(seat.dots) > 1 else 0.0
        for n, dot in enumerate(seat.dots):
            angle = 2 * math.pi * n / len(seat.dots) - math.pi / 2
            dot.x = seat.x + radius * math.cos(angle)
            dot.y = seat.y + radius * math.sin(angle)
    seats.sort(key=lambda s: (s.y, s.x, s.name))
    floor = frame.top + 10
    for seat in seats:
        seat.header_y = max(seat.y + 4, floor)
        floor = seat.header_y + LINE
        for dot in seat.dots:
            dot.label_y = floor
            floor += LINE * len(_wrap(dot.point.label))
    return seats


def _where(lat: float, long: float) -> str:
    return f"{_degrees(round(lat, 2), 'N', 'S')} {_degrees(round(long, 2), 'E', 'W')}"


def _linked(href: str | None, svg: str) -> str:
    return f'<a href="{escape(href)}" class="seat">{svg}</a>' if href else svg


def _seat(seat: Seat) -> tuple[str, list[str]]:
    """A seat's leader line; and its dots, header and partners' names (links)."""
    line = (
        f'<line x1="{seat.x:.1f}" y1="{seat.y:.1f}" x2="{LABEL_X - 4}" '
        f'y2="{seat.header_y - 4:.1f}" class="grid"/>'
    )
    out = [
        f'<text x="{LABEL_X}" y="{seat.header_y:.1f}" class="tick">{escape(seat.name)}</text>'
    ]
    for dot in seat.dots:
        point = dot.point
        tip = escape(f"{point.label} — {seat.name} ({_where(dot.lat, dot.long)})")
        # The title names the link (or the group): a circle stays an empty element.
        circle = (
            f'<title>{tip}</title><circle cx="{dot.x:.1f}" cy="{dot.y:.1f}" r="4" '
            f'fill="{COLOURS[0]}" stroke="#fff" stroke-width="1"/>'
        )
        x = LABEL_X + INDENT
        spans = "".join(
            f'<tspan x="{x}" dy="{0 if n == 0 else LINE}">{escape(part)}</tspan>'
            for n, part in enumerate(_wrap(point.label))
        )
        text = (
            f'<text x="{x}" y="{dot.label_y:.1f}" text-decoration="underline">{spans}</text>'
        )
        dot_svg = _linked(point.href, circle) if point.href else f"<g>{circle}</g>"
        out += [dot_svg, _linked(point.href, text)]
    return line, out


def _panel(group: list[Dot], top: float) -> tuple[list[str], float]:
    """One panel's SVG (graticule, dots, labels) from ``top``; and its bottom."""
    frame = Frame.fitted(group, top)
    seats = _place(group, frame)
    out = _graticule(frame)
    drawn = [_seat(seat) for seat in seats]
    # Leader lines first, then every dot and label above them.
    out += [line for line, _ in drawn]
    out += [piece for _, pieces in drawn for piece in pieces]
    last = max(d.label_y + LINE * (len(_wrap(d.point.label)) - 1) for d in group)
    bottom = max(frame.y(frame.south) + 22, last + 10)
    return out, bottom


def draw(chart: Chart, lang: str) -> Markup:
    """The SVG of a computed map: one panel per group of seats, north to south labels."""
    dots = [Dot(p, p.values[0], p.values[1]) for p in chart.points if len(p.values) >= 2]
    key = escape(chart.spec.key)
    body: list[str] = []
    top = 4.0
    for group in _groups(dots) if dots else []:
        panel, bottom = _panel(group, top)
        body.extend(panel)
        top = bottom + 16
    height = math.ceil(top)
    summary = "; ".join(
        f"{p.label}{' — ' + p.extra if p.extra else ''} ({_where(p.values[0], p.values[1])})"
        for p in chart.points
    )
    # role="group", not "img": the dots and labels are links a keyboard reaches.
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart seat-map" role="group" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{key}-title {key}-desc">',
        f'<title id="{key}-title">{escape(chart.title)}</title>',
        f'<desc id="{key}-desc">{escape(summary)}</desc>',
        *body,
        "</svg>",
    ]
    # In the timeline's box: drawn at its own size, scrolling sideways on a narrow screen.
    return Markup('<div class="chart-scroll">' + "\n".join(out) + "</div>")
