"""Writes of the apps part: the catalog and its assignments, install results and inventory from
check-ins, app protection policies and app registrations (docs/apps.md).

Portal writes are atomic and write their audit event in the same transaction. The check-in's
functions run inside the check-in's transaction and write only what changed, in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from deskside.apps.choices import (
    ERROR_STATES,
    AppType,
    FlaggedReason,
    InstallIntent,
    InstallState,
    ManagementLevel,
    ProtectionPlatform,
)
from deskside.apps.intents import AssignedApp, device_assigned_apps
from deskside.apps.models import (
    AppProtectionAssignment,
    AppProtectionPolicy,
    AppRegistration,
    DeviceAppState,
    DeviceInventoryItem,
    MobileApp,
    MobileAppAssignment,
    ProtectedAppTarget,
)
from deskside.apps.validation import app_fields_clean, app_identifiers_clean
from deskside.apps.wipes import WipeOrder, app_wipe_deliver
from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.core.prepared import PreparedSelect
from deskside.directory.models import Group, Tenant, User
from deskside.directory.services import tenant_assignments_changed
from deskside.fleet.choices import ManagementState
from deskside.fleet.models import ManagedDevice
from deskside.fleet.push import agents_push_for_groups
from deskside.fleet.reports import AppResult, InventoryItem

APP_FIELDS = (
    "display_name",
    "description",
    "publisher",
    "version",
    "package_name",
    "url",
    "install_script",
    "uninstall_script",
    "detection",
)
POLICY_FIELDS = (
    "display_name",
    "description",
    "management_level",
    "pin_required",
    "block_copy_paste_to_unmanaged",
    "block_backup",
    "minimum_app_version",
    "offline_grace_period_minutes",
)
STATE_FIELDS = [
    "intent",
    "conflict",
    "install_state",
    "error_code",
    "detail",
    "installed_version",
    "last_modified_at",
]
BATCH = 500
# The device's install states, read by every full check-in: kept compiled (core/prepared.py).
_DEVICE_STATES: PreparedSelect[DeviceAppState] = PreparedSelect(
    lambda device_id: DeviceAppState.objects.filter(device_id=device_id).values_list(
        "pk", "app_id", *STATE_FIELDS
    ),
    device_id=int,
)


# The catalog -------------------------------------------------------------------------------


def _name_clean(*, tenant: Tenant, name: str, platform: str, exclude_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"display_name": _("An app needs a name.")})
    if len(name) > 200:
        raise ValidationError({"display_name": _("A name may be 200 characters at most.")})
    clash = MobileApp.objects.filter(tenant=tenant, display_name=name, platform=platform)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ValidationError(
            {"display_name": _("An app with this name already exists for this platform.")}
        )
    return name


@transaction.atomic
def mobile_app_create(
    *,
    tenant: Tenant,
    display_name: str,
    platform: str,
    app_type: str,
    actor: User | None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> MobileApp:
    """Add an app to the tenant's catalog; its type's fields are checked, the others blanked."""
    unknown = set(fields) - set(APP_FIELDS)
    if unknown:
        raise TypeError(f"unknown app fields: {sorted(unknown)}")
    typed = app_fields_clean(app_type=app_type, platform=platform, fields=fields)
    app = MobileApp.objects.create(
        tenant=tenant,
        display_name=_name_clean(
            tenant=tenant, name=display_name, platform=platform, exclude_id=None
        ),
        description=str(fields.get("description", "")).strip(),
        publisher=str(fields.get("publisher", "")).strip(),
        platform=platform,
        app_type=app_type,
        last_modified_at=timezone.now(),
        **typed,
    )
    audit_record(
        action=Action.MOBILE_APP_CREATED,
        tenant=tenant,
        actor=actor,
        target=app,
        request=request,
        details={"platform": platform, "appType": app_type},
    )
    return app


@transaction.atomic
def mobile_app_update(
    *, app: MobileApp, actor: User, request: HttpRequest | None = None, **changes: Any
) -> MobileApp:
    """Change an app's fields; its platform and type stay what they were made with."""
    for fixed in ("platform", "app_type"):
        if fixed in changes and changes.pop(fixed) != getattr(app, fixed):
            raise ValidationError(
                {fixed: _("An app's platform and type cannot change; add a new app instead.")}
            )
    unknown = set(changes) - set(APP_FIELDS)
    if unknown:
        raise TypeError(f"unknown app fields: {sorted(unknown)}")
    merged = {name: changes.get(name, getattr(app, name)) for name in APP_FIELDS}
    typed = app_fields_clean(app_type=app.app_type, platform=app.platform, fields=merged)
    values = {
        **typed,
        "display_name": _name_clean(
            tenant=app.tenant,
            name=str(merged["display_name"]),
            platform=app.platform,
            exclude_id=app.pk,
        ),
        "description": str(merged["description"]).strip(),
        "publisher": str(merged["publisher"]).strip(),
    }
    if (
        app.app_type == AppType.SCRIPT
        and not values["uninstall_script"]
        and app.assignments.filter(intent=InstallIntent.UNINSTALL).exists()
    ):
        raise ValidationError(
            {"uninstall_script": _("The app is assigned for uninstall; it needs its script.")}
        )
    changed = sorted(name for name, value in values.items() if getattr(app, name) != value)
    if changed:
        for name in changed:
            setattr(app, name, values[name])
        app.last_modified_at = timezone.now()
        app.save(update_fields=[*changed, "last_modified_at"])
        agents_push_for_groups(group_ids=app.assignments.values_list("group_id", flat=True))
        tenant_assignments_changed(tenant_id=app.tenant_id)
        audit_record(
            action=Action.MOBILE_APP_UPDATED,
            tenant=app.tenant,
            actor=actor,
            target=app,
            request=request,
            details={"fields": changed},
        )
    return app


@transaction.atomic
def mobile_app_delete(*, app: MobileApp, actor: User, request: HttpRequest | None = None) -> None:
    """Delete an app with its assignments and install states. Agents stop getting it."""
    tenant_assignments_changed(tenant_id=app.tenant_id)
    audit_record(
        action=Action.MOBILE_APP_DELETED,
        tenant=app.tenant,
        actor=actor,
        target=app,
        request=request,
        details={"platform": app.platform, "appType": app.app_type},
    )
    app.delete()


def _intent_check(*, app: MobileApp, intent: str) -> None:
    if intent not in InstallIntent.values:
        raise ValidationError({"intent": _("Choose an assignment type.")})
    if (
        intent == InstallIntent.UNINSTALL
        and app.app_type == AppType.SCRIPT
        and not app.uninstall_script
    ):
        raise ValidationError(
            {"intent": _("A script app needs an uninstall script to be assigned uninstall.")}
        )
    if (
        intent == InstallIntent.AVAILABLE_WITHOUT_ENROLLMENT
        and app.platform not in ProtectionPlatform.values
    ):
        raise ValidationError(
            {
                "intent": _(
                    "Available without enrollment is for apps with app protection: iOS, "
                    "Android and Windows."
                )
            }
        )


@transaction.atomic
def app_assignment_create(
    *,
    app: MobileApp,
    group: Group,
    intent: str,
    actor: User,
    request: HttpRequest | None = None,
) -> MobileAppAssignment:
    """Assign an app to a group with an intent; a group gets one assignment per app."""
    if group.tenant_id != app.tenant_id:
        raise ValidationError({"group": _("The group belongs to another tenant.")})
    _intent_check(app=app, intent=intent)
    if MobileAppAssignment.objects.filter(app=app, group=group).exists():
        raise ValidationError(
            {"group": _("The app is already assigned to this group; change its type instead.")}
        )
    assignment = MobileAppAssignment.objects.create(app=app, group=group, intent=intent)
    if intent != InstallIntent.AVAILABLE_WITHOUT_ENROLLMENT:
        agents_push_for_groups(group_ids=[group.pk])
    tenant_assignments_changed(tenant_id=app.tenant_id)
    audit_record(
        action=Action.MOBILE_APP_ASSIGNED,
        tenant=app.tenant,
        actor=actor,
        target=app,
        request=request,
        details={"group": group.display_name, "intent": intent},
    )
    return assignment


@transaction.atomic
def app_assignment_update(
    *,
    assignment: MobileAppAssignment,
    intent: str,
    actor: User,
    request: HttpRequest | None = None,
) -> MobileAppAssignment:
    """Change the intent of an assignment."""
    app = assignment.app
    _intent_check(app=app, intent=intent)
    if assignment.intent != intent:
        previous = assignment.intent
        assignment.intent = intent
        assignment.save(update_fields=["intent"])
        agents_push_for_groups(group_ids=[assignment.group_id])
        tenant_assignments_changed(tenant_id=app.tenant_id)
        audit_record(
            action=Action.MOBILE_APP_ASSIGNMENT_UPDATED,
            tenant=app.tenant,
            actor=actor,
            target=app,
            request=request,
            details={"group": assignment.group.display_name, "from": previous, "intent": intent},
        )
    return assignment


@transaction.atomic
def app_assignment_delete(
    *, assignment: MobileAppAssignment, actor: User, request: HttpRequest | None = None
) -> None:
    """Remove an assignment. Devices keep their last install state; the app leaves their list."""
    app = assignment.app
    tenant_assignments_changed(tenant_id=app.tenant_id)
    audit_record(
        action=Action.MOBILE_APP_UNASSIGNED,
        tenant=app.tenant,
        actor=actor,
        target=app,
        request=request,
        details={"group": assignment.group.display_name, "intent": assignment.intent},
    )
    if assignment.intent != InstallIntent.AVAILABLE_WITHOUT_ENROLLMENT:
        agents_push_for_groups(group_ids=[assignment.group_id])
    assignment.delete()


# Check-in: install results and inventory -----------------------------------------------------


@dataclass(slots=True)
class _State:
    """A device's install state of one app, read as plain values: the check-in reads every
    state of the device on each report and builds a model only for what it writes."""

    pk: int | None
    app_id: int
    intent: str
    conflict: bool
    install_state: str
    error_code: str = ""
    detail: str = ""
    installed_version: str = ""
    last_modified_at: datetime | None = None

    def model(self, device_id: int) -> DeviceAppState:
        return DeviceAppState(
            pk=self.pk,
            device_id=device_id,
            app_id=self.app_id,
            **{name: getattr(self, name) for name in STATE_FIELDS},
        )


def _initial_state(app: AssignedApp, device: ManagedDevice) -> str:
    if app.platform != device.operating_system:
        return InstallState.NOT_APPLICABLE
    if app.intent == InstallIntent.REQUIRED:
        return InstallState.PENDING_INSTALL
    return InstallState.UNKNOWN


def _intent_set(row: _State, intent: str, conflict: bool) -> bool:
    """Follow a change of the effective intent; whether the row changed."""
    if row.intent == intent and row.conflict == conflict:
        return False
    row.intent, row.conflict = intent, conflict
    waiting = (InstallState.UNKNOWN, InstallState.NOT_INSTALLED)
    if intent == InstallIntent.REQUIRED and row.install_state in waiting:
        row.install_state = InstallState.PENDING_INSTALL
    elif intent != InstallIntent.REQUIRED and row.install_state == InstallState.PENDING_INSTALL:
        row.install_state = InstallState.UNKNOWN
    return True


def _result_apply(row: _State, result: AppResult, now: datetime) -> bool:
    """Take the agent's result; whether the row changed."""
    state = result.install_state
    keeps_detail = state in ERROR_STATES or state == InstallState.NOT_APPLICABLE
    values = {
        "install_state": state,
        "error_code": result.error_code if state in ERROR_STATES else "",
        "detail": result.detail if keeps_detail else "",
        "installed_version": result.version
        if state == InstallState.INSTALLED
        else ("" if state == InstallState.NOT_INSTALLED else row.installed_version),
    }
    if all(getattr(row, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(row, name, value)
    row.last_modified_at = now
    return True


def device_app_results_record(
    *,
    device: ManagedDevice,
    group_ids: frozenset[int],
    results: list[AppResult],
    now: datetime,
    revision: int | None = None,
) -> None:
    """Store the install state of the assigned apps the agent acted on.

    Runs inside the check-in's transaction: one read of the assigned apps (kept for the answer;
    none when the tenant's assignments at ``revision`` are kept), one of the device's states,
    then bulk writes of what changed only. An app reaching the device for the first time gets a
    state (install pending for a required app, not applicable for another platform). A result
    for an app that was never assigned to the device refuses the whole check-in
    (``appResults.<index>.appId``); a later result of the same app wins.
    """
    from deskside.fleet.checkin import CheckInRefused  # the check-in imports this module

    assigned = device_assigned_apps(
        device=device, group_ids=group_ids, keep=True, revision=revision
    )
    rows = {values[1]: _State(*values) for values in _DEVICE_STATES.rows(device_id=device.pk)}
    latest: dict[int, AppResult] = {}
    for index, result in enumerate(results):
        if result.app_id not in assigned and result.app_id not in rows:
            raise CheckInRefused(
                f"appResults.{index}.appId",
                f"App {result.app_id} is not assigned to this device.",
            )
        latest[result.app_id] = result
    changed: set[int] = set()
    for app_id, app in assigned.items():
        row = rows.get(app_id)
        if row is None:
            state = _initial_state(app, device)
            rows[app_id] = _State(
                None, app_id, app.intent, app.conflict, state, last_modified_at=now
            )
        elif _intent_set(row, app.intent, app.conflict):
            changed.add(app_id)
    for app_id, row in rows.items():
        if app_id not in assigned and _intent_set(row, "", False):
            changed.add(app_id)
    for app_id, result in latest.items():
        if _result_apply(rows[app_id], result, now):
            changed.add(app_id)
    created = [row.model(device.pk) for row in rows.values() if row.pk is None]
    updated = [rows[app_id].model(device.pk) for app_id in changed if rows[app_id].pk is not None]
    if created:
        DeviceAppState.objects.bulk_create(created, batch_size=BATCH)
    if updated:
        DeviceAppState.objects.bulk_update(updated, STATE_FIELDS, batch_size=BATCH)


def _chunks(items: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def device_inventory_record(
    *, device: ManagedDevice, items: list[InventoryItem], now: datetime
) -> None:
    """Replace the device's list of installed applications: one read, then a bulk delete of what
    went and a bulk insert of what came (an item is its name, version and publisher)."""
    wanted = {(item.name, item.version, item.publisher) for item in items}
    existing = {
        (name, version, publisher): pk
        for pk, name, version, publisher in DeviceInventoryItem.objects.filter(
            device_id=device.pk
        ).values_list("id", "name", "version", "publisher")
    }
    gone = [pk for key, pk in existing.items() if key not in wanted]
    for chunk in _chunks(gone):
        DeviceInventoryItem.objects.filter(pk__in=chunk).delete()
    new = [
        DeviceInventoryItem(device_id=device.pk, name=name, version=version, publisher=publisher)
        for name, version, publisher in sorted(wanted - existing.keys())
    ]
    if new:
        DeviceInventoryItem.objects.bulk_create(new, batch_size=BATCH)


# App protection ----------------------------------------------------------------------------


def _policy_values_clean(
    *, tenant: Tenant, values: dict[str, Any], exclude_id: int | None
) -> dict[str, Any]:
    name = str(values["display_name"]).strip()
    if not name:
        raise ValidationError({"display_name": _("A policy needs a name.")})
    clash = AppProtectionPolicy.objects.filter(tenant=tenant, display_name=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ValidationError({"display_name": _("A policy with this name already exists.")})
    if values["management_level"] not in ManagementLevel.values:
        raise ValidationError({"management_level": _("Choose an enrollment state.")})
    minutes = values["offline_grace_period_minutes"]
    if not isinstance(minutes, int) or not 1 <= minutes <= 60 * 24 * 90:
        raise ValidationError(
            {
                "offline_grace_period_minutes": _(
                    "The offline grace period is from 1 minute to 90 days."
                )
            }
        )
    version = str(values["minimum_app_version"]).strip()
    if version and not all(part.isdigit() for part in version.split(".")):
        raise ValidationError(
            {"minimum_app_version": _("Give a dotted version, such as 4.2.1, or leave it empty.")}
        )
    return {
        **values,
        "display_name": name,
        "description": str(values["description"]).strip(),
        "minimum_app_version": version,
    }


def _targets_set(policy: AppProtectionPolicy, identifiers: list[str]) -> bool:
    """Make the policy target exactly these apps; whether that changed anything."""
    current = set(policy.targets.values_list("app_identifier", flat=True))
    wanted = set(identifiers)
    if current == wanted:
        return False
    policy.targets.exclude(app_identifier__in=wanted).delete()
    ProtectedAppTarget.objects.bulk_create(
        [ProtectedAppTarget(policy=policy, app_identifier=i) for i in sorted(wanted - current)]
    )
    return True


def _policy_default(name: str) -> Any:
    field_ = AppProtectionPolicy._meta.get_field(name)
    assert isinstance(field_, models.Field)
    return field_.get_default()


@transaction.atomic
def protection_policy_create(
    *,
    tenant: Tenant,
    display_name: str,
    platform: str,
    apps: list[str],
    actor: User | None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> AppProtectionPolicy:
    """A new app protection policy for the apps it targets; deployed once assigned to a group."""
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    if platform not in ProtectionPlatform.values:
        raise ValidationError({"platform": _("Choose iOS/iPadOS, Android or Windows.")})
    defaults = {name: _policy_default(name) for name in POLICY_FIELDS}
    values = _policy_values_clean(
        tenant=tenant,
        values={**defaults, **fields, "display_name": display_name},
        exclude_id=None,
    )
    identifiers = app_identifiers_clean(apps)
    policy = AppProtectionPolicy.objects.create(
        tenant=tenant, platform=platform, last_modified_at=timezone.now(), **values
    )
    _targets_set(policy, identifiers)
    audit_record(
        action=Action.APP_PROTECTION_CREATED,
        tenant=tenant,
        actor=actor,
        target=policy,
        request=request,
        details={"platform": platform, "apps": identifiers},
    )
    return policy


@transaction.atomic
def protection_policy_update(
    *,
    policy: AppProtectionPolicy,
    actor: User,
    request: HttpRequest | None = None,
    apps: list[str] | None = None,
    **changes: Any,
) -> AppProtectionPolicy:
    """Change a policy's settings and targeted apps; its platform stays."""
    if "platform" in changes and changes.pop("platform") != policy.platform:
        raise ValidationError({"platform": _("A policy's platform cannot change.")})
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    merged = {name: changes.get(name, getattr(policy, name)) for name in POLICY_FIELDS}
    values = _policy_values_clean(tenant=policy.tenant, values=merged, exclude_id=policy.pk)
    changed = sorted(name for name, value in values.items() if getattr(policy, name) != value)
    for name in changed:
        setattr(policy, name, values[name])
    if apps is not None and _targets_set(policy, app_identifiers_clean(apps)):
        changed.append("apps")
    if changed:
        policy.last_modified_at = timezone.now()
        fields = [name for name in changed if name != "apps"]
        policy.save(update_fields=[*fields, "last_modified_at"])
        audit_record(
            action=Action.APP_PROTECTION_UPDATED,
            tenant=policy.tenant,
            actor=actor,
            target=policy,
            request=request,
            details={"fields": changed},
        )
    return policy


@transaction.atomic
def protection_policy_delete(
    *, policy: AppProtectionPolicy, actor: User, request: HttpRequest | None = None
) -> None:
    """Delete a policy; its apps stop getting it at their next check-in."""
    audit_record(
        action=Action.APP_PROTECTION_DELETED,
        tenant=policy.tenant,
        actor=actor,
        target=policy,
        request=request,
    )
    policy.delete()


@transaction.atomic
def protection_policy_assign(
    *,
    policy: AppProtectionPolicy,
    group: Group,
    actor: User,
    request: HttpRequest | None = None,
) -> AppProtectionAssignment:
    """Apply a policy to the users of a group (and of the groups nested in it)."""
    if group.tenant_id != policy.tenant_id:
        raise ValidationError({"group": _("The group belongs to another tenant.")})
    if AppProtectionAssignment.objects.filter(policy=policy, group=group).exists():
        raise ValidationError({"group": _("The policy is already assigned to this group.")})
    assignment = AppProtectionAssignment.objects.create(policy=policy, group=group)
    policy.last_modified_at = timezone.now()
    policy.save(update_fields=["last_modified_at"])
    audit_record(
        action=Action.APP_PROTECTION_ASSIGNED,
        tenant=policy.tenant,
        actor=actor,
        target=policy,
        request=request,
        details={"group": group.display_name},
    )
    return assignment


@transaction.atomic
def protection_policy_unassign(
    *,
    policy: AppProtectionPolicy,
    group: Group,
    actor: User,
    request: HttpRequest | None = None,
) -> None:
    """Stop applying a policy to a group's users."""
    deleted, _rows = AppProtectionAssignment.objects.filter(policy=policy, group=group).delete()
    if not deleted:
        raise ValidationError({"group": _("The policy is not assigned to this group.")})
    policy.last_modified_at = timezone.now()
    policy.save(update_fields=["last_modified_at"])
    audit_record(
        action=Action.APP_PROTECTION_UNASSIGNED,
        tenant=policy.tenant,
        actor=actor,
        target=policy,
        request=request,
        details={"group": group.display_name},
    )


@dataclass(frozen=True)
class RegistrationReport:
    """What a protected app reports when it checks in (the API validates its shape)."""

    app_identifier: str
    app_name: str
    device_tag: str
    device_name: str
    platform: str
    app_version: str = ""
    device_type: str = ""
    platform_version: str = ""
    managed_device_id: int | None = None
    flagged_reasons: list[str] = field(default_factory=list)


class RegistrationRefused(Exception):
    """The report cannot be taken; ``field`` names what is wrong (a 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@transaction.atomic
def app_registration_record(
    *,
    user: User,
    report: RegistrationReport,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[AppRegistration, bool]:
    """Create or update the user's registration of the app on that device (same user, app and
    device tag: the same row); whether it was created. A new registration is audited."""
    now = now or timezone.now()
    unknown_reasons = set(report.flagged_reasons) - set(FlaggedReason.values)
    if unknown_reasons:
        raise RegistrationRefused("flaggedReasons", "Unknown flagged reason.")
    device = None
    if report.managed_device_id is not None:
        device = (
            ManagedDevice.objects.filter(
                pk=report.managed_device_id, tenant_id=user.tenant_id, primary_user=user
            )
            .exclude(management_state=ManagementState.UNENROLLED)
            .first()
        )
        if device is None:
            raise RegistrationRefused(
                "managedDeviceId", "Not an enrolled device of the signed-in user."
            )
        if device.operating_system != report.platform:
            raise RegistrationRefused(
                "managedDeviceId", "That device runs another platform than the app reports."
            )
    registration, created = AppRegistration.objects.update_or_create(
        user=user,
        app_identifier=report.app_identifier,
        device_tag=report.device_tag,
        defaults={
            "tenant_id": user.tenant_id,
            "app_name": report.app_name,
            "app_version": report.app_version,
            "device_name": report.device_name,
            "device_type": report.device_type,
            "platform": report.platform,
            "platform_version": report.platform_version,
            "managed_device": device,
            "flagged_reasons": sorted(set(report.flagged_reasons)),
            "last_sync_at": now,
        },
    )
    if created:
        audit_record(
            action=Action.APP_REGISTRATION_CREATED,
            tenant=user.tenant,
            actor=user,
            target=registration,
            request=request,
            details={"app": report.app_identifier, "platform": report.platform},
        )
    return registration, created


@transaction.atomic
def app_protection_check_in(
    *,
    user: User,
    report: RegistrationReport,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[AppRegistration, bool, WipeOrder | None]:
    """A protected app's check-in, in one transaction: its registration recorded (whether it
    was created) and the selective wipe it must carry out, if one is pending."""
    now = now or timezone.now()
    registration, created = app_registration_record(
        user=user, report=report, request=request, now=now
    )
    return registration, created, app_wipe_deliver(registration=registration, now=now)
