"""Writes of the apps part: inventory and install results. PLACEHOLDER bodies (issue 3's apps work
replaces them; see docs/agent-protocol.md)."""

from __future__ import annotations

from datetime import datetime

from deskside.fleet.models import ManagedDevice
from deskside.fleet.reports import AppResult, InventoryItem


def device_inventory_record(
    *, device: ManagedDevice, items: list[InventoryItem], now: datetime
) -> None:
    """Replace the device's list of installed applications."""


def device_app_results_record(
    *, device: ManagedDevice, group_ids: frozenset[int], results: list[AppResult], now: datetime
) -> None:
    """Store the install state of the assigned apps the agent acted on."""
