"""Writes of the policies part: compliance evaluation and configuration profile results.

PLACEHOLDER bodies: the policies work of issue 3 replaces them (see docs/agent-protocol.md).
"""

from __future__ import annotations

from datetime import datetime

from deskside.fleet.models import ManagedDevice
from deskside.fleet.reports import ProfileResult


def device_profile_results_record(
    *, device: ManagedDevice, group_ids: frozenset[int], results: list[ProfileResult], now: datetime
) -> None:
    """Store the outcome of the profiles the agent applied (inside the check-in's transaction)."""


def device_compliance_evaluate(
    *, device: ManagedDevice, group_ids: frozenset[int], now: datetime
) -> str:
    """Evaluate the device's assigned compliance policies on its stored facts; store the status
    per policy; return the device's complianceState (the caller saves it on the device)."""
    return str(device.compliance_state)
