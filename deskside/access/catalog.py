"""The permission catalog and the built-in roles (see shared/reference/permissions.md)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CATALOG: dict[str, tuple[str, ...]] = {
    "Organization": ("Read", "Update"),
    "Users": ("Read",),
    "ManagedDevices": ("Read", "Update", "Delete", "SetPrimaryUser", "ViewReports"),
    "MobileApps": ("Read", "Create", "Update", "Delete", "Assign"),
    "ManagedApps": ("Read", "Assign", "Wipe"),
    "DeviceCompliancePolicies": ("Read", "Create", "Update", "Delete", "Assign", "ViewReports"),
    "DeviceConfigurations": ("Read", "Create", "Update", "Delete", "Assign", "ViewReports"),
    "EnrollmentProgram": ("Read", "Update"),
    "Roles": ("Read", "Create", "Update", "Delete", "Assign"),
    "Audit": ("Read",),
    "RemoteTasks": (
        "SyncDevice",
        "RebootNow",
        "RemoteLock",
        "ShutDown",
        "Retire",
        "Wipe",
        "SetDeviceName",
        "LocateDevice",
        "CollectDiagnostics",
        "OfferRemoteAssistance",
    ),
    "RemoteAssistanceApp": ("ViewScreen", "TakeFullControl", "Elevation"),
    "RemoteAssistance": ("Read", "ViewReports", "Update"),
    "ServiceHealth": ("Read", "CreateCase"),
}

RESOURCE_LABELS: dict[str, Promise] = {
    "Organization": _("Organization"),
    "Users": _("Users"),
    "ManagedDevices": _("Managed devices"),
    "MobileApps": _("Mobile apps"),
    "ManagedApps": _("Managed apps (app protection)"),
    "DeviceCompliancePolicies": _("Device compliance policies"),
    "DeviceConfigurations": _("Device configurations"),
    "EnrollmentProgram": _("Enrollment"),
    "Roles": _("Roles"),
    "Audit": _("Audit data"),
    "RemoteTasks": _("Remote tasks"),
    "RemoteAssistanceApp": _("Remote help app"),
    "RemoteAssistance": _("Remote help"),
    "ServiceHealth": _("Service health and support cases"),
}

ALL_PERMISSIONS: tuple[str, ...] = tuple(
    f"{resource}.{action}" for resource, actions in CATALOG.items() for action in actions
)

# Actions that include the ones before them in CATALOG's order (Take full control includes View).
IMPLIED: dict[str, tuple[str, ...]] = {
    "RemoteAssistanceApp.TakeFullControl": ("RemoteAssistanceApp.ViewScreen",),
    "RemoteAssistanceApp.Elevation": (
        "RemoteAssistanceApp.ViewScreen",
        "RemoteAssistanceApp.TakeFullControl",
    ),
}


def expand(codes: set[str] | frozenset[str]) -> frozenset[str]:
    """The permissions a set of codes grants, implied ones included."""
    result = set(codes)
    for code in codes:
        result.update(IMPLIED.get(code, ()))
    return frozenset(result)


def _resource(name: str) -> tuple[str, ...]:
    return tuple(f"{name}.{action}" for action in CATALOG[name])


READS = tuple(code for code in ALL_PERMISSIONS if code.endswith(".Read"))

BUILTIN_ROLES: dict[str, tuple[Promise, Promise, tuple[str, ...]]] = {
    "administrator": (
        _("Administrator"),
        _("Everything in the tenant."),
        ALL_PERMISSIONS,
    ),
    "helpDeskOperator": (
        _("Help Desk Operator"),
        _("Troubleshoots users and devices, runs remote tasks and offers remote help."),
        (
            "Organization.Read",
            "Users.Read",
            "ManagedDevices.Read",
            "MobileApps.Read",
            "MobileApps.Assign",
            "ManagedApps.Read",
            "DeviceCompliancePolicies.Read",
            "DeviceConfigurations.Read",
            "EnrollmentProgram.Read",
            "Audit.Read",
            *_resource("RemoteTasks"),
            *_resource("RemoteAssistanceApp"),
            "RemoteAssistance.Read",
        ),
    ),
    "readOnlyOperator": (
        _("Read Only Operator"),
        _("Reads everything, changes nothing."),
        READS,
    ),
    "policyAndProfileManager": (
        _("Policy and Profile Manager"),
        _("Manages compliance policies, configuration profiles and enrollment restrictions."),
        (
            "Organization.Read",
            "ManagedDevices.Read",
            *_resource("DeviceCompliancePolicies"),
            *_resource("DeviceConfigurations"),
            *_resource("EnrollmentProgram"),
        ),
    ),
    "applicationManager": (
        _("Application Manager"),
        _("Manages apps and app protection."),
        (
            "Organization.Read",
            "ManagedDevices.Read",
            "DeviceConfigurations.Read",
            *_resource("MobileApps"),
            *_resource("ManagedApps"),
        ),
    ),
    "roleAdministrator": (
        _("Role Administrator"),
        _("Manages roles and role assignments; reads the rest."),
        tuple(dict.fromkeys((*_resource("Roles"), *READS))),
    ),
}
