"""Reads of the apps part. PLACEHOLDER bodies (issue 3's apps work replaces them)."""

from __future__ import annotations

from typing import Any

from deskside.fleet.models import ManagedDevice


def device_apps_payload(
    *, device: ManagedDevice, group_ids: frozenset[int]
) -> list[dict[str, Any]]:
    """The apps the device must install or uninstall, as the check-in answer lists them."""
    return []
