"""Reads of the policies part: what is assigned to a device, what its agent gets, and the statuses
operators may see (docs/policies.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet

from deskside.access.checks import has_permission, scope
from deskside.core.per_revision import PerRevision
from deskside.directory.models import Group, User
from deskside.fleet.models import ManagedDevice
from deskside.policies.charts import StatusChart, status_bars
from deskside.policies.choices import PolicyStatus, ProfileStatus
from deskside.policies.delivery import profile_plan
from deskside.policies.display import ComplianceRow, ProfileRow, compliance_row, profile_row
from deskside.policies.models import (
    CompliancePolicy,
    CompliancePolicyAssignment,
    ComplianceSettings,
    ConfigurationProfile,
    DeviceComplianceStatus,
    DeviceProfileStatus,
    ProfileAssignment,
)

OwnerT = TypeVar("OwnerT")

# The check-in's profile service leaves the payload it decided on the device object, so that
# the answer does not read the assignments a second time (see ``device_profiles_payload``).
PAYLOAD_ATTRIBUTE = "_deskside_profiles_payload"


@dataclass(frozen=True)
class _TenantLinks(Generic[OwnerT]):
    """One tenant's assignments of one kind (compliance policies or configuration profiles):
    per group, the owners it includes and the owners it excludes."""

    included: dict[int, tuple[int, ...]]
    excluded: dict[int, tuple[int, ...]]
    owners: dict[int, OwnerT]

    def for_groups(self, group_ids: Iterable[int]) -> list[OwnerT]:
        """The owners included by one of the groups and excluded by none, ordered by id."""
        included: set[int] = set()
        excluded: set[int] = set()
        for group_id in group_ids:
            included.update(self.included.get(group_id, ()))
            excluded.update(self.excluded.get(group_id, ()))
        return [self.owners[pk] for pk in sorted(included - excluded)]


def _tenant_links(links: QuerySet[Any], owner: str) -> _TenantLinks[Any]:
    included: dict[int, list[int]] = {}
    excluded: dict[int, list[int]] = {}
    owners: dict[int, Any] = {}
    for link in links:
        owner_id = getattr(link, f"{owner}_id")
        owners[owner_id] = getattr(link, owner)
        (excluded if link.excluded else included).setdefault(link.group_id, []).append(owner_id)
    return _TenantLinks(
        included={group: tuple(ids) for group, ids in included.items()},
        excluded={group: tuple(ids) for group, ids in excluded.items()},
        owners=owners,
    )


# The whole tenant's assignments of each kind, one query each, kept per assignments revision
# (core/per_revision.py): a check-in picks its groups' share without a query.
_POLICY_LINKS: PerRevision[_TenantLinks[CompliancePolicy]] = PerRevision(
    lambda tenant_id: _tenant_links(
        CompliancePolicyAssignment.objects.filter(policy__tenant_id=tenant_id).select_related(
            "policy"
        ),
        "policy",
    )
)
_PROFILE_LINKS: PerRevision[_TenantLinks[ConfigurationProfile]] = PerRevision(
    lambda tenant_id: _tenant_links(
        ProfileAssignment.objects.filter(profile__tenant_id=tenant_id).select_related("profile"),
        "profile",
    )
)


def compliance_policies_for_groups(
    *, tenant_id: int, group_ids: Iterable[int], revision: int | None = None
) -> list[CompliancePolicy]:
    """The tenant's compliance policies assigned to any of the groups and excluded from none of
    them, by id. With the tenant's ``assignments_revision`` as the caller's transaction read it,
    from what is kept for that revision (no query when kept); without, one query. The policies
    are shared: read them, never change them."""
    links = _POLICY_LINKS.get(tenant_id=tenant_id, revision=revision)
    return links.for_groups(group_ids)


def profiles_for_groups(
    *, tenant_id: int, group_ids: Iterable[int], revision: int | None = None
) -> list[ConfigurationProfile]:
    """The tenant's configuration profiles assigned to any of the groups and excluded from none
    of them, by id; ``revision`` as for ``compliance_policies_for_groups``."""
    links = _PROFILE_LINKS.get(tenant_id=tenant_id, revision=revision)
    return links.for_groups(group_ids)


def compliance_settings_of(*, tenant_id: int) -> ComplianceSettings:
    """The tenant's compliance settings; the defaults (unsaved) when never changed."""
    found = ComplianceSettings.objects.filter(tenant_id=tenant_id).first()
    return found or ComplianceSettings(tenant_id=tenant_id)


def device_profiles_payload(
    *, device: ManagedDevice, group_ids: frozenset[int], revision: int | None = None
) -> list[dict[str, Any]]:
    """The configuration profiles the device must apply, as the check-in answer lists them:
    those assigned to it for its platform, without the ones in conflict (docs/policies.md)."""
    decided = device.__dict__.pop(PAYLOAD_ATTRIBUTE, None)
    if decided is not None and decided[0] == group_ids:
        return list(decided[1])
    profiles = profiles_for_groups(
        tenant_id=device.tenant_id, group_ids=group_ids, revision=revision
    )
    return profile_plan(platform=device.operating_system, profiles=profiles).payload()


def _readable_devices(operator: User) -> QuerySet[ManagedDevice]:
    return scope(ManagedDevice.objects.all(), operator, "ManagedDevices.Read")


# The per-policy and per-profile device status reports (the detail pages' charts and tables).
COMPLIANCE_REPORTS = "DeviceCompliancePolicies.ViewReports"
PROFILE_REPORTS = "DeviceConfigurations.ViewReports"


def _reported_devices(operator: User, permission: str) -> QuerySet[ManagedDevice]:
    """The devices a report of ``permission`` covers: those the operator may read over an
    assignment that also grants the report (both scopes; one subquery)."""
    return scope(_readable_devices(operator), operator, permission)


def device_compliance_statuses(*, operator: User, device: ManagedDevice) -> list[ComplianceRow]:
    """The device page's compliance section: each assigned policy's status on the device with
    the settings that fail; empty without DeviceCompliancePolicies.Read. One query. Policies
    for other platforms are left out (the policy's own page lists them as not applicable)."""
    policies = scope(CompliancePolicy.objects.all(), operator, "DeviceCompliancePolicies.Read")
    records = (
        DeviceComplianceStatus.objects.filter(device_id=device.pk, policy__in=policies)
        .filter(policy__platform=device.operating_system)
        .filter(device__in=_readable_devices(operator))
        .select_related("policy")
        .order_by("policy__name", "policy_id")
    )
    return [compliance_row(record) for record in records]


def device_profile_statuses(*, operator: User, device: ManagedDevice) -> list[ProfileRow]:
    """The device page's configuration section: each assigned profile's status on the device
    with its reason; empty without DeviceConfigurations.Read. One query. Profiles for other
    platforms are left out (the profile's own page lists them as not applicable)."""
    profiles = scope(ConfigurationProfile.objects.all(), operator, "DeviceConfigurations.Read")
    records = (
        DeviceProfileStatus.objects.filter(device_id=device.pk, profile__in=profiles)
        .filter(profile__platform=device.operating_system)
        .filter(device__in=_readable_devices(operator))
        .select_related("profile")
        .order_by("profile__name", "profile_id")
    )
    return [profile_row(record, device) for record in records]


def _with_groups(queryset: QuerySet[Any], link_model: type[Any]) -> QuerySet[Any]:
    links = link_model.objects.select_related("group").order_by("excluded", "group__display_name")
    return queryset.prefetch_related(Prefetch("assignments", queryset=links))


def compliance_policy_list(*, operator: User) -> QuerySet[CompliancePolicy]:
    """The tenant's compliance policies with their assignments (three queries in all)."""
    policies = scope(CompliancePolicy.objects.all(), operator, "DeviceCompliancePolicies.Read")
    return _with_groups(policies.order_by("name", "pk"), CompliancePolicyAssignment)


def compliance_policies_readable(*, operator: User) -> QuerySet[CompliancePolicy]:
    """The compliance policies the operator may read, with their assignments prefetched."""
    policies = scope(CompliancePolicy.objects.all(), operator, "DeviceCompliancePolicies.Read")
    return _with_groups(policies, CompliancePolicyAssignment)


def compliance_policy_statuses(
    *, operator: User, policy: CompliancePolicy, status: str = ""
) -> QuerySet[DeviceComplianceStatus]:
    """A policy's statuses on the devices its report covers for the operator (optionally one
    status)."""
    records = DeviceComplianceStatus.objects.filter(
        policy=policy, device__in=_reported_devices(operator, COMPLIANCE_REPORTS)
    )
    if status:
        records = records.filter(status=status)
    return records.select_related("device", "policy").order_by("device__device_name", "pk")


def compliance_policy_status_counts(*, operator: User, policy: CompliancePolicy) -> dict[str, int]:
    """How many devices of the policy's report have each status: one query."""
    counts = dict.fromkeys(PolicyStatus.values, 0)
    devices = _reported_devices(operator, COMPLIANCE_REPORTS)
    rows = (
        DeviceComplianceStatus.objects.filter(policy=policy, device__in=devices)
        .values("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


def profile_list(*, operator: User) -> QuerySet[ConfigurationProfile]:
    """The tenant's configuration profiles with their assignments (three queries in all)."""
    profiles = scope(ConfigurationProfile.objects.all(), operator, "DeviceConfigurations.Read")
    return _with_groups(profiles.order_by("name", "pk"), ProfileAssignment)


def profiles_readable(*, operator: User) -> QuerySet[ConfigurationProfile]:
    """The configuration profiles the operator may read, with their assignments prefetched."""
    profiles = scope(ConfigurationProfile.objects.all(), operator, "DeviceConfigurations.Read")
    return _with_groups(profiles, ProfileAssignment)


def profile_statuses(
    *, operator: User, profile: ConfigurationProfile, status: str = ""
) -> QuerySet[DeviceProfileStatus]:
    """A profile's statuses on the devices its report covers for the operator (optionally one
    status)."""
    records = DeviceProfileStatus.objects.filter(
        profile=profile, device__in=_reported_devices(operator, PROFILE_REPORTS)
    )
    if status:
        records = records.filter(status=status)
    return records.select_related("device", "profile").order_by("device__device_name", "pk")


def profile_status_counts(*, operator: User, profile: ConfigurationProfile) -> dict[str, int]:
    """How many devices of the profile's report have each status: one query."""
    counts = dict.fromkeys(ProfileStatus.values, 0)
    devices = _reported_devices(operator, PROFILE_REPORTS)
    rows = (
        DeviceProfileStatus.objects.filter(profile=profile, device__in=devices)
        .values("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


def tenant_groups(*, tenant_id: int) -> QuerySet[Group]:
    """The groups an assignment may name: the tenant's own."""
    return Group.objects.filter(tenant_id=tenant_id).order_by("display_name")


PAGE_SIZE = 50


@dataclass(frozen=True)
class StatusReport:
    """A policy's or profile's detail page: the chart of status counts and one page of devices."""

    chart: StatusChart
    page: Page[Any]
    rows: list[Any]
    status: str


def compliance_policy_report(
    *, operator: User, policy: CompliancePolicy, status: str = "", page_number: Any = None
) -> StatusReport | None:
    """The policy's device status report: counts and one page, with the failing settings (three
    queries), over the devices the operator may read and report on; None without
    ``DeviceCompliancePolicies.ViewReports``."""
    if not has_permission(operator, COMPLIANCE_REPORTS):
        return None
    status = status if status in PolicyStatus.values else ""
    counts = compliance_policy_status_counts(operator=operator, policy=policy)
    records = compliance_policy_statuses(operator=operator, policy=policy, status=status)
    page = Paginator(records, PAGE_SIZE).get_page(page_number)
    return StatusReport(
        chart=status_bars(counts, dict(PolicyStatus.choices)),
        page=page,
        rows=[compliance_row(record) for record in page.object_list],
        status=status,
    )


def profile_report(
    *, operator: User, profile: ConfigurationProfile, status: str = "", page_number: Any = None
) -> StatusReport | None:
    """The profile's device status report: counts and one page, with the reasons (three
    queries), over the devices the operator may read and report on; None without
    ``DeviceConfigurations.ViewReports``."""
    if not has_permission(operator, PROFILE_REPORTS):
        return None
    status = status if status in ProfileStatus.values else ""
    counts = profile_status_counts(operator=operator, profile=profile)
    records = profile_statuses(operator=operator, profile=profile, status=status)
    page = Paginator(records, PAGE_SIZE).get_page(page_number)
    return StatusReport(
        chart=status_bars(counts, dict(ProfileStatus.choices)),
        page=page,
        rows=[profile_row(record, record.device) for record in page.object_list],
        status=status,
    )
