"""Charts as inline SVG, rendered on the server (no JavaScript): a daily failure-rate line and a daily bar
timeline, each with a labelled y axis (scale), dated x axis (calendar days, UTC), a tooltip per day (an SVG
<title>, which browsers show on hover and screen readers read) and a "not enough data" state.

Each chart carries a <title> and <desc> for screen readers, and the data stays available as a table beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 30  # room for the y labels and the dates
MIN_DAYS_WITH_RUNS = 2  # a line through one point says nothing


@dataclass(frozen=True)
class Day:
    day: date
    value: float | None  # None: no data that day
    tip: str


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def rate_days(series: Sequence[Mapping[str, Any]]) -> list[Day]:
    """``compute_metrics``' ``failureRateSeries`` (one bucket per calendar day) as chart days."""
    out = []
    for p in series:
        day = _day(p["start"])
        if p.get("runs"):
            tip = f"{day.isoformat()}: {p['failed']} of {p['runs']} runs failed ({p['rate']:.0%})"
            out.append(Day(day, float(p["rate"]), tip))
        else:
            out.append(Day(day, None, f"{day.isoformat()}: no runs"))
    return out


def count_days(timeline: Sequence[Mapping[str, Any]], noun: str = "failures") -> list[Day]:
    """``browse.pattern_timeline`` rows (``day``, ``failures``) as chart days."""
    out = []
    for row in timeline:
        day, n = _day(row["day"]), int(row["failures"])
        out.append(Day(day, float(n), f"{day.isoformat()}: {n} {noun if n != 1 else noun.rstrip('s')}"))
    return out


def _frame(chart_id: str, label: str, desc: str, body: str) -> Markup:
    return Markup(  # noqa: S704 - every interpolated text is escaped by the callers, the rest are numbers
        f'<figure class="chart-figure"><svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-t">{escape(label)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{body}</svg></figure>"
    )


def _not_enough(chart_id: str, label: str, why: str) -> Markup:
    return Markup(  # noqa: S704 - escaped
        f'<div class="chart-empty" id="{chart_id}" role="note" aria-label="{escape(label)}">'
        f"<strong>Not enough data yet.</strong> {escape(why)}</div>"
    )


def _x(i: int, n: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner * (i + 0.5) / n if n else 0)


def _y(value: float, top: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner - (value / top * inner if top else 0)


def _axes(days: Sequence[Day], top: float, ticks: Sequence[tuple[float, str]]) -> str:
    """Horizontal grid lines with their labels, the baseline, and dates under the first, middle and last day."""
    parts = []
    for value, text in ticks:
        y = _y(value, top)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{escape(text)}</text>')
    base = HEIGHT - BOTTOM
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" class="axis"/>'
                 f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" class="axis"/>')
    n = len(days)
    marks = sorted({0, n // 2, n - 1}) if n else []
    for i in marks:
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        x = _x(i, n)
        parts.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" class="axis"/>'
                     f'<text x="{x:.1f}" y="{HEIGHT - 8}" class="tick" text-anchor="{anchor}">'
                     f"{days[i].day.strftime('%b %d')}</text>")
    return "".join(parts)


def _hit_areas(days: Sequence[Day]) -> str:
    """One transparent column per day carrying its tooltip, so hovering anywhere over a day shows it."""
    n = len(days)
    slot = (WIDTH - LEFT - RIGHT) / n if n else 0
    return "".join(
        f'<rect x="{LEFT + i * slot:.1f}" y="{TOP}" width="{slot:.1f}" height="{HEIGHT - TOP - BOTTOM}" '
        f'class="hit"><title>{escape(d.tip)}</title></rect>'
        for i, d in enumerate(days)
    )


def line_chart(days: Sequence[Day], *, label: str, chart_id: str = "rate-chart") -> Markup:
    """Rates in 0..1, one point per calendar day; days without runs leave a gap in the line."""
    known = [d for d in days if d.value is not None]
    if len(known) < MIN_DAYS_WITH_RUNS:
        have = "no day" if not known else "one day"
        return _not_enough(chart_id, label, f"Runs were recorded on {have} of the last {len(days)}; the chart "
                           f"needs at least {MIN_DAYS_WITH_RUNS} days with runs.")
    n = len(days)
    segments: list[list[str]] = [[]]
    dots = []
    for i, d in enumerate(days):
        if d.value is None:
            segments.append([])
            continue
        x, y = _x(i, n), _y(d.value, 1.0)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"><title>{escape(d.tip)}</title></circle>')
    lines = "".join(f'<polyline points="{" ".join(s)}" class="line" fill="none"/>' for s in segments if len(s) > 1)
    desc = (f"{len(known)} of {n} days have runs; highest {max(d.value or 0 for d in known):.0%}, "
            f"latest {known[-1].value:.0%} on {known[-1].day.isoformat()}")
    ticks = [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")]
    return _frame(chart_id, label, desc, _axes(days, 1.0, ticks) + lines + "".join(dots) + _hit_areas(days))


def bar_chart(days: Sequence[Day], *, label: str, chart_id: str = "bar-chart", noun: str = "failures") -> Markup:
    total = sum(d.value or 0 for d in days)
    if not days or total == 0:
        return _not_enough(chart_id, label, f"No {noun} in the last {len(days)} days.")
    peak = max(d.value or 0 for d in days)
    top = float(_scale_top(peak))
    n = len(days)
    slot = (WIDTH - LEFT - RIGHT) / n
    bars = []
    for i, d in enumerate(days):
        v = d.value or 0
        if v:
            y = _y(v, top)
            bars.append(f'<rect x="{LEFT + i * slot + 1:.1f}" y="{y:.1f}" width="{max(slot - 2, 1):.1f}" '
                        f'height="{HEIGHT - BOTTOM - y:.1f}" class="bar"><title>{escape(d.tip)}</title></rect>')
    ticks = [(0.0, "0"), (top / 2, f"{top / 2:g}"), (top, f"{top:g}")]
    desc = f"{total:g} {noun} over {n} days, at most {peak:g} a day"
    return _frame(chart_id, label, desc, _axes(days, top, ticks) + "".join(bars) + _hit_areas(days))


def _scale_top(peak: float) -> int:
    """A round, even top for the y axis at or above ``peak`` (2, 4, 6, 10, 20, 40, 60, 100, ...), so that
    its half is a whole number too."""
    magnitude = 1
    while True:
        for step in (2, 4, 6, 10):
            if step * magnitude >= peak:
                return step * magnitude
        magnitude *= 10
