"""Reads of the fleet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from deskside.access.checks import get_or_404, has_permission, scope
from deskside.core.prepared import PreparedSelect
from deskside.directory.models import Group, GroupClosure, User
from deskside.directory.selectors import user_ids_in_groups_query
from deskside.fleet.choices import ManagementState
from deskside.fleet.enrollment import token_hash
from deskside.fleet.models import (
    BulkEnrollmentToken,
    CorporateIdentifier,
    DeploymentProfile,
    DeviceMembership,
    EnrollmentFailure,
    EnrollmentRestriction,
    EnrollmentSettings,
    ManagedDevice,
    PreprovisionedDevice,
)

if TYPE_CHECKING:
    from deskside.access.checks import Scope


def device_ids_in_groups_query(
    *, group_ids: Iterable[int] | QuerySet[Any, int]
) -> QuerySet[DeviceMembership, int]:
    """Subquery of ids of devices in any of the groups, directly or through nesting."""
    return DeviceMembership.objects.filter(
        group__ancestor_links__ancestor_id__in=group_ids
    ).values_list("device_id", flat=True)


def devices_in_scope(queryset: QuerySet[ManagedDevice], scope: Scope) -> QuerySet[ManagedDevice]:
    """The access check's rule for devices (shared/reference/permissions.md):

    a device is in scope when it, or its primary user, is in a scope group; "all devices" covers
    every enrolled device (never an unenrolled one); "all users" covers the devices of any user.
    """
    condition = Q(pk__in=[])
    if scope.all_devices:
        condition |= ~Q(management_state=ManagementState.UNENROLLED)
    if scope.all_users:
        condition |= Q(primary_user__isnull=False)
    if scope.group_ids:
        condition |= Q(id__in=device_ids_in_groups_query(group_ids=scope.group_ids))
        condition |= Q(primary_user_id__in=user_ids_in_groups_query(group_ids=scope.group_ids))
    return queryset.filter(condition)


def _groups_reached(condition: Q) -> QuerySet[GroupClosure, tuple[int]]:
    return GroupClosure.objects.filter(condition).values_list("ancestor_id").distinct()


# Every full check-in runs one of these: kept compiled (core/prepared.py).
_GROUPS_OF_DEVICE: PreparedSelect[GroupClosure] = PreparedSelect(
    lambda device_id: _groups_reached(Q(descendant__device_memberships__device_id=device_id)),
    device_id=int,
)
_GROUPS_OF_DEVICE_AND_USER: PreparedSelect[GroupClosure] = PreparedSelect(
    lambda device_id, user_id: _groups_reached(
        Q(descendant__device_memberships__device_id=device_id)
        | Q(descendant__user_memberships__user_id=user_id)
    ),
    device_id=int,
    user_id=int,
)


def device_group_ids(*, device: ManagedDevice) -> frozenset[int]:
    """Ids of the groups assignments reach the device through, in one query: the device's own
    groups and its primary user's, directly or through nesting."""
    if device.primary_user_id is None:
        rows = _GROUPS_OF_DEVICE.rows(device_id=device.pk)
    else:
        rows = _GROUPS_OF_DEVICE_AND_USER.rows(device_id=device.pk, user_id=device.primary_user_id)
    return frozenset(row[0] for row in rows)


def device_for_credential(*, credential: str) -> ManagedDevice | None:
    """The enrolled device whose agent holds ``credential`` (only its hash is stored)."""
    if not credential:
        return None
    return _DEVICE_BY_CREDENTIAL.first(credential_hash=token_hash(credential))


# Every agent request runs this query: kept compiled (core/prepared.py). Only the fields every
# agent request reads (the socket and the check-in the key, diagnostics the tenant and name): the
# check-in reads the whole row again from the row it locks, and converting the rest twice (the
# last answer is sealed: a decryption) cost a twentieth of a quiet check-in.
_DEVICE_BY_CREDENTIAL: PreparedSelect[ManagedDevice] = PreparedSelect(
    lambda credential_hash: (
        ManagedDevice.objects.filter(credential_hash=credential_hash)
        .exclude(management_state=ManagementState.UNENROLLED)
        .only("pk", "tenant_id", "device_name", "operating_system", "primary_user_id")
        .order_by("pk")[:1]
    ),
    credential_hash=str,
)


# The portal's reads: the device list, the device page and enrollment administration. Each takes
# the operator and returns only what the access check lets them see.

STALE_CHECK_INS = 3

# The device list's sort keys (as they appear in the address) and the fields they order by.
DEVICE_SORTS: dict[str, str] = {
    "name": "device_name",
    "user": "primary_user__display_name",
    "managedBy": "management_agent",
    "joinType": "join_type",
    "ownership": "owner_type",
    "compliance": "compliance_state",
    "os": "operating_system",
    "osVersion": "os_version",
    "lastCheckIn": "last_sync_at",
}


# Never read for pages: the device's credential hash, and the last check-in answer (it holds the
# settings of the profiles sent, Wi-Fi passphrases included).
_NOT_FOR_PAGES = ("credential_hash", "last_response")


def stale_after() -> timedelta:
    """How long a device may stay silent before it counts as not responding ("stale"): three
    check-in intervals, since a running agent checks in every ``DESKSIDE_CHECKIN_SECONDS``."""
    return timedelta(seconds=STALE_CHECK_INS * settings.DESKSIDE_CHECKIN_SECONDS)


def _with_contact(
    queryset: QuerySet[ManagedDevice], now: datetime | None = None
) -> QuerySet[ManagedDevice]:
    """Annotate ``last_contact`` (the last check-in, else the enrollment) and ``is_stale``."""
    cutoff = (now or timezone.now()) - stale_after()
    return queryset.annotate(
        last_contact=Coalesce("last_sync_at", "enrolled_at", "created_at")
    ).annotate(is_stale=ExpressionWrapper(Q(last_contact__lt=cutoff), output_field=BooleanField()))


def devices_readable(*, operator: User) -> QuerySet[ManagedDevice]:
    """Every device the operator may read (``ManagedDevices.Read``), as one filtered query."""
    return scope(ManagedDevice.objects.all(), operator, "ManagedDevices.Read")


@dataclass(frozen=True)
class DeviceFilters:
    """What the device list is narrowed and ordered by (see ``DEVICE_SORTS``)."""

    text: str = ""
    operating_system: str = ""
    compliance_state: str = ""
    owner_type: str = ""
    stale_only: bool = False
    sort: str = "name"
    descending: bool = False


def device_list(
    *, operator: User, filters: DeviceFilters, now: datetime | None = None
) -> QuerySet[ManagedDevice]:
    """The devices the operator may read, matching ``filters.text`` in the name, serial number or
    primary user's name or e-mail, narrowed by OS, compliance, ownership and staleness, and sorted
    (ties by id, so pages do not overlap). The primary user comes in the same query."""
    readable = devices_readable(operator=operator).select_related("primary_user")
    devices = _with_contact(readable.defer(*_NOT_FOR_PAGES), now)
    text = filters.text.strip()
    if text:
        devices = devices.filter(
            Q(device_name__icontains=text)
            | Q(serial_number__icontains=text)
            | Q(primary_user__display_name__icontains=text)
            | Q(primary_user__email__icontains=text)
        )
    if filters.operating_system:
        devices = devices.filter(operating_system=filters.operating_system)
    if filters.compliance_state:
        devices = devices.filter(compliance_state=filters.compliance_state)
    if filters.owner_type:
        devices = devices.filter(owner_type=filters.owner_type)
    if filters.stale_only:
        devices = devices.filter(Q(is_stale=True))
    order = F(DEVICE_SORTS.get(filters.sort, "device_name"))
    first = order.desc(nulls_last=True) if filters.descending else order.asc(nulls_first=True)
    return devices.order_by(first, "-pk" if filters.descending else "pk")


# The device list's CSV export is a report: it covers the devices the operator may both read and
# report on (each through its own assignments' scope).
DEVICE_REPORTS = "ManagedDevices.ViewReports"


def may_export_devices(*, operator: User) -> bool:
    """Whether any of the operator's assignments grants the device list's export."""
    return has_permission(operator, DEVICE_REPORTS)


def device_export(
    *, operator: User, filters: DeviceFilters, now: datetime | None = None
) -> QuerySet[ManagedDevice]:
    """The device list (``device_list``: same filters, same order) narrowed to the devices the
    operator may report on; empty without ``ManagedDevices.ViewReports``."""
    return scope(device_list(operator=operator, filters=filters, now=now), operator, DEVICE_REPORTS)


@dataclass(frozen=True)
class DeviceCounts:
    """How many of the operator's devices are in each compliance state and on each OS."""

    by_compliance: dict[str, int]
    by_os: dict[str, int]
    stale: int
    total: int


def device_counts(*, operator: User, now: datetime | None = None) -> DeviceCounts:
    """Counts over every device the operator may read, in two grouped queries."""
    devices = devices_readable(operator=operator)
    by_compliance = dict(
        devices.order_by()
        .values_list("compliance_state")
        .annotate(count=Count("id"))
        .values_list("compliance_state", "count")
    )
    per_os = _with_contact(devices.order_by(), now).values_list("operating_system")
    by_os: dict[str, int] = {}
    stale = 0
    for operating_system, count, stale_count in per_os.annotate(
        count=Count("id"), stale_count=Count("id", filter=Q(is_stale=True))
    ).values_list("operating_system", "count", "stale_count"):
        by_os[operating_system] = count
        stale += stale_count
    return DeviceCounts(
        by_compliance=by_compliance, by_os=by_os, stale=stale, total=sum(by_os.values())
    )


def device_for_page(*, operator: User, pk: int) -> ManagedDevice:
    """The device the device page shows (``ManagedDevices.Read`` on it; else Http404/403), with
    its primary user and ``last_contact``/``is_stale``."""
    queryset = ManagedDevice.objects.select_related("primary_user").defer(*_NOT_FOR_PAGES)
    queryset = _with_contact(queryset)
    return get_or_404(queryset, operator, "ManagedDevices.Read", pk=pk)


def device_group_list(*, device: ManagedDevice) -> list[tuple[Group, bool]]:
    """The groups the device is in, directly or through nesting, each with whether the membership
    is direct, in one query."""
    direct = DeviceMembership.objects.filter(device_id=device.pk, group_id=OuterRef("pk"))
    ancestors = GroupClosure.objects.filter(
        descendant__device_memberships__device_id=device.pk
    ).values_list("ancestor_id", flat=True)
    groups = (
        Group.objects.filter(id__in=ancestors)
        .annotate(is_direct=Exists(direct))
        .order_by("display_name")
    )
    return [(group, group.is_direct) for group in groups]


def user_readable(*, operator: User, user_id: int | None) -> bool:
    """Whether the operator may open the user's page (``Users.Read`` in scope)."""
    if user_id is None:
        return False
    return scope(User.objects.filter(pk=user_id), operator, "Users.Read").exists()


@dataclass(frozen=True)
class DevicePage:
    """What the device page shows besides the device's own fields: its groups, whether its
    primary user's page may be opened, and the sections other parts provide (context name →
    what that part's selector returned)."""

    device: ManagedDevice
    groups: list[tuple[Group, bool]]
    user_linkable: bool
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def storage_used_percent(self) -> int | None:
        total = self.device.total_storage_bytes
        free = self.device.free_storage_bytes
        if not total or free is None or free > total:
            return None
        return round(100 * (total - free) / total)


def device_page(*, operator: User, device: ManagedDevice) -> DevicePage:
    """The device page's reads for a device the operator may read (see ``device_for_page``).

    The device page contract: each section is a template partial of another part, fed by that
    part's selector, called here with the operator so that it returns only what they may see.
    """
    # Imported here, not at the top: this module is loaded by the access check (apps.ready) and
    # by fleet.consumers, which fleet.actions imports; the sections' parts build on fleet.
    from deskside.apps.selectors import device_app_states
    from deskside.fleet.actions import actions_available, device_action_history
    from deskside.policies.selectors import device_compliance_statuses, device_profile_statuses

    sections: dict[str, Any] = {
        "compliance_statuses": device_compliance_statuses(operator=operator, device=device),
        "profile_statuses": device_profile_statuses(operator=operator, device=device),
        "app_states": device_app_states(operator=operator, device=device),
        "device_actions": device_action_history(operator=operator, device=device),
        "available_actions": actions_available(operator=operator, device=device),
    }
    return DevicePage(
        device=device,
        groups=device_group_list(device=device),
        user_linkable=user_readable(operator=operator, user_id=device.primary_user_id),
        sections=sections,
    )


# Enrollment administration: the tenant's settings and objects (EnrollmentProgram.Read).


def enrollment_settings_of(*, operator: User) -> EnrollmentSettings | None:
    """The tenant's enrollment settings, None before an administrator first saves them."""
    return scope(EnrollmentSettings.objects.all(), operator, "EnrollmentProgram.Read").first()


def restriction_list(*, operator: User) -> QuerySet[EnrollmentRestriction]:
    """The tenant's enrollment restrictions by priority, the default last, with their groups."""
    groups = Group.objects.order_by("display_name")
    return (
        scope(EnrollmentRestriction.objects.all(), operator, "EnrollmentProgram.Read")
        .prefetch_related(Prefetch("groups", queryset=groups))
        .order_by("is_default", "priority", "pk")
    )


def bulk_token_list(*, operator: User) -> QuerySet[BulkEnrollmentToken]:
    """The tenant's bulk enrollment tokens, the latest expiry first, each with ``is_expired``
    (their hashes are not even read)."""
    tokens = scope(BulkEnrollmentToken.objects.all(), operator, "EnrollmentProgram.Read")
    expired = ExpressionWrapper(Q(expires_at__lte=timezone.now()), output_field=BooleanField())
    return tokens.defer("token_hash").annotate(is_expired=expired).order_by("-expires_at", "-pk")


def deployment_profile_list(*, operator: User) -> QuerySet[DeploymentProfile]:
    """The tenant's deployment profiles with how many registered devices each has."""
    return (
        scope(DeploymentProfile.objects.all(), operator, "EnrollmentProgram.Read")
        .annotate(device_count=Count("devices", filter=Q(devices__deleted_at__isnull=True)))
        .order_by("name", "pk")
    )


def preprovisioned_device_list(
    *, operator: User, removed: bool = False
) -> QuerySet[PreprovisionedDevice]:
    """The tenant's registered hardware ids (or, with ``removed``, the removed ones)."""
    devices = scope(PreprovisionedDevice.objects.all(), operator, "EnrollmentProgram.Read")
    devices = devices.filter(deleted_at__isnull=not removed).select_related("profile")
    return devices.order_by("hardware_id", "pk")


def corporate_identifier_list(*, operator: User) -> QuerySet[CorporateIdentifier]:
    """The tenant's corporate serial numbers."""
    identifiers = scope(CorporateIdentifier.objects.all(), operator, "EnrollmentProgram.Read")
    return identifiers.order_by("serial_number", "pk")


def enrollment_failure_list(*, operator: User) -> QuerySet[EnrollmentFailure]:
    """The enrollment failures the operator may see, newest first, with their users.

    The page needs ``EnrollmentProgram.Read`` (tenant-wide). A failure without a user is shown to
    every holder of it; one with a user only when that user is in the operator's scope for
    ``Users.Read`` or for ``ManagedDevices.Read`` — the failure names the user and the device
    that would have been theirs, so it is shown to whoever may see either (docs/enrollment.md).
    """
    failures = scope(EnrollmentFailure.objects.all(), operator, "EnrollmentProgram.Read")
    users = User.objects.all()
    visible = (
        Q(user__isnull=True)
        | Q(user_id__in=scope(users, operator, "Users.Read").values("id"))
        | Q(user_id__in=scope(users, operator, "ManagedDevices.Read").values("id"))
    )
    return failures.filter(visible).select_related("user").order_by("-started_at", "-pk")


def enrollment_failure_counts(*, failures: QuerySet[EnrollmentFailure]) -> dict[str, int]:
    """How many of ``failures`` there are per reason code, in one grouped query."""
    return dict(
        failures.select_related(None)
        .order_by()
        .values_list("reason")
        .annotate(count=Count("id"))
        .values_list("reason", "count")
    )
