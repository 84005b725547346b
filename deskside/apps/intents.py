"""Which intent a device gets for an app when several groups assign it (docs/apps.md).

Precedence: required, then uninstall, then available. Required together with uninstall is a
conflict: it resolves as required (an app some group requires is never removed) and the device's
install state is flagged ``conflict`` so that the portal shows it. "Available without enrollment"
is for app protection only and never reaches a device.

The check-in reads the assignments once (``device_assigned_apps``): the results keep the read on
the device object and the answer takes it, so both use the same read and nothing stays behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deskside.apps.choices import DEVICE_INTENTS, InstallIntent
from deskside.apps.models import MobileAppAssignment
from deskside.fleet.models import ManagedDevice

_RANK: dict[str, int] = {
    InstallIntent.REQUIRED: 3,
    InstallIntent.UNINSTALL: 2,
    InstallIntent.AVAILABLE: 1,
}

_APP_FIELDS = (
    "app_id",
    "intent",
    "app__display_name",
    "app__platform",
    "app__app_type",
    "app__version",
    "app__package_name",
    "app__install_script",
    "app__uninstall_script",
    "app__detection",
)


@dataclass(frozen=True)
class AssignedApp:
    """An app as it reaches one device: the winning intent and whether it is in conflict."""

    app_id: int
    intent: str
    conflict: bool
    name: str
    platform: str
    app_type: str
    version: str
    package_name: str
    install_script: str
    uninstall_script: str
    detection: dict[str, Any] | None


def resolve_intents(intents: set[str]) -> tuple[str, bool]:
    """The winning intent among a device's intents for one app, and whether they conflict."""
    device_intents = {intent for intent in intents if intent in _RANK}
    if not device_intents:
        raise ValueError("no device intent to resolve")
    winner = max(device_intents, key=lambda intent: _RANK[intent])
    conflict = {InstallIntent.REQUIRED, InstallIntent.UNINSTALL} <= device_intents
    return winner, conflict


def assigned_apps_read(*, tenant_id: int, group_ids: frozenset[int]) -> dict[int, AssignedApp]:
    """The apps the groups assign to a device, with the resolved intent: one query."""
    if not group_ids:
        return {}
    rows = MobileAppAssignment.objects.filter(
        group_id__in=group_ids, app__tenant_id=tenant_id, intent__in=DEVICE_INTENTS
    ).values_list(*_APP_FIELDS)
    intents: dict[int, set[str]] = {}
    apps: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        intents.setdefault(row[0], set()).add(row[1])
        apps[row[0]] = row
    assigned = {}
    for app_id, row in apps.items():
        intent, conflict = resolve_intents(intents[app_id])
        assigned[app_id] = AssignedApp(app_id, intent, conflict, *row[2:])
    return assigned


def device_assigned_apps(
    *, device: ManagedDevice, group_ids: frozenset[int], keep: bool
) -> dict[int, AssignedApp]:
    """``assigned_apps_read`` for the device. The check-in's first call reads and keeps the
    result on the device object (``keep=True``); the answer's call takes it (``keep=False``), so
    any later call reads afresh."""
    cached: tuple[frozenset[int], dict[int, AssignedApp]] | None = getattr(
        device, "_deskside_assigned_apps", None
    )
    if cached is not None:
        del device._deskside_assigned_apps  # type: ignore[attr-defined]
        if cached[0] == group_ids:
            assigned = cached[1]
        else:
            assigned = assigned_apps_read(tenant_id=device.tenant_id, group_ids=group_ids)
    else:
        assigned = assigned_apps_read(tenant_id=device.tenant_id, group_ids=group_ids)
    if keep:
        device._deskside_assigned_apps = (group_ids, assigned)  # type: ignore[attr-defined]
    return assigned
