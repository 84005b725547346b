"""A bar chart of events per day, as SVG geometry for the template (no script, no style)."""

from __future__ import annotations

from dataclasses import dataclass

from deskside.audit.selectors import Day

WIDTH = 720
HEIGHT = 160
BOTTOM = 20


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y_ok: float
    height_ok: float
    y_bad: float
    height_bad: float
    day: Day


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    peak: int
    total: int
    failed: int
    first: Day | None
    last: Day | None


def day_bars(days: list[Day]) -> Chart:
    """Stacked bars (succeeded below, failed above) scaled to the busiest day."""
    peak = max((day.total for day in days), default=0)
    plot = HEIGHT - BOTTOM
    slot = WIDTH / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        ok = plot * day.succeeded / peak if peak else 0
        bad = plot * day.failed / peak if peak else 0
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.1, 1),
                width=round(slot * 0.8, 1),
                y_ok=round(plot - ok, 1),
                height_ok=round(ok, 1),
                y_bad=round(plot - ok - bad, 1),
                height_bad=round(bad, 1),
                day=day,
            )
        )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        baseline=plot,
        bars=bars,
        peak=peak,
        total=sum(day.total for day in days),
        failed=sum(day.failed for day in days),
        first=days[0] if days else None,
        last=days[-1] if days else None,
    )
