"""Device actions: queue, delivery, results. PLACEHOLDER bodies (issue 3's actions work replaces
them; see docs/agent-protocol.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deskside.fleet.models import ManagedDevice
from deskside.fleet.reports import ActionResult


def device_action_results_record(
    *, device: ManagedDevice, results: list[ActionResult], now: datetime
) -> None:
    """Store the outcome of actions the agent ran."""


def device_actions_deliver(*, device: ManagedDevice, now: datetime) -> list[dict[str, Any]]:
    """The actions the device must run now, marked as delivered."""
    return []
