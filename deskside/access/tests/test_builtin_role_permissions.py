"""Each built-in role grants exactly what shared/reference/permissions.md says, and nothing else."""

from __future__ import annotations

import pytest

from deskside.access.catalog import ALL_PERMISSIONS, BUILTIN_ROLES
from deskside.access.checks import has_permission
from deskside.access.models import Role

# (role, permissions it must grant, permissions it must deny)
EXPECTED = {
    "administrator": (ALL_PERMISSIONS, ()),
    "helpDeskOperator": (
        (
            "Users.Read",
            "ManagedDevices.Read",
            "MobileApps.Read",
            "MobileApps.Assign",
            "ManagedApps.Read",
            "DeviceCompliancePolicies.Read",
            "DeviceConfigurations.Read",
            "EnrollmentProgram.Read",
            "Audit.Read",
            "RemoteTasks.RebootNow",
            "RemoteTasks.Wipe",
            "RemoteTasks.OfferRemoteAssistance",
            "RemoteAssistanceApp.Elevation",
            "RemoteAssistance.Read",
        ),
        (
            "ManagedDevices.Delete",
            "MobileApps.Create",
            "MobileApps.Delete",
            "DeviceCompliancePolicies.Create",
            "DeviceConfigurations.Delete",
            "Roles.Read",
            "Roles.Create",
            "Organization.Update",
            "ServiceHealth.Read",
            "ServiceHealth.CreateCase",
        ),
    ),
    "readOnlyOperator": (
        tuple(code for code in ALL_PERMISSIONS if code.endswith(".Read")),
        tuple(code for code in ALL_PERMISSIONS if not code.endswith(".Read")),
    ),
    "policyAndProfileManager": (
        (
            "DeviceCompliancePolicies.Delete",
            "DeviceConfigurations.Assign",
            "EnrollmentProgram.Update",
            "ManagedDevices.Read",
        ),
        ("MobileApps.Read", "Roles.Read", "RemoteTasks.Wipe", "ManagedDevices.Update"),
    ),
    "applicationManager": (
        (
            "MobileApps.Create",
            "MobileApps.Assign",
            "ManagedApps.Wipe",
            "ManagedDevices.Read",
            "DeviceConfigurations.Read",
        ),
        (
            "DeviceConfigurations.Update",
            "DeviceCompliancePolicies.Read",
            "Roles.Read",
            "RemoteTasks.SyncDevice",
        ),
    ),
    "roleAdministrator": (
        ("Roles.Create", "Roles.Delete", "Roles.Assign", "Audit.Read", "Users.Read"),
        ("Organization.Update", "RemoteTasks.SyncDevice", "MobileApps.Create"),
    ),
}


def test_every_builtin_role_is_covered_here() -> None:
    assert set(EXPECTED) == set(BUILTIN_ROLES)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_the_builtin_role_rows_match_the_catalog(key: str) -> None:
    role = Role.objects.get(builtin_key=key)
    assert role.tenant is None
    assert set(role.permissions.values_list("code", flat=True)) == set(BUILTIN_ROLES[key][2])


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_builtin_role_grants_and_denies_as_documented(key, personas, make_operator) -> None:
    operator = make_operator(role_key=key)
    granted, denied = EXPECTED[key]
    assert [code for code in granted if not has_permission(operator, code)] == []
    assert [code for code in denied if has_permission(operator, code)] == []


def test_full_control_implies_view_screen(personas, make_operator) -> None:
    operator = make_operator(permissions=["RemoteAssistanceApp.TakeFullControl"])
    assert has_permission(operator, "RemoteAssistanceApp.ViewScreen")
    assert not has_permission(operator, "RemoteAssistanceApp.Elevation")


def test_an_unknown_permission_code_is_a_programming_error(personas) -> None:
    with pytest.raises(ValueError, match="not in the permission catalog"):
        has_permission(personas.admin, "Users.Write")
