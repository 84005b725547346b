"""Rows for the fleet portal's page tests and page matrix: devices and enrollment objects of the
personas' tenant, made directly (the enrollment API is exercised in the tests that need it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from deskside.directory.models import Group, User
from deskside.fleet.models import (
    DeploymentProfile,
    EnrollmentFailure,
    EnrollmentRestriction,
    ManagedDevice,
)


def device(personas: Any, name: str, user: User | None = None, **fields: Any) -> ManagedDevice:
    """A managed device of the personas' tenant (the same one again for the same name)."""
    defaults = {
        "operating_system": "Linux",
        "os_version": "12.8",
        "primary_user": user,
        "enrolled_at": timezone.now() - timedelta(days=3),
        "last_sync_at": timezone.now(),
        "enrollment_method": "user",
        **fields,
    }
    made, _ = ManagedDevice.objects.get_or_create(
        tenant=personas.tenant, device_name=name, defaults=defaults
    )
    return made


def amsterdam_device(personas: Any) -> ManagedDevice:
    return device(personas, "AMS-LAPTOP-1", personas.amsterdam_user)


def lyon_device(personas: Any) -> ManagedDevice:
    return device(personas, "LYON-LAPTOP-1", personas.lyon_user)


def failure(
    personas: Any, user: User | None, reason: str = "DeviceLimitReached"
) -> EnrollmentFailure:
    """An enrollment failure of the personas' tenant (of ``user``, or without one)."""
    made, _ = EnrollmentFailure.objects.get_or_create(
        tenant=personas.tenant,
        user=user,
        reason=reason,
        defaults={
            "started_at": timezone.now() - timedelta(minutes=5),
            "operating_system": "Windows",
            "os_version": "10.0.22631",
            "details": "5 of 5 (Default)",
            "method": "user" if user else "bulkToken",
            "device_facts": {"device_name": "NEW-PC", "serial_number": "SN-NEW"},
        },
    )
    return made


def restriction(personas: Any, name: str = "Sales laptops") -> EnrollmentRestriction:
    made, _ = EnrollmentRestriction.objects.get_or_create(
        tenant=personas.tenant, name=name, defaults={"priority": 1}
    )
    return made


def profile(personas: Any, name: str = "Kiosk devices") -> DeploymentProfile:
    made, _ = DeploymentProfile.objects.get_or_create(
        tenant=personas.tenant, name=name, defaults={"allowed_methods": ["preProvisioned"]}
    )
    return made


def grant(
    personas: Any,
    user: User,
    permissions: list[str],
    *,
    scope_groups: list[Group] | None = None,
    name: str = "Custom",
) -> None:
    """Give ``user`` a custom role of ``permissions`` through a group of their own, over
    ``scope_groups`` (None: every user and device). Call it again with another ``name`` to
    add an assignment of other permissions and another scope."""
    from deskside.access.choices import ScopeKind
    from deskside.access.services import role_assignment_create, role_create
    from deskside.directory.services import group_create, group_member_add

    role = role_create(
        tenant=personas.tenant,
        name=name,
        description="",
        permissions=permissions,
        actor=personas.admin,
    )
    members = group_create(tenant=personas.tenant, display_name=f"{name} holders", actor=None)
    group_member_add(group=members, member=user, actor=None)
    scope: dict[str, Any] = (
        {"scope_kind": ScopeKind.ALL_USERS_AND_DEVICES}
        if scope_groups is None
        else {"scope_kind": ScopeKind.GROUPS, "scope_groups": scope_groups}
    )
    role_assignment_create(
        tenant=personas.tenant,
        name=name,
        role=role,
        member_groups=[members],
        actor=None,
        **scope,
    )
