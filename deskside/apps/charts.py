"""A bar per install state, as SVG geometry for the template (no script, no style attribute:
colours are presentation attributes)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from deskside.apps.choices import InstallState

WIDTH = 720
HEIGHT = 180
BOTTOM = 34
TOP = 14

FILLS: dict[str, str] = {
    InstallState.INSTALLED: "#1e7b34",
    InstallState.FAILED: "#b3261e",
    InstallState.NOT_INSTALLED: "#5a6472",
    InstallState.PENDING_INSTALL: "#0b5cad",
    InstallState.UNINSTALL_FAILED: "#8a5a00",
    InstallState.NOT_APPLICABLE: "#9aa5b1",
    InstallState.UNKNOWN: "#c4ccd6",
}


@dataclass(frozen=True)
class StateBar:
    state: str
    label: str | Promise
    count: int
    fill: str
    x: float
    width: float
    y: float
    height: float
    middle: float


@dataclass(frozen=True)
class StateChart:
    width: int
    height: int
    baseline: int
    label_y: int
    bars: list[StateBar]
    total: int
    peak: int


def install_state_bars(counts: dict[str, int]) -> StateChart:
    """One bar per install state (every state, in InstallState's order), scaled to the largest."""
    peak = max(counts.values(), default=0)
    plot = HEIGHT - BOTTOM - TOP
    states = list(InstallState)
    slot = WIDTH / len(states)
    bars = []
    for index, state in enumerate(states):
        count = counts.get(state.value, 0)
        height = plot * count / peak if peak else 0
        x = index * slot + slot * 0.15
        bars.append(
            StateBar(
                state=state.value,
                label=state.label,
                count=count,
                fill=FILLS[state],
                x=round(x, 1),
                width=round(slot * 0.7, 1),
                y=round(TOP + plot - height, 1),
                height=round(height, 1),
                middle=round(index * slot + slot / 2, 1),
            )
        )
    return StateChart(
        width=WIDTH,
        height=HEIGHT,
        baseline=TOP + plot,
        label_y=HEIGHT - 8,
        bars=bars,
        total=sum(counts.values()),
        peak=peak,
    )
