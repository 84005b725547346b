"""Horizontal bar charts as SVG geometry for the templates: no script and no style attribute (the
CSP forbids both), only presentation attributes such as ``fill`` and CSS classes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise

WIDTH = 480
ROW = 22
BAR = 14
LABEL = 150
COUNT = 48

NEUTRAL = "#5a6472"
ACCENT = "#0b5cad"
GOOD = "#1e7b34"
BAD = "#b3261e"
WARN = "#8a5a00"

COMPLIANCE_FILLS = {
    "compliant": GOOD,
    "noncompliant": BAD,
    "error": BAD,
    "conflict": WARN,
    "inGracePeriod": WARN,
    "unknown": NEUTRAL,
}


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    y: int
    text_y: int
    width: float
    count_x: float
    fill: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_x: int
    bar_height: int
    bars: list[Bar]
    total: int


def horizontal_bars(
    items: Iterable[tuple[str, str, int]], *, fills: dict[str, str] | None = None
) -> BarChart:
    """One bar per (key, label, count), in the given order, scaled to the largest count."""
    rows = list(items)
    peak = max((count for _key, _label, count in rows), default=0)
    span = WIDTH - LABEL - COUNT
    bars = []
    for index, (key, label, count) in enumerate(rows):
        width = round(span * count / peak, 1) if peak else 0.0
        y = index * ROW + (ROW - BAR) // 2
        bars.append(
            Bar(
                key=key,
                label=label,
                count=count,
                y=y,
                text_y=y + BAR - 3,
                width=width,
                count_x=round(LABEL + width + 6, 1),
                fill=(fills or {}).get(key, ACCENT),
            )
        )
    return BarChart(
        width=WIDTH,
        height=max(len(rows), 1) * ROW,
        bar_x=LABEL,
        bar_height=BAR,
        bars=bars,
        total=sum(count for _key, _label, count in rows),
    )


def by_choice(
    counts: dict[str, int],
    choices: Iterable[tuple[str, str | Promise]],
    fills: dict[str, str] | None = None,
) -> BarChart:
    """A bar per choice that has a count, in the choices' order, labelled in the operator's
    language; values outside the choices (a reason code from a newer agent...) come last."""
    pairs = list(choices)
    known = {value for value, _label in pairs}
    rows = [(value, str(label), counts[value]) for value, label in pairs if counts.get(value)]
    rows += [(value, value, count) for value, count in sorted(counts.items()) if value not in known]
    return horizontal_bars(rows, fills=fills)
