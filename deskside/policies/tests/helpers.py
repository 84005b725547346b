"""Helpers for the policies tests: policies and profiles made through the services."""

from __future__ import annotations

from typing import Any

from deskside.directory.models import Group, Tenant
from deskside.policies.models import CompliancePolicy, ConfigurationProfile
from deskside.policies.selectors import COMPLIANCE_REPORTS, PROFILE_REPORTS
from deskside.policies.services import (
    compliance_policy_assign,
    compliance_policy_create,
    profile_assign,
    profile_create,
)

PASSPHRASE = "correct-horse-battery"
PEER_KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="


def policy(
    tenant: Tenant,
    groups: list[Group],
    *,
    name: str = "Baseline",
    exclude: list[Group] | None = None,
    **rules: Any,
) -> CompliancePolicy:
    """A Linux compliance policy with ``rules``, assigned to ``groups``."""
    rules.setdefault("platform", "Linux")
    made = compliance_policy_create(tenant=tenant, name=name, actor=None, **rules)
    if groups or exclude:
        admin = None
        compliance_policy_assign(
            policy=made,
            include_groups=groups,
            exclude_groups=exclude or [],
            actor=admin,  # type: ignore[arg-type]
        )
    return made


def wifi(
    tenant: Tenant,
    groups: list[Group],
    *,
    name: str = "Office Wi-Fi",
    ssid: str = "Lakeside",
    passphrase: str = PASSPHRASE,
    security: str = "wpa2Personal",
    platform: str = "Linux",
    hidden: bool = False,
) -> ConfigurationProfile:
    made = profile_create(
        tenant=tenant,
        name=name,
        platform=platform,
        profile_type="wifi",
        settings={"ssid": ssid, "security": security, "hidden": hidden},
        secrets={"passphrase": passphrase},
        actor=None,
    )
    if groups:
        profile_assign(profile=made, include_groups=groups, actor=None)  # type: ignore[arg-type]
    return made


def custom(
    tenant: Tenant,
    groups: list[Group],
    settings: dict[str, str],
    *,
    name: str = "Custom",
    platform: str = "Linux",
) -> ConfigurationProfile:
    made = profile_create(
        tenant=tenant,
        name=name,
        platform=platform,
        profile_type="custom",
        settings=settings,
        actor=None,
    )
    if groups:
        profile_assign(profile=made, include_groups=groups, actor=None)  # type: ignore[arg-type]
    return made


def checked_in(client: Any, credential: str, **changes: Any) -> dict[str, Any]:
    """Check in through the API with the default facts changed by ``facts=`` and the report's
    other keys; the answer, which must be a 200."""
    from deskside.fleet.tests.checkins import check_in, facts, report

    body = report(facts=facts(**changes.pop("facts", {})), **changes)
    response = check_in(client, credential, body)
    assert response.status_code == 200, response.content
    return dict(response.json())


def grant(personas: Any, user: Any, *, role_key: str | None = None, permissions: Any = ()) -> None:
    """Give ``user`` a built-in role (``role_key``) or a custom role of ``permissions``, over all
    users and devices, through a group of their own."""
    from deskside.access.models import Role
    from deskside.access.services import role_assignment_create, role_create
    from deskside.directory.services import group_create, group_member_add

    if role_key is not None:
        role = Role.objects.get(builtin_key=role_key)
    else:
        role = role_create(
            tenant=personas.tenant,
            name=f"Custom for {user.email}",
            description="",
            permissions=list(permissions),
            actor=personas.admin,
        )
    members = group_create(tenant=personas.tenant, display_name=f"Holders {user.pk}", actor=None)
    group_member_add(group=members, member=user, actor=None)
    role_assignment_create(
        tenant=personas.tenant,
        name=f"Grant {user.pk} {role.pk}",
        role=role,
        member_groups=[members],
        scope_kind="allUsersAndDevices",
        actor=None,
    )


def device_in(client: Any, group: Any, name: str, **facts: Any) -> Any:
    """A Linux device enrolled and checked in through the API, a member of ``group``."""
    from deskside.fleet.models import ManagedDevice
    from deskside.fleet.services import group_device_add
    from deskside.fleet.tests.checkins import enroll

    device_id, credential = enroll(client, deviceName=name, serialNumber=f"SN-{name}")
    device = ManagedDevice.objects.get(pk=device_id)
    group_device_add(group=group, device=device, actor=None)
    checked_in(
        client, credential, facts={"deviceName": name, "serialNumber": f"SN-{name}", **facts}
    )
    device.refresh_from_db()
    return device


def grant_reports(tenant: Tenant, members: Group, scope_groups: list[Group]) -> None:
    """A custom role with the policy and profile reports (and the reads they sit on) for the
    users of ``members``, over the devices of ``scope_groups``."""
    from deskside.access.choices import ScopeKind
    from deskside.access.services import role_assignment_create, role_create

    role = role_create(
        tenant=tenant,
        name="Report reader",
        description="",
        permissions=[
            "ManagedDevices.Read",
            "DeviceCompliancePolicies.Read",
            "DeviceConfigurations.Read",
            COMPLIANCE_REPORTS,
            PROFILE_REPORTS,
        ],
        actor=None,  # type: ignore[arg-type]
    )
    role_assignment_create(
        tenant=tenant,
        name="Reports",
        role=role,
        member_groups=[members],
        scope_kind=ScopeKind.GROUPS,
        scope_groups=scope_groups,
        actor=None,
    )
