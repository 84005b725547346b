"""Seed and read a served Deskside's database through Deskside's own code, for the agent tests.

Run with the served process's environment (the same DESKSIDE_DATABASE_URL):

    python -m deskside_agent.tests.seed COMMAND '{"json": "arguments"}'

It prints one JSON document on stdout. The commands are the functions named ``cmd_*``. With
``--serve`` it stays up and answers one JSON line (``{"command": ..., "args": {...}}``) per line
on stdin with ``{"result": ...}`` or ``{"error": "traceback"}``, so that tests pay for Django's
start once per server.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from typing import Any

TOKEN = "bulk-token-for-the-agent-tests-0123456789"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    import django

    django.setup()


def cmd_base(args: dict[str, Any]) -> dict[str, Any]:
    """The test personas' tenant (deskside/conftest.py), onboarded for enrollment: settings, a
    default restriction, a bulk token, a deployment profile allowing pre-provisioned enrollment."""
    from django.utils import timezone

    from deskside.conftest import PASSWORD, build_personas
    from deskside.fleet.enrollment import token_hash
    from deskside.fleet.models import (
        BulkEnrollmentToken,
        DeploymentProfile,
        EnrollmentRestriction,
        EnrollmentSettings,
    )
    from deskside.fleet.oauth import agent_application_ensure

    personas = build_personas()
    tenant = personas.tenant
    agent_application_ensure()
    EnrollmentSettings.objects.create(
        tenant=tenant,
        management_authority_set=True,
        apple_push_certificate_expires_at=timezone.now() + timedelta(days=90),
    )
    EnrollmentRestriction.objects.create(tenant=tenant, name="Default", is_default=True)
    BulkEnrollmentToken.objects.create(
        tenant=tenant,
        name="Agent tests",
        token_hash=token_hash(TOKEN),
        expires_at=timezone.now() + timedelta(days=30),
    )
    DeploymentProfile.objects.create(
        tenant=tenant, name="Kiosks", allowed_methods=["preProvisioned", "bulkToken"]
    )
    return {"token": TOKEN, "domain": "lakeside.test", "password": PASSWORD}


def cmd_register(args: dict[str, Any]) -> dict[str, Any]:
    """Register a hardware id for pre-provisioned enrollment."""
    from deskside.fleet.models import DeploymentProfile, PreprovisionedDevice

    profile = DeploymentProfile.objects.get(name="Kiosks")
    row = PreprovisionedDevice.objects.create(
        tenant=profile.tenant, hardware_id=args["hardwareId"], profile=profile
    )
    return {"id": row.pk}


def cmd_expire_token(args: dict[str, Any]) -> dict[str, Any]:
    from django.utils import timezone

    from deskside.fleet.models import BulkEnrollmentToken

    BulkEnrollmentToken.objects.update(expires_at=timezone.now() - timedelta(days=1))
    return {}


def cmd_device(args: dict[str, Any]) -> dict[str, Any]:
    """What the server stored about one device."""
    from deskside.fleet.models import ManagedDevice

    device = ManagedDevice.objects.select_related("primary_user").get(pk=args["deviceId"])
    return {
        "deviceName": device.device_name,
        "operatingSystem": device.operating_system,
        "osVersion": device.os_version,
        "serialNumber": device.serial_number,
        "hardwareId": device.hardware_id,
        "isEncrypted": device.is_encrypted,
        "firewallEnabled": device.firewall_enabled,
        "screenLockEnabled": device.screen_lock_enabled,
        "freeStorageSpaceInBytes": device.free_storage_bytes,
        "totalStorageSpaceInBytes": device.total_storage_bytes,
        "complianceState": device.compliance_state,
        "managementState": device.management_state,
        "agentVersion": device.agent_version,
        "enrollmentMethod": device.enrollment_method,
        "primaryUser": device.primary_user.email if device.primary_user else None,
        "lastReportId": str(device.last_report_id) if device.last_report_id else None,
        "lastSyncAt": device.last_sync_at.isoformat() if device.last_sync_at else None,
    }


def cmd_failures(args: dict[str, Any]) -> dict[str, Any]:
    from deskside.fleet.models import EnrollmentFailure

    return {"reasons": list(EnrollmentFailure.objects.values_list("reason", flat=True))}


def _admin() -> Any:
    from deskside.directory.models import User

    return User.objects.get(email="admin@lakeside.test")


def cmd_device_group(args: dict[str, Any]) -> dict[str, Any]:
    """A group of the device's own, so that a test's assignments reach only its device."""
    from deskside.directory.services import group_create
    from deskside.fleet.models import ManagedDevice
    from deskside.fleet.services import group_device_add

    device = ManagedDevice.objects.get(pk=args["deviceId"])
    group = group_create(tenant=device.tenant, display_name=f"Device {device.pk}", actor=_admin())
    group_device_add(group=group, device=device, actor=_admin())
    return {"groupId": group.pk}


def cmd_app(args: dict[str, Any]) -> dict[str, Any]:
    """Add an app to the catalog (apps.services) and assign it to a group with an intent."""
    from deskside.apps.services import app_assignment_create, mobile_app_create
    from deskside.directory.models import Group

    group = Group.objects.get(pk=args.pop("groupId"))
    intent = args.pop("intent")
    app = mobile_app_create(tenant=group.tenant, actor=_admin(), **args)
    app_assignment_create(app=app, group=group, intent=intent, actor=_admin())
    return {"appId": app.pk}


def cmd_app_states(args: dict[str, Any]) -> dict[str, Any]:
    """The device's install state of each app, as the server stored the agent's results."""
    from deskside.apps.models import DeviceAppState

    rows = DeviceAppState.objects.filter(device_id=args["deviceId"])
    return {
        str(row.app_id): {
            "installState": row.install_state,
            "errorCode": row.error_code,
            "detail": row.detail,
            "version": row.installed_version,
        }
        for row in rows
    }


def cmd_inventory(args: dict[str, Any]) -> dict[str, Any]:
    from deskside.apps.models import DeviceInventoryItem

    items = DeviceInventoryItem.objects.filter(device_id=args["deviceId"])
    return {"items": sorted([i.name, i.version, i.publisher] for i in items)}


def cmd_action(args: dict[str, Any]) -> dict[str, Any]:
    """An action's state as stored (also for a device that left every operator's scope)."""
    from deskside.fleet.models import DeviceAction

    action = DeviceAction.objects.get(pk=args["actionId"], device_id=args["deviceId"])
    return {"actionState": action.state, "resultDetail": action.result_detail}


def cmd_audit_count(args: dict[str, Any]) -> dict[str, Any]:
    """How many audit events of a kind name the action (details.actionId)."""
    from deskside.audit.models import AuditEvent

    events = AuditEvent.objects.filter(action=args["action"], details__actionId=args["actionId"])
    return {"count": events.count()}


def cmd_compliance_policy(args: dict[str, Any]) -> dict[str, Any]:
    """A compliance policy (policies.services), assigned to a group."""
    from deskside.directory.models import Group
    from deskside.policies.services import compliance_policy_assign, compliance_policy_create

    group = Group.objects.get(pk=args.pop("groupId"))
    policy = compliance_policy_create(tenant=group.tenant, actor=_admin(), **args)
    compliance_policy_assign(policy=policy, include_groups=[group], actor=_admin())
    return {"policyId": policy.pk}


def cmd_compliance(args: dict[str, Any]) -> dict[str, Any]:
    """The device's compliance state and the status of each of its policies."""
    from deskside.fleet.models import ManagedDevice
    from deskside.policies.models import DeviceComplianceStatus

    device = ManagedDevice.objects.get(pk=args["deviceId"])
    rows = DeviceComplianceStatus.objects.filter(device=device)
    return {
        "complianceState": device.compliance_state,
        "policies": {str(row.policy_id): row.status for row in rows},
    }


def cmd_profile(args: dict[str, Any]) -> dict[str, Any]:
    """A configuration profile (policies.services), assigned to a group."""
    from deskside.directory.models import Group
    from deskside.policies.services import profile_assign, profile_create

    group = Group.objects.get(pk=args.pop("groupId"))
    profile = profile_create(tenant=group.tenant, actor=_admin(), **args)
    profile_assign(profile=profile, include_groups=[group], actor=_admin())
    return {"profileId": profile.pk, "version": profile.version}


def cmd_profile_update(args: dict[str, Any]) -> dict[str, Any]:
    from deskside.policies.models import ConfigurationProfile
    from deskside.policies.services import profile_update

    profile = ConfigurationProfile.objects.get(pk=args.pop("profileId"))
    profile = profile_update(
        profile=profile,
        name=args.get("name", profile.name),
        platform=profile.platform,
        settings=args["settings"],
        secrets=args.get("secrets"),
        actor=_admin(),
    )
    return {"version": profile.version}


def cmd_profile_unassign(args: dict[str, Any]) -> dict[str, Any]:
    from deskside.policies.models import ConfigurationProfile
    from deskside.policies.services import profile_assign

    profile = ConfigurationProfile.objects.get(pk=args["profileId"])
    profile_assign(profile=profile, include_groups=[], actor=_admin())
    return {}


def cmd_profile_states(args: dict[str, Any]) -> dict[str, Any]:
    """The device's status of each profile, as the server stored the agent's results."""
    from deskside.policies.models import DeviceProfileStatus

    rows = DeviceProfileStatus.objects.filter(device_id=args["deviceId"])
    return {
        str(row.profile_id): {"status": row.status, "version": row.version, "detail": row.detail}
        for row in rows
    }


def _run(command: str, args: dict[str, Any]) -> Any:
    handler = globals().get(f"cmd_{command.replace('-', '_')}")
    if handler is None:
        raise SystemExit(f"unknown seed command {command!r}")
    return handler(args)


def serve() -> None:
    import contextlib
    import traceback

    from django.db import connection

    replies = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        try:
            with contextlib.redirect_stdout(sys.stderr):
                reply = {"result": _run(request["command"], request.get("args", {}))}
        except Exception:  # noqa: BLE001 - the test that asked gets the traceback
            reply = {"error": traceback.format_exc()}
        finally:
            connection.close()
        replies.write(json.dumps(reply, default=str) + "\n")
        replies.flush()


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        _setup()
        serve()
        return
    command = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    _setup()
    print(json.dumps(_run(command, args), default=str))


if __name__ == "__main__":
    main()
