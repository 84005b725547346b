"""Writes of the policies part: compliance evaluation, configuration profile results, and the
administration of policies, profiles, their assignments and the tenant's compliance settings.

The check-in hooks (``device_profile_results_record``, ``device_compliance_evaluate``) run inside
the check-in's transaction (fleet/checkin.py) and join it without a savepoint of their own: each
check-in costs them a fixed number of queries (docs/policies.md), writing only what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.core.prepared import PreparedSelect, PreparedUpdate
from deskside.directory.models import Group, Tenant, User
from deskside.directory.services import tenant_assignments_changed
from deskside.fleet.choices import OperatingSystem
from deskside.fleet.models import ManagedDevice
from deskside.fleet.push import agents_push_for_groups
from deskside.fleet.reports import ProfileResult
from deskside.fleet.selectors import device_group_ids
from deskside.policies.choices import (
    NoPolicyState,
    PolicyStatus,
    ProfileStatus,
    ProfileType,
)
from deskside.policies.delivery import profile_plan, profile_settings_clean
from deskside.policies.evaluation import (
    Evaluated,
    device_state,
    evaluate_policy,
    os_range_conflicts,
    version_key,
)
from deskside.policies.models import (
    CompliancePolicy,
    CompliancePolicyAssignment,
    ComplianceSettings,
    ConfigurationProfile,
    DeviceComplianceStatus,
    DeviceProfileStatus,
    ProfileAssignment,
)
from deskside.policies.selectors import (
    PAYLOAD_ATTRIBUTE,
    compliance_policies_for_groups,
    compliance_settings_of,
    profiles_for_groups,
)

# ----------------------------------------------------------------------------------------------
# Check-in: configuration profile results


def _profile_result_refused(field: str, message: str) -> Exception:
    # fleet.checkin imports this module: import its exception when needed.
    from deskside.fleet.checkin import CheckInRefused

    return CheckInRefused(field, message)


def _latest_results(
    results: Sequence[ProfileResult], profiles: Mapping[int, ConfigurationProfile]
) -> dict[int, ProfileResult]:
    """The results for the current version of each profile (a later one wins); results for an
    older version are ignored; an unknown or unassigned profile, or a version the server never
    gave, refuses the whole check-in."""
    latest: dict[int, ProfileResult] = {}
    for index, result in enumerate(results):
        profile = profiles.get(result.profile_id)
        if profile is None:
            raise _profile_result_refused(
                f"profileResults.{index}.profileId",
                "No configuration profile with this id is assigned to this device.",
            )
        if result.version > profile.version:
            raise _profile_result_refused(
                f"profileResults.{index}.version",
                f"The profile is at version {profile.version}; this version was never given.",
            )
        if result.version == profile.version:
            latest[profile.pk] = result
    return latest


_KEPT = (ProfileStatus.SUCCEEDED, ProfileStatus.FAILED, ProfileStatus.NOT_APPLICABLE)

# The device's statuses, read by every full check-in: kept compiled (core/prepared.py).
_PROFILE_STATUSES: PreparedSelect[DeviceProfileStatus] = PreparedSelect(
    lambda device_id: DeviceProfileStatus.objects.filter(device_id=device_id), device_id=int
)
_COMPLIANCE_STATUSES: PreparedSelect[DeviceComplianceStatus] = PreparedSelect(
    lambda device_id: DeviceComplianceStatus.objects.filter(device_id=device_id), device_id=int
)


@transaction.atomic(savepoint=False)
def device_profile_results_record(
    *,
    device: ManagedDevice,
    group_ids: frozenset[int],
    results: list[ProfileResult],
    now: datetime,
    revision: int | None = None,
) -> None:
    """Store the outcome of the profiles the agent applied (inside the check-in's transaction),
    and the status of every profile assigned to the device: pending once delivered at a version
    without a result, conflict, not applicable. Two queries when nothing changed, one when the
    tenant's assignments at ``revision`` are kept (policies.selectors.profiles_for_groups)."""
    assigned = profiles_for_groups(
        tenant_id=device.tenant_id, group_ids=group_ids, revision=revision
    )
    profiles = {profile.pk: profile for profile in assigned}
    latest = _latest_results(results, profiles)
    plan = profile_plan(platform=device.operating_system, profiles=profiles.values())
    rows = {row.profile_id: row for row in _PROFILE_STATUSES.objects(device_id=device.pk)}
    wanted: dict[int, tuple[str, int, str, list[dict[str, Any]]]] = {}
    for profile in profiles.values():
        row = rows.get(profile.pk)
        if profile.pk in plan.other_platform:
            wanted[profile.pk] = (ProfileStatus.NOT_APPLICABLE, profile.version, "", [])
        elif profile.pk in plan.conflicts:
            wanted[profile.pk] = (
                ProfileStatus.CONFLICT,
                profile.version,
                "",
                plan.conflicts[profile.pk],
            )
        elif profile.pk in latest:
            result = latest[profile.pk]
            wanted[profile.pk] = (result.state, profile.version, result.detail[:1000], [])
        elif (
            row is not None
            and row.version == profile.version
            and row.status in _KEPT
            and not row.conflicts
        ):
            wanted[profile.pk] = (row.status, row.version, row.detail, [])
        else:
            wanted[profile.pk] = (ProfileStatus.PENDING, profile.version, "", [])
    _profile_rows_store(device=device, rows=rows, wanted=wanted, now=now)
    setattr(device, PAYLOAD_ATTRIBUTE, (group_ids, plan.payload()))


def _profile_rows_store(
    *,
    device: ManagedDevice,
    rows: dict[int, DeviceProfileStatus],
    wanted: dict[int, tuple[str, int, str, list[dict[str, Any]]]],
    now: datetime,
) -> None:
    created, changed = [], []
    for profile_id, (status, version, detail, conflicts) in wanted.items():
        row = rows.get(profile_id)
        if row is None:
            created.append(
                DeviceProfileStatus(
                    profile_id=profile_id,
                    device_id=device.pk,
                    status=status,
                    version=version,
                    detail=detail,
                    conflicts=conflicts,
                    changed_at=now,
                )
            )
        elif (row.status, row.version, row.detail, row.conflicts) != (
            status,
            version,
            detail,
            conflicts,
        ):
            row.status, row.version, row.detail, row.conflicts = status, version, detail, conflicts
            row.changed_at = now
            changed.append(row)
    if created:
        DeviceProfileStatus.objects.bulk_create(created)
    if changed:
        DeviceProfileStatus.objects.bulk_update(
            changed, ["status", "version", "detail", "conflicts", "changed_at"]
        )
    gone = [profile_id for profile_id in rows if profile_id not in wanted]
    if gone:
        DeviceProfileStatus.objects.filter(device_id=device.pk, profile_id__in=gone).delete()


# ----------------------------------------------------------------------------------------------
# Check-in and sweep: compliance


_STATUS_FIELDS = (
    "status",
    "setting_states",
    "failing_since",
    "grace_expires_at",
    "reevaluate_at",
    "overdue",
)
# One row's UPDATE, kept compiled. A fact that changes usually changes one or two statuses, and
# building the ORM's bulk_update (a CASE per field) for them cost a sixth of such a check-in;
# more rows than this go in one bulk_update, so the statements stay bounded.
_SAVE_STATUS = PreparedUpdate(DeviceComplianceStatus, (*_STATUS_FIELDS, "changed_at"))
_ROW_BY_ROW = 2


def _compliance_rows_store(
    *,
    device: ManagedDevice,
    rows: dict[int, DeviceComplianceStatus],
    evaluated: dict[int, Evaluated],
    now: datetime,
) -> None:
    created, changed = [], []
    for policy_id, new in evaluated.items():
        row = rows.get(policy_id)
        if row is None:
            created.append(
                DeviceComplianceStatus(
                    policy_id=policy_id,
                    device_id=device.pk,
                    changed_at=now,
                    **{name: getattr(new, name) for name in _STATUS_FIELDS},
                )
            )
            continue
        if all(getattr(row, name) == getattr(new, name) for name in _STATUS_FIELDS):
            continue
        if (row.status, row.setting_states) != (new.status, new.setting_states):
            row.changed_at = now
        for name in _STATUS_FIELDS:
            setattr(row, name, getattr(new, name))
        changed.append(row)
    if created:
        DeviceComplianceStatus.objects.bulk_create(created)
    fields = [*_STATUS_FIELDS, "changed_at"]
    if len(changed) > _ROW_BY_ROW:
        DeviceComplianceStatus.objects.bulk_update(changed, fields)
    else:
        for row in changed:
            _SAVE_STATUS.run(pk=row.pk, values={name: getattr(row, name) for name in fields})
    gone = [policy_id for policy_id in rows if policy_id not in evaluated]
    if gone:
        DeviceComplianceStatus.objects.filter(device_id=device.pk, policy_id__in=gone).delete()


@dataclass(frozen=True)
class ComplianceOutcome:
    """The device's complianceState after an evaluation, and the earliest time it changes without
    a new fact (a grace period ending), if any."""

    state: str
    changes_at: datetime | None


@transaction.atomic(savepoint=False)
def device_compliance_evaluate(
    *,
    device: ManagedDevice,
    group_ids: frozenset[int],
    now: datetime,
    revision: int | None = None,
) -> ComplianceOutcome:
    """Evaluate the device's assigned compliance policies on its stored facts; store the status
    per policy; return the device's complianceState (the caller saves it on the device) and when
    it next changes by itself.

    Two queries when nothing changed (the assigned policies, the device's statuses; one when the
    tenant's assignments at ``revision`` are kept), a third for the tenant's settings when no
    policy applies to the device."""
    policies = compliance_policies_for_groups(
        tenant_id=device.tenant_id, group_ids=group_ids, revision=revision
    )
    rows = {row.policy_id: row for row in _COMPLIANCE_STATUSES.objects(device_id=device.pk)}
    applicable = [policy for policy in policies if policy.platform == device.operating_system]
    conflicts = os_range_conflicts(applicable)
    evaluated = {
        policy.pk: evaluate_policy(
            policy, device, now=now, previous=rows.get(policy.pk), conflicts=conflicts
        )
        for policy in policies
    }
    _compliance_rows_store(device=device, rows=rows, evaluated=evaluated, now=now)
    statuses = [new.status for new in evaluated.values()]
    no_policy = NoPolicyState.COMPLIANT
    if all(status == PolicyStatus.NOT_APPLICABLE for status in statuses):
        no_policy = NoPolicyState(
            compliance_settings_of(tenant_id=device.tenant_id).no_policy_state
        )
    waits = [new.reevaluate_at for new in evaluated.values() if new.reevaluate_at is not None]
    return ComplianceOutcome(
        state=device_state(statuses, no_policy_state=no_policy),
        changes_at=min(waits, default=None),
    )


def _sweep_device_ids(now: datetime) -> list[int]:
    """Devices to evaluate again: statuses waiting for ``now`` (a grace period ending, a policy
    edited), and for each policy with a "last check-in" rule, its devices that have not checked
    in for longer than it allows and were not found overdue yet (one query per such policy)."""
    device_ids = set(
        DeviceComplianceStatus.objects.filter(reevaluate_at__lte=now).values_list(
            "device_id", flat=True
        )
    )
    rules = CompliancePolicy.objects.filter(max_days_since_check_in__isnull=False).values_list(
        "pk", "max_days_since_check_in"
    )
    for policy_id, days in rules:
        overdue = DeviceComplianceStatus.objects.filter(
            policy_id=policy_id,
            overdue=False,
            device__last_sync_at__lt=now - timedelta(days=days or 0),
        ).exclude(status=PolicyStatus.NOT_APPLICABLE)
        device_ids.update(overdue.values_list("device_id", flat=True))
    return sorted(device_ids)


def compliance_sweep(
    *,
    now: datetime | None = None,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Re-evaluate the devices whose compliance changes without a check-in: a grace period that
    ran out, a "last check-in" rule whose deadline passed, a policy edited or re-assigned since
    the last evaluation. Each device in a transaction of its own, its row locked as a check-in
    locks it. Returns how many devices were evaluated; ``progress(done, total)`` is called after
    each batch."""
    now = now or timezone.now()
    device_ids = _sweep_device_ids(now)
    total = len(device_ids)
    for start in range(0, total, batch_size):
        for device_id in device_ids[start : start + batch_size]:
            _device_reevaluate(device_id=device_id, now=now)
        if progress is not None:
            progress(min(start + batch_size, total), total)
    return total


@transaction.atomic
def _device_reevaluate(*, device_id: int, now: datetime) -> None:
    device = (
        ManagedDevice.objects.select_for_update(of=("self",))
        .annotate(revision=F("tenant__assignments_revision"))
        .filter(pk=device_id)
        .first()
    )
    if device is None:
        return
    state = device_compliance_evaluate(
        device=device,
        group_ids=device_group_ids(device=device),
        now=now,
        revision=device.revision,
    ).state
    # The check-in saves these fields itself; outside a check-in the sweep has to. The statuses
    # changed without a check-in, so the device's next check-in must not reuse its last basis.
    ManagedDevice.objects.filter(pk=device.pk).update(compliance_state=state, checkin_basis="")


def _statuses_reevaluate(*, policy: CompliancePolicy, now: datetime) -> None:
    """After an edit or a new assignment, the policy's statuses no longer describe it: unknown
    until the next check-in or sweep evaluates the device again."""
    DeviceComplianceStatus.objects.filter(policy=policy).update(
        status=PolicyStatus.UNKNOWN, reevaluate_at=now, changed_at=now
    )


# ----------------------------------------------------------------------------------------------
# Administration: compliance policies

POLICY_FIELDS = (
    "name",
    "description",
    "platform",
    "os_minimum_version",
    "os_maximum_version",
    "require_encryption",
    "require_firewall",
    "require_screen_lock",
    "minimum_agent_version",
    "max_days_since_check_in",
    "grace_period_days",
)


def _clean_policy(tenant: Tenant, fields: dict[str, Any], exclude_id: int | None) -> dict[str, Any]:
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown compliance policy fields: {sorted(unknown)}")
    clean = dict(fields)
    clean["name"] = str(clean.get("name", "")).strip()
    if not clean["name"]:
        raise ValidationError({"name": _("A name is required.")})
    taken = CompliancePolicy.objects.filter(tenant=tenant, name=clean["name"])
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise ValidationError({"name": _("A compliance policy with this name already exists.")})
    if clean.get("platform") not in OperatingSystem.values:
        raise ValidationError({"platform": _("Choose a platform.")})
    for name in ("os_minimum_version", "os_maximum_version", "minimum_agent_version"):
        clean[name] = str(clean.get(name) or "").strip()
        if clean[name] and version_key(clean[name]) is None:
            raise ValidationError({name: _("Enter a dotted version such as 13.0 or 10.0.19045.")})
    low = version_key(clean["os_minimum_version"])
    high = version_key(clean["os_maximum_version"])
    if low is not None and high is not None and low > high:
        raise ValidationError(
            {"os_maximum_version": _("The maximum version is below the minimum version.")}
        )
    for name, lowest in (("max_days_since_check_in", 1), ("grace_period_days", 0)):
        value = clean.get(name)
        if value is None and name == "max_days_since_check_in":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not lowest <= value <= 3650:
            raise ValidationError(
                {name: _("Enter a number of days from %(low)d to 3650.") % {"low": lowest}}
            )
    return clean


@transaction.atomic
def compliance_policy_create(
    *, tenant: Tenant, actor: User | None, request: HttpRequest | None = None, **fields: Any
) -> CompliancePolicy:
    """A new compliance policy (not assigned yet: it applies to no device)."""
    fields.setdefault("grace_period_days", 0)
    clean = _clean_policy(tenant, fields, exclude_id=None)
    policy = CompliancePolicy.objects.create(tenant=tenant, **clean)
    audit_record(
        action=Action.COMPLIANCE_POLICY_CREATED,
        tenant=tenant,
        actor=actor,
        target=policy,
        request=request,
        details={"platform": policy.platform},
    )
    return policy


def _included(assignments: Any) -> list[int]:
    """The ids of the groups a policy's or profile's ``assignments`` include (not exclude): the
    groups whose devices a change of it concerns, to push them (fleet/push.py)."""
    return list(assignments.filter(excluded=False).values_list("group_id", flat=True))


@transaction.atomic
def compliance_policy_update(
    *, policy: CompliancePolicy, actor: User, request: HttpRequest | None = None, **changes: Any
) -> CompliancePolicy:
    """Change a policy's rules; its devices are evaluated again at their next check-in or sweep
    (their statuses are unknown until then). Records which fields changed."""
    current = {name: getattr(policy, name) for name in POLICY_FIELDS}
    clean = _clean_policy(policy.tenant, {**current, **changes}, exclude_id=policy.pk)
    changed = sorted(name for name in POLICY_FIELDS if clean[name] != current[name])
    if not changed:
        return policy
    for name in changed:
        setattr(policy, name, clean[name])
    policy.save(update_fields=[*changed, "updated_at"])
    _statuses_reevaluate(policy=policy, now=timezone.now())
    agents_push_for_groups(group_ids=_included(policy.assignments))
    tenant_assignments_changed(tenant_id=policy.tenant_id)
    audit_record(
        action=Action.COMPLIANCE_POLICY_UPDATED,
        tenant=policy.tenant,
        actor=actor,
        target=policy,
        request=request,
        details={"fields": changed},
    )
    return policy


@transaction.atomic
def compliance_policy_delete(
    *, policy: CompliancePolicy, actor: User, request: HttpRequest | None = None
) -> None:
    """Delete a policy and its statuses; its devices' complianceState follows at their next
    check-in."""
    agents_push_for_groups(group_ids=_included(policy.assignments))
    tenant_assignments_changed(tenant_id=policy.tenant_id)
    audit_record(
        action=Action.COMPLIANCE_POLICY_DELETED,
        tenant=policy.tenant,
        actor=actor,
        target=policy,
        request=request,
    )
    policy.delete()


def _clean_groups(
    tenant: Tenant, include: Iterable[Group], exclude: Iterable[Group]
) -> tuple[set[Group], set[Group]]:
    include_set, exclude_set = set(include), set(exclude)
    if any(group.tenant_id != tenant.pk for group in include_set | exclude_set):
        raise ValidationError({"include_groups": _("A group belongs to another tenant.")})
    both = include_set & exclude_set
    if both:
        names = ", ".join(sorted(group.display_name for group in both))
        raise ValidationError(
            {
                "exclude_groups": _("A group cannot be both included and excluded: %(names)s.")
                % {"names": names}
            }
        )
    return include_set, exclude_set


def _assignments_set(
    links: QuerySet[Any],
    make: Callable[[Group, bool], Any],
    include: set[Group],
    exclude: set[Group],
) -> tuple[dict[str, list[str]], set[int]]:
    """Replace an owner's assignments (``links``). Returns the groups by name, for the audit
    event, and the ids of the groups whose assignment was added or removed."""
    current = {
        (link.group_id, link.excluded): link.group.display_name
        for link in links.select_related("group")
    }
    wanted = {(group.pk, False): group.display_name for group in include} | {
        (group.pk, True): group.display_name for group in exclude
    }
    links.exclude(
        Q(excluded=False, group__in=[group.pk for group in include])
        | Q(excluded=True, group__in=[group.pk for group in exclude])
    ).delete()
    groups = {group.pk: group for group in include | exclude}
    links.model.objects.bulk_create(
        [make(groups[key[0]], key[1]) for key in wanted if key not in current]
    )
    summary = {
        "included": sorted(name for key, name in wanted.items() if not key[1]),
        "excluded": sorted(name for key, name in wanted.items() if key[1]),
        "added": sorted(name for key, name in wanted.items() if key not in current),
        "removed": sorted(name for key, name in current.items() if key not in wanted),
    }
    touched = {key[0] for key in wanted.keys() ^ current.keys()}
    return summary, touched


@transaction.atomic
def compliance_policy_assign(
    *,
    policy: CompliancePolicy,
    include_groups: Iterable[Group],
    exclude_groups: Iterable[Group] = (),
    actor: User | None,
    request: HttpRequest | None = None,
) -> CompliancePolicy:
    """Set the groups a policy is assigned to (and excluded from). Devices reached through them
    are evaluated at their next check-in; devices already evaluated, at the next sweep too."""
    include, exclude = _clean_groups(policy.tenant, include_groups, exclude_groups)
    summary, touched = _assignments_set(
        CompliancePolicyAssignment.objects.filter(policy=policy),
        lambda group, excluded: CompliancePolicyAssignment(
            policy=policy, group=group, excluded=excluded
        ),
        include,
        exclude,
    )
    if summary["added"] or summary["removed"]:
        policy.save(update_fields=["updated_at"])
        _statuses_reevaluate(policy=policy, now=timezone.now())
        agents_push_for_groups(group_ids=touched)
        tenant_assignments_changed(tenant_id=policy.tenant_id)
        audit_record(
            action=Action.COMPLIANCE_POLICY_ASSIGNED,
            tenant=policy.tenant,
            actor=actor,
            target=policy,
            request=request,
            details=summary,
        )
    return policy


@transaction.atomic
def compliance_settings_update(
    *, tenant: Tenant, no_policy_state: str, actor: User, request: HttpRequest | None = None
) -> ComplianceSettings:
    """Change what a device with no applicable compliance policy is; devices evaluated with no
    applicable policy take the new state at once."""
    if no_policy_state not in NoPolicyState.values:
        raise ValidationError({"no_policy_state": _("Choose compliant or not compliant.")})
    found = compliance_settings_of(tenant_id=tenant.pk)
    if found.pk is not None and found.no_policy_state == no_policy_state:
        return found
    previous = found.no_policy_state
    found.no_policy_state = no_policy_state
    found.save()
    with_policy = (
        DeviceComplianceStatus.objects.filter(device__tenant=tenant)
        .exclude(status=PolicyStatus.NOT_APPLICABLE)
        .values("device_id")
    )
    ManagedDevice.objects.filter(tenant=tenant, last_sync_at__isnull=False).exclude(
        pk__in=with_policy
    ).update(compliance_state=no_policy_state)
    tenant_assignments_changed(tenant_id=tenant.pk)
    audit_record(
        action=Action.COMPLIANCE_SETTINGS_UPDATED,
        tenant=tenant,
        actor=actor,
        target=found,
        target_label=str(_("Compliance settings")),
        request=request,
        details={"no_policy_state": [previous, no_policy_state]},
    )
    return found


# ----------------------------------------------------------------------------------------------
# Administration: configuration profiles


def _clean_profile_fields(tenant: Tenant, name: str, platform: str, exclude_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    taken = ConfigurationProfile.objects.filter(tenant=tenant, name=name)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise ValidationError({"name": _("A configuration profile with this name already exists.")})
    if platform not in OperatingSystem.values:
        raise ValidationError({"platform": _("Choose a platform.")})
    return name


@transaction.atomic
def profile_create(
    *,
    tenant: Tenant,
    name: str,
    platform: str,
    profile_type: str,
    settings: Mapping[str, Any],
    secrets: Mapping[str, Any] | None = None,
    description: str = "",
    actor: User | None,
    request: HttpRequest | None = None,
) -> ConfigurationProfile:
    """A new configuration profile at version 1. The audit event names the settings, never a
    secret's value."""
    name = _clean_profile_fields(tenant, name, platform, exclude_id=None)
    if profile_type not in ProfileType.values:
        raise ValidationError({"profile_type": _("Unknown profile type.")})
    clean, secret = profile_settings_clean(
        profile_type=profile_type, settings=settings, secrets=secrets or {}
    )
    profile = ConfigurationProfile.objects.create(
        tenant=tenant,
        name=name,
        description=description.strip(),
        platform=platform,
        profile_type=profile_type,
        settings=clean,
        secret_settings=secret,
    )
    audit_record(
        action=Action.CONFIGURATION_PROFILE_CREATED,
        tenant=tenant,
        actor=actor,
        target=profile,
        request=request,
        details={
            "profileType": profile_type,
            "platform": platform,
            "settings": sorted(clean),
            "secretsSet": sorted(secret),
        },
    )
    return profile


@transaction.atomic
def profile_update(
    *,
    profile: ConfigurationProfile,
    name: str,
    platform: str,
    settings: Mapping[str, Any],
    secrets: Mapping[str, Any] | None = None,
    clear_secrets: Iterable[str] = (),
    description: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> ConfigurationProfile:
    """Change a profile; any change raises its version, so devices apply it again (pending
    until they report). A secret left empty keeps its value, unless named in ``clear_secrets``.
    Records which settings changed, never a secret's value."""
    name = _clean_profile_fields(profile.tenant, name, platform, exclude_id=profile.pk)
    cleared = set(clear_secrets)
    clean, secret = profile_settings_clean(
        profile_type=profile.profile_type,
        settings=settings,
        secrets=secrets or {},
        current_secrets={k: v for k, v in profile.secret_settings.items() if k not in cleared},
    )
    changed = sorted(
        [
            field
            for field, old, new in (
                ("name", profile.name, name),
                ("description", profile.description, description.strip()),
                ("platform", profile.platform, platform),
            )
            if old != new
        ]
        + [
            key
            for key in set(clean) | set(profile.settings)
            if clean.get(key) != profile.settings.get(key)
        ]
        + [
            key
            for key in set(secret) | set(profile.secret_settings)
            if secret.get(key) != profile.secret_settings.get(key)
        ]
    )
    if not changed:
        return profile
    profile.name, profile.description, profile.platform = name, description.strip(), platform
    profile.settings, profile.secret_settings = clean, secret
    profile.version += 1
    profile.save()
    agents_push_for_groups(group_ids=_included(profile.assignments))
    tenant_assignments_changed(tenant_id=profile.tenant_id)
    audit_record(
        action=Action.CONFIGURATION_PROFILE_UPDATED,
        tenant=profile.tenant,
        actor=actor,
        target=profile,
        request=request,
        details={"fields": changed, "version": profile.version},
    )
    return profile


@transaction.atomic
def profile_delete(
    *, profile: ConfigurationProfile, actor: User, request: HttpRequest | None = None
) -> None:
    """Delete a profile; it disappears from its devices' next check-in answer, so their agents
    remove what they wrote for it."""
    agents_push_for_groups(group_ids=_included(profile.assignments))
    tenant_assignments_changed(tenant_id=profile.tenant_id)
    audit_record(
        action=Action.CONFIGURATION_PROFILE_DELETED,
        tenant=profile.tenant,
        actor=actor,
        target=profile,
        request=request,
    )
    profile.delete()


@transaction.atomic
def profile_assign(
    *,
    profile: ConfigurationProfile,
    include_groups: Iterable[Group],
    exclude_groups: Iterable[Group] = (),
    actor: User | None,
    request: HttpRequest | None = None,
) -> ConfigurationProfile:
    """Set the groups a profile is assigned to (and excluded from); devices get it, or lose it,
    at their next check-in."""
    include, exclude = _clean_groups(profile.tenant, include_groups, exclude_groups)
    summary, touched = _assignments_set(
        ProfileAssignment.objects.filter(profile=profile),
        lambda group, excluded: ProfileAssignment(profile=profile, group=group, excluded=excluded),
        include,
        exclude,
    )
    if summary["added"] or summary["removed"]:
        profile.save(update_fields=["updated_at"])
        agents_push_for_groups(group_ids=touched)
        tenant_assignments_changed(tenant_id=profile.tenant_id)
        audit_record(
            action=Action.CONFIGURATION_PROFILE_ASSIGNED,
            tenant=profile.tenant,
            actor=actor,
            target=profile,
            request=request,
            details=summary,
        )
    return profile
