"""A horizontal bar per status, as SVG geometry for the template: no script, no style attribute
(the colours are presentation attributes, which the Content-Security-Policy allows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise

WIDTH = 640
ROW = 24
BAR = 16
LABEL_WIDTH = 150
COUNT_WIDTH = 60

COLOURS = {
    "compliant": "#1e7b34",
    "succeeded": "#1e7b34",
    "nonCompliant": "#b3261e",
    "failed": "#b3261e",
    "error": "#e0711b",
    "conflict": "#7b3fa0",
    "inGracePeriod": "#8a5a00",
    "pending": "#8a5a00",
    "notApplicable": "#8d96a3",
    "unknown": "#5a6472",
}


@dataclass(frozen=True)
class StatusBar:
    status: str
    label: str
    count: int
    y: int
    text_y: int
    width: float
    count_x: float
    fill: str


@dataclass(frozen=True)
class StatusChart:
    width: int
    height: int
    bar_x: int
    bar_height: int
    bars: list[StatusBar]
    total: int


def status_bars(counts: Mapping[str, int], labels: Mapping[str, str | Promise]) -> StatusChart:
    """One bar per status in ``labels``' order, scaled to the largest count."""
    peak = max(counts.values(), default=0)
    room = WIDTH - LABEL_WIDTH - COUNT_WIDTH
    bars = []
    for index, (status, label) in enumerate(labels.items()):
        count = counts.get(status, 0)
        width = round(room * count / peak, 1) if peak else 0.0
        bars.append(
            StatusBar(
                status=status,
                label=str(label),
                count=count,
                y=index * ROW + (ROW - BAR) // 2,
                text_y=index * ROW + ROW // 2 + 4,
                width=width,
                count_x=LABEL_WIDTH + width + 6,
                fill=COLOURS.get(status, "#0b5cad"),
            )
        )
    return StatusChart(
        width=WIDTH,
        height=ROW * len(bars),
        bar_x=LABEL_WIDTH,
        bar_height=BAR,
        bars=bars,
        total=sum(counts.values()),
    )
