"""Charts as inline SVG, rendered on the server (no JavaScript): a failure-rate line and a bar timeline.

Each chart carries a <title> and <desc> for screen readers, and the data stays available as a table beside it."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from analysis.ci_metrics import sparkline_points


def line_chart(values: Sequence[float | None], *, label: str, width: int = 600, height: int = 120) -> Markup:
    """Values in 0..1 (rates); None marks an interval without data."""
    pad = 4
    points = sparkline_points(values, width=width - 2 * pad, height=height - 2 * pad)
    path = " ".join(f"{x + pad:.1f},{y + pad:.1f}" for x, y in points)
    known = [v for v in values if v is not None]
    desc = (f"{len(known)} of {len(values)} intervals have runs; highest {max(known):.0%}, latest {known[-1]:.0%}"
            if known else "no runs in this period")
    dots = "".join(f'<circle cx="{x + pad:.1f}" cy="{y + pad:.1f}" r="2.5" class="dot"/>' for x, y in points)
    return Markup(  # noqa: S704 - every interpolated text is escaped, the rest are numbers
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="c-t c-d" '
        f'preserveAspectRatio="none" width="100%" height="{height}">'
        f'<title id="c-t">{escape(label)}</title><desc id="c-d">{escape(desc)}</desc>'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" class="axis"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{width - pad}" y2="{pad}" class="grid"/>'
        f'<polyline points="{path}" class="line" fill="none"/>{dots}</svg>'
    )


def bar_chart(values: Sequence[int], *, label: str, width: int = 600, height: int = 100) -> Markup:
    top = max(values, default=0) or 1
    n = max(len(values), 1)
    slot = width / n
    bars = "".join(
        f'<rect x="{i * slot + 1:.1f}" y="{height - v / top * (height - 4):.1f}" width="{max(slot - 2, 1):.1f}" '
        f'height="{v / top * (height - 4):.1f}" class="bar"><title>{v}</title></rect>'
        for i, v in enumerate(values)
    )
    desc = f"{sum(values)} in total over {len(values)} days, at most {max(values, default=0)} a day"
    return Markup(  # noqa: S704 - every interpolated text is escaped, the rest are numbers
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="b-t b-d" '
        f'preserveAspectRatio="none" width="100%" height="{height}">'
        f'<title id="b-t">{escape(label)}</title><desc id="b-d">{escape(desc)}</desc>'
        f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" class="axis"/>{bars}</svg>'
    )
