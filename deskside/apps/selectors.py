"""Reads of the apps part: the check-in answer's apps, the catalog and install states for the
portal, app protection policies, registrations and the per-user app protection status.

Selectors that serve an operator take ``operator=`` and return only what is in their scope:
devices through ``scope(..., "ManagedDevices.Read")``, users through ``scope(...,
"ManagedApps.Read")``; catalog and policies are tenant-wide, for holders of the read permission.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from deskside.access.checks import NOT_FOUND_MESSAGE, has_permission, require, scope
from deskside.apps.charts import StateChart, install_state_bars
from deskside.apps.choices import (
    DEVICE_INTENTS,
    ERROR_STATES,
    InstallIntent,
    InstallState,
    ManagementLevel,
)
from deskside.apps.intents import device_assigned_apps, resolve_intents
from deskside.apps.models import (
    AppProtectionAssignment,
    AppProtectionPolicy,
    AppRegistration,
    AppWipeRequest,
    DeviceAppState,
    DeviceInventoryItem,
    MobileApp,
    MobileAppAssignment,
)
from deskside.directory.models import Group, User
from deskside.directory.selectors import group_ids_of_user_query
from deskside.fleet.models import ManagedDevice

# Check-in ----------------------------------------------------------------------------------


def device_apps_payload(
    *, device: ManagedDevice, group_ids: frozenset[int], revision: int | None = None
) -> list[dict[str, Any]]:
    """The apps the device must install or uninstall, as the check-in answer lists them: those
    of its platform that reach it with intent required, available or uninstall (after
    precedence, see apps/intents.py), by name."""
    assigned = device_assigned_apps(
        device=device, group_ids=group_ids, keep=False, revision=revision
    )
    apps = sorted(
        (app for app in assigned.values() if app.platform == device.operating_system),
        key=lambda app: (app.name.lower(), app.app_id),
    )
    return [
        {
            "appId": app.app_id,
            "name": app.name,
            "intent": app.intent,
            "appType": app.app_type,
            "version": app.version,
            "packageName": app.package_name,
            "installScript": app.install_script,
            "uninstallScript": app.uninstall_script,
            "detection": app.detection,
        }
        for app in apps
    ]


# The catalog and install states --------------------------------------------------------------


def app_list(*, operator: User, text: str = "", platform: str = "") -> QuerySet[MobileApp]:
    """The tenant's apps, with their number of assignments and of failed installs on the devices
    in the operator's scope."""
    apps = scope(MobileApp.objects.all(), operator, "MobileApps.Read")
    if text.strip():
        apps = apps.filter(
            Q(display_name__icontains=text.strip()) | Q(publisher__icontains=text.strip())
        )
    if platform:
        apps = apps.filter(platform=platform)
    devices = scope(ManagedDevice.objects.all(), operator, "ManagedDevices.Read")
    failed = DeviceAppState.objects.filter(
        app_id=OuterRef("pk"),
        install_state__in=ERROR_STATES,
        intent__in=DEVICE_INTENTS,
        device__in=devices,
    )
    assignments = MobileAppAssignment.objects.filter(app_id=OuterRef("pk"))
    return apps.annotate(
        assignment_count=_count(assignments), failed_count=_count(failed)
    ).order_by("display_name", "platform", "id")


def _count(rows: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT of ``rows`` (a subquery per row, so counts never multiply)."""
    counted = rows.order_by().values("app_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted), 0)


@dataclass
class AppPage:
    """What the app's page shows: its assignments, the install states of the operator's devices
    (counted, charted, and listed; ``states`` is for the view to paginate) and the groups the
    assignment form offers."""

    assignments: list[MobileAppAssignment]
    counts: dict[str, int]
    chart: StateChart
    states: Any
    groups: QuerySet[Group]
    devices_visible: bool


def app_page(*, operator: User, app: MobileApp, state: str = "") -> AppPage:
    """The app's page for the operator; ``state`` narrows the device list to one install state.
    A bounded number of queries whatever the number of devices."""
    counts = app_state_counts(operator=operator, app=app)
    states = app_device_states(operator=operator, app=app)
    if state:
        states = states.filter(install_state=state)
    return AppPage(
        assignments=list(app.assignments.select_related("group").order_by("group__display_name")),
        counts=counts,
        chart=install_state_bars(counts),
        states=states,
        groups=group_choices(tenant_id=operator.tenant_id),
        devices_visible=has_permission(operator, "ManagedDevices.Read"),
    )


def app_device_states(*, operator: User, app: MobileApp) -> QuerySet[DeviceAppState]:
    """The app's install state on each device it is assigned to, of the devices the operator may
    read, failures first."""
    devices = scope(ManagedDevice.objects.all(), operator, "ManagedDevices.Read")
    return (
        app.device_states.filter(device__in=devices)
        .exclude(intent="")
        .select_related("device", "device__primary_user")
        .order_by("install_state", "device__device_name", "id")
    )


def app_state_counts(*, operator: User, app: MobileApp) -> dict[str, int]:
    """How many of the operator's devices are in each install state for the app, in one query
    (every state, zeros included, in the order of InstallState)."""
    devices = scope(ManagedDevice.objects.all(), operator, "ManagedDevices.Read")
    counts = Counter(
        dict(
            app.device_states.filter(device__in=devices)
            .exclude(intent="")
            .values_list("install_state")
            .annotate(n=Count("id"))
            .values_list("install_state", "n")
        )
    )
    return {state: counts[state] for state in InstallState.values}


@dataclass(frozen=True)
class UserApp:
    """An app of a user, as the troubleshooting page's client apps table shows it: the
    assignment type it reaches the user with (after precedence; that of a device when it
    reaches only the devices' own groups) and its state on each of the user's devices the
    operator may read."""

    app: MobileApp
    intent: str
    conflict: bool
    states: tuple[DeviceAppState, ...]

    @property
    def failed(self) -> bool:
        return any(state.install_state in ERROR_STATES for state in self.states)


def user_apps(*, operator: User, user: User) -> list[UserApp]:
    """The apps assigned to the user's groups (through nesting) or present on the user's
    devices, by name, with the states on those devices; in three queries. Empty unless the
    operator holds ``MobileApps.Read`` over the user; device states only of the devices in the
    operator's ``ManagedDevices.Read`` scope."""
    if not scope(User.objects.filter(pk=user.pk), operator, "MobileApps.Read").exists():
        return []
    intents: dict[int, set[str]] = {}
    apps: dict[int, MobileApp] = {}
    assignments = MobileAppAssignment.objects.filter(
        group_id__in=group_ids_of_user_query(user_id=user.pk), app__tenant_id=user.tenant_id
    ).select_related("app")
    for assignment in assignments:
        intents.setdefault(assignment.app_id, set()).add(assignment.intent)
        apps[assignment.app_id] = assignment.app
    devices = scope(
        ManagedDevice.objects.filter(primary_user=user), operator, "ManagedDevices.Read"
    )
    states: dict[int, list[DeviceAppState]] = {}
    for state in (
        DeviceAppState.objects.filter(device__in=devices)
        .exclude(intent="")
        .select_related("app", "device")
        .order_by("device__device_name", "id")
    ):
        states.setdefault(state.app_id, []).append(state)
        apps.setdefault(state.app_id, state.app)
    rows = []
    for app_id, app in apps.items():
        given = intents.get(app_id, set())
        on_devices = tuple(states.get(app_id, ()))
        if given - {InstallIntent.AVAILABLE_WITHOUT_ENROLLMENT}:
            intent, conflict = resolve_intents(given)
        elif given:
            intent, conflict = InstallIntent.AVAILABLE_WITHOUT_ENROLLMENT, False
        else:  # through the devices' own groups only
            intent, conflict = on_devices[0].intent, any(s.conflict for s in on_devices)
        rows.append(UserApp(app, intent, conflict, on_devices))
    return sorted(rows, key=lambda row: (row.app.display_name.lower(), row.app.platform))


def devices_app_install_attach(*, operator: User, devices: Sequence[ManagedDevice]) -> None:
    """The device list's "App install" column, for a page (or a chunk) of devices: set each
    device's ``apps_failed`` and ``apps_installed``, how many of the apps assigned to it (for its
    platform) failed to install or uninstall, and how many are installed; None for a device
    outside the operator's ``MobileApps.Read`` scope. One grouped query (none without the
    permission), whatever the fleet's size."""
    counts: dict[int, tuple[int, int]] = {}
    if devices and has_permission(operator, "MobileApps.Read"):
        ids = [device.pk for device in devices]
        permitted = scope(ManagedDevice.objects.filter(pk__in=ids), operator, "MobileApps.Read")
        assigned = ~Q(app_states__intent="") & Q(app_states__app__platform=F("operating_system"))
        rows = (
            permitted.order_by()
            .annotate(
                failed=Count(
                    "app_states", filter=assigned & Q(app_states__install_state__in=ERROR_STATES)
                ),
                installed=Count(
                    "app_states",
                    filter=assigned & Q(app_states__install_state=InstallState.INSTALLED),
                ),
            )
            .values_list("pk", "failed", "installed")
        )
        counts = {device_id: (failed, installed) for device_id, failed, installed in rows}
    for device in devices:
        # Plain attributes for the template and the export (not model fields).
        failed, installed = counts.get(device.pk, (None, None))
        device.apps_failed = failed  # type: ignore[attr-defined]
        device.apps_installed = installed  # type: ignore[attr-defined]


class AppStateList(list[DeviceAppState]):
    """The device page's apps section: the states, whether the operator may see them at all,
    and the number of applications in the device's inventory."""

    allowed: bool = False
    inventory_count: int = 0


def device_app_states(*, operator: User, device: ManagedDevice) -> AppStateList:
    """The install state of each app assigned to the device (contract of the device page), in
    two queries; empty and not ``allowed`` unless an assignment of the operator grants
    ``MobileApps.Read`` over the device. Apps for other platforms are left out (the app's own
    page lists them as not applicable)."""
    states = AppStateList()
    if not has_permission(operator, "MobileApps.Read"):
        return states
    permitted = scope(ManagedDevice.objects.filter(pk=device.pk), operator, "MobileApps.Read")
    rows = list(
        DeviceAppState.objects.filter(device__in=permitted)
        .exclude(intent="")
        .filter(app__platform=device.operating_system)
        .select_related("app")
        .order_by("app__display_name", "app_id")
    )
    if not rows and not permitted.exists():
        return states
    states.extend(rows)
    states.allowed = True
    states.inventory_count = DeviceInventoryItem.objects.filter(device_id=device.pk).count()
    return states


def device_inventory(*, device: ManagedDevice, text: str = "") -> QuerySet[DeviceInventoryItem]:
    """The device's installed applications by name (the caller has checked the device)."""
    items = DeviceInventoryItem.objects.filter(device_id=device.pk)
    if text.strip():
        items = items.filter(Q(name__icontains=text.strip()) | Q(publisher__icontains=text.strip()))
    return items.order_by("name", "version", "id")


# App protection ----------------------------------------------------------------------------


def protection_policy_list(*, operator: User) -> QuerySet[AppProtectionPolicy]:
    """The tenant's app protection policies with whether each is deployed (assigned to a group),
    and counts of targeted apps and groups."""
    assigned = AppProtectionAssignment.objects.filter(policy_id=OuterRef("pk"))
    return (
        scope(AppProtectionPolicy.objects.all(), operator, "ManagedApps.Read")
        .annotate(
            deployed=Exists(assigned),
            app_count=Count("targets", distinct=True),
            group_count=Count("assignments", distinct=True),
        )
        .order_by("display_name", "id")
    )


def protection_policy_detail(*, policy: AppProtectionPolicy) -> dict[str, Any]:
    """A policy's targeted apps and assigned groups, by name."""
    return {
        "targets": list(policy.targets.order_by("app_identifier")),
        "groups": list(
            Group.objects.filter(app_protection_assignments__policy=policy).order_by("display_name")
        ),
    }


def protection_policy_initial(*, policy: AppProtectionPolicy) -> dict[str, Any]:
    """A policy's values as its edit form starts with them (targeted apps one per line)."""
    fields = (
        "display_name",
        "description",
        "platform",
        "management_level",
        "pin_required",
        "block_copy_paste_to_unmanaged",
        "block_backup",
        "minimum_app_version",
        "offline_grace_period_minutes",
    )
    identifiers = policy.targets.order_by("app_identifier").values_list("app_identifier", flat=True)
    return {**{name: getattr(policy, name) for name in fields}, "apps": "\n".join(identifiers)}


def registration_list(*, operator: User, text: str = "") -> QuerySet[AppRegistration]:
    """App registrations of the users the operator may see with ``ManagedApps.Read``, most
    recent sync first."""
    users = scope(User.objects.all(), operator, "ManagedApps.Read")
    registrations = AppRegistration.objects.filter(
        tenant_id=operator.tenant_id, user__in=users
    ).select_related("user")
    if text.strip():
        registrations = registrations.filter(
            Q(app_name__icontains=text.strip())
            | Q(app_identifier__icontains=text.strip())
            | Q(device_name__icontains=text.strip())
            | Q(user__display_name__icontains=text.strip())
            | Q(user__email__icontains=text.strip())
        )
    return registrations.order_by("-last_sync_at", "id")


def wipe_request_list(
    *, operator: User, user_id: int | None = None, state: str = ""
) -> QuerySet[AppWipeRequest]:
    """Selective wipe requests for the users the operator may see with ``ManagedApps.Read``,
    newest first, with their apps (two queries a page)."""
    users = scope(User.objects.all(), operator, "ManagedApps.Read")
    wipes = AppWipeRequest.objects.filter(tenant_id=operator.tenant_id, user__in=users)
    if user_id is not None:
        wipes = wipes.filter(user_id=user_id)
    if state:
        wipes = wipes.filter(state=state)
    return (
        wipes.select_related("user", "requested_by")
        .prefetch_related("targets")
        .order_by("-requested_at", "-id")
    )


def wipe_request_get(*, operator: User, pk: int, permission: str) -> AppWipeRequest:
    """One wipe request, if its user is in the operator's ``permission`` scope (else Http404, or
    PermissionDenied when visible but not granted)."""
    wipe = (
        AppWipeRequest.objects.select_related("user", "requested_by")
        .prefetch_related("targets")
        .filter(tenant_id=operator.tenant_id, pk=pk)
        .first()
    )
    if wipe is None:
        raise Http404(NOT_FOUND_MESSAGE)
    require(operator, permission, wipe.user)
    return wipe


def wipe_candidates(*, user: User, device_tag: str) -> list[AppRegistration]:
    """The registrations a wipe of ``user``'s app data on that device would reach."""
    return list(
        AppRegistration.objects.filter(user=user, device_tag=device_tag).order_by("app_name", "id")
    )


def wipeable_user_ids(*, operator: User, user_ids: Iterable[int]) -> set[int]:
    """Which of these users the operator may selectively wipe (``ManagedApps.Wipe``)."""
    users = scope(User.objects.filter(pk__in=set(user_ids)), operator, "ManagedApps.Wipe")
    return set(users.values_list("pk", flat=True))


def _policies_of_user(user: User) -> QuerySet[AppProtectionPolicy]:
    return (
        AppProtectionPolicy.objects.filter(
            tenant_id=user.tenant_id,
            assignments__group_id__in=group_ids_of_user_query(user_id=user.pk),
        )
        .distinct()
        .order_by("display_name", "id")
    )


def _levels_for(registration: AppRegistration) -> tuple[str, str]:
    enrolled = registration.managed_device_id is not None
    own = ManagementLevel.MDM if enrolled else ManagementLevel.UNMANAGED
    return (ManagementLevel.UNSPECIFIED, own)


def policies_for_registration(*, registration: AppRegistration) -> list[AppProtectionPolicy]:
    """The policies that apply to a registered app: assigned to one of its user's groups, of its
    platform, targeting it, for its enrollment state; one query."""
    return list(
        _policies_of_user(registration.user).filter(
            platform=registration.platform,
            targets__app_identifier=registration.app_identifier,
            management_level__in=_levels_for(registration),
        )
    )


def user_app_protection_policies(*, operator: User, user: User) -> list[AppProtectionPolicy]:
    """The app protection policies that apply to the user (through their groups), with their
    targeted apps; empty unless the operator may read the user's app protection."""
    if not scope(User.objects.filter(pk=user.pk), operator, "ManagedApps.Read").exists():
        return []
    return list(_policies_of_user(user).prefetch_related("targets"))


@dataclass(frozen=True)
class AppProtectionStatus:
    """One protected app of a user on one device (or nowhere yet), as the troubleshooting page
    shows it: checked in when its last sync is within the check-in window of every policy that
    applies (their offline grace period)."""

    app_identifier: str
    app_name: str
    platform: str
    registration: AppRegistration | None
    policies: tuple[AppProtectionPolicy, ...]
    checked_in: bool

    @property
    def device_name(self) -> str:
        return self.registration.device_name if self.registration else ""

    @property
    def device_type(self) -> str:
        return self.registration.device_type if self.registration else ""

    @property
    def last_sync_at(self) -> datetime | None:
        return self.registration.last_sync_at if self.registration else None


def _checked_in(
    registration: AppRegistration, policies: list[AppProtectionPolicy], now: datetime
) -> bool:
    window = min(policy.offline_grace_period_minutes for policy in policies)
    return registration.last_sync_at >= now - timedelta(minutes=window)


def user_app_protection_status(
    *, operator: User, user: User, now: datetime | None = None
) -> list[AppProtectionStatus]:
    """Per targeted app of the user: each registration the user's policies apply to, checked in
    or not, and a "not checked in" row for a targeted app with no such registration. Three
    queries; empty unless the operator may read the user's app protection."""
    now = now or timezone.now()
    policies = user_app_protection_policies(operator=operator, user=user)
    if not policies:
        return []
    registrations = list(AppRegistration.objects.filter(user_id=user.pk))
    targeted: dict[tuple[str, str], list[AppProtectionPolicy]] = {}
    for policy in policies:
        for target in policy.targets.all():
            targeted.setdefault((policy.platform, target.app_identifier), []).append(policy)
    rows = []
    for (platform, identifier), candidates in targeted.items():
        found = [
            r for r in registrations if (r.platform, r.app_identifier) == (platform, identifier)
        ]
        matched = False
        for registration in found:
            levels = _levels_for(registration)
            applying = [p for p in candidates if p.management_level in levels]
            if applying:
                matched = True
                rows.append(
                    AppProtectionStatus(
                        identifier,
                        registration.app_name,
                        platform,
                        registration,
                        tuple(applying),
                        _checked_in(registration, applying, now),
                    )
                )
        if not matched:
            name = found[0].app_name if found else identifier
            rows.append(
                AppProtectionStatus(identifier, name, platform, None, tuple(candidates), False)
            )
    return sorted(rows, key=lambda row: (row.app_name.lower(), row.platform, row.device_name))


def group_choices(*, tenant_id: int) -> QuerySet[Group]:
    """The tenant's groups for the assignment pickers, by name."""
    return Group.objects.filter(tenant_id=tenant_id).order_by("display_name")
