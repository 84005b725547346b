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
from deskside.core.per_revision import PerRevision
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


def _tenant_app_links(tenant_id: int) -> dict[int, list[tuple[Any, ...]]]:
    """The tenant's app assignments with a device intent, per group: rows of ``_APP_FIELDS``."""
    rows = MobileAppAssignment.objects.filter(
        app__tenant_id=tenant_id, intent__in=DEVICE_INTENTS
    ).values_list("group_id", *_APP_FIELDS)
    by_group: dict[int, list[tuple[Any, ...]]] = {}
    for group_id, *row in rows:
        by_group.setdefault(group_id, []).append(tuple(row))
    return by_group


# Kept per assignments revision (core/per_revision.py): a check-in picks its groups' share.
_APP_LINKS: PerRevision[dict[int, list[tuple[Any, ...]]]] = PerRevision(_tenant_app_links)


def assigned_apps_read(
    *, tenant_id: int, group_ids: frozenset[int], revision: int | None = None
) -> dict[int, AssignedApp]:
    """The apps the groups assign to a device, with the resolved intent. With the tenant's
    ``assignments_revision`` as the caller's transaction read it, from what is kept for that
    revision (no query when kept); without, one query."""
    if not group_ids:
        return {}
    by_group = _APP_LINKS.get(tenant_id=tenant_id, revision=revision)
    intents: dict[int, set[str]] = {}
    apps: dict[int, tuple[Any, ...]] = {}
    for group_id in group_ids:
        for row in by_group.get(group_id, ()):
            intents.setdefault(row[0], set()).add(row[1])
            apps[row[0]] = row
    assigned = {}
    for app_id, row in apps.items():
        intent, conflict = resolve_intents(intents[app_id])
        assigned[app_id] = AssignedApp(app_id, intent, conflict, *row[2:])
    return assigned


def device_assigned_apps(
    *, device: ManagedDevice, group_ids: frozenset[int], keep: bool, revision: int | None = None
) -> dict[int, AssignedApp]:
    """``assigned_apps_read`` for the device. The check-in's first call reads and keeps the
    result on the device object (``keep=True``); the answer's call takes it (``keep=False``), so
    any later call reads afresh."""
    cached: tuple[frozenset[int], dict[int, AssignedApp]] | None = device.__dict__.pop(
        "_deskside_assigned_apps", None
    )
    if cached is not None and cached[0] == group_ids:
        assigned = cached[1]
    else:
        assigned = assigned_apps_read(
            tenant_id=device.tenant_id, group_ids=group_ids, revision=revision
        )
    if keep:
        device._deskside_assigned_apps = (group_ids, assigned)  # type: ignore[attr-defined]
    return assigned
