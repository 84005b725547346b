"""Reads of the policies part. PLACEHOLDER bodies (issue 3's policies work replaces them)."""

from __future__ import annotations

from typing import Any

from deskside.fleet.models import ManagedDevice


def device_profiles_payload(
    *, device: ManagedDevice, group_ids: frozenset[int]
) -> list[dict[str, Any]]:
    """The configuration profiles the device must apply, as the check-in answer lists them."""
    return []
