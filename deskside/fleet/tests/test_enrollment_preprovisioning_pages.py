"""Deployment profiles and pre-provisioned hardware ids: profiles made and changed; hardware ids
registered by pasting CSV, given a profile, removed (kept with a deletion time, so that the device's
enrollment is refused as AutopilotDeviceDeleted) and registered again; each change audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.models import DeploymentProfile, EnrollmentFailure, PreprovisionedDevice

PROFILES = "/enrollment/profiles/"
LIST = "/enrollment/preprovisioned/"
ADD = "/enrollment/preprovisioned/add/"


def _registered(tenant) -> dict[str, tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    return {
        device.hardware_id: (
            device.serial_number,
            device.profile.name if device.profile else "",
            device.deleted_at is not None,
        )
        for device in PreprovisionedDevice.objects.filter(tenant=tenant).select_related("profile")
    }


def _enroll_preprovisioned(client: Client, hardware_id: str) -> Any:
    body = {
        "method": "preProvisioned",
        "tenantDomain": "lakeside.test",
        "agentVersion": "1.2.0",
        "device": {
            "deviceName": "KIOSK-1",
            "operatingSystem": "Windows",
            "osVersion": "10.0.22631",
            "hardwareId": hardware_id,
            "serialNumber": "SN-KIOSK-1",
        },
    }
    return client.post("/api/v1/enrollment", body, content_type="application/json")


def test_an_administrator_makes_and_changes_a_deployment_profile(login, personas) -> None:
    client = login(personas.admin)
    created = client.post(
        f"{PROFILES}new/",
        {"name": "Kiosks", "allowed_methods": ["preProvisioned", "bulkToken"], "active": "on"},
    )
    assert created.status_code == 302
    profile = DeploymentProfile.objects.get()
    assert (profile.allowed_methods, profile.active) == (["bulkToken", "preProvisioned"], True)
    edited = client.post(
        f"{PROFILES}{profile.pk}/edit/", {"name": "Kiosk PCs", "allowed_methods": ["user"]}
    )
    assert edited.status_code == 302
    profile.refresh_from_db()
    assert (profile.name, profile.allowed_methods, profile.active) == ("Kiosk PCs", ["user"], False)
    events = AuditEvent.objects.filter(target_type="fleet.deploymentprofile", target_id=profile.pk)
    actions = events.values_list("action", flat=True)
    assert sorted(actions) == [Action.DEPLOYMENT_PROFILE_CREATED, Action.DEPLOYMENT_PROFILE_UPDATED]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "No methods"}, "This field is required."),
        ({"name": "Odd", "allowed_methods": ["carrierPigeon"]}, "Select a valid choice."),
        ({"name": "", "allowed_methods": ["user"]}, "This field is required."),
    ],
)
def test_a_bad_profile_is_a_400(login, personas, data, message) -> None:
    response = login(personas.admin).post(f"{PROFILES}new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DeploymentProfile.objects.exists()


def test_pasted_hardware_ids_are_registered_with_the_chosen_profile(
    login, personas, enrollment
) -> None:
    rows = "hardwareId,serialNumber\nHW-A,SN-A\n\nHW-B\n  HW-C , SN-C \nHW-KIOSK-1,SN-KIOSK-1\n"
    response = login(personas.admin).post(ADD, {"rows": rows, "profile": enrollment.profile.pk})
    assert response.status_code == 302
    assert _registered(personas.tenant) == {
        "HW-A": ("SN-A", "Kiosks", False),
        "HW-B": ("", "Kiosks", False),
        "HW-C": ("SN-C", "Kiosks", False),
        "HW-KIOSK-1": ("SN-KIOSK-1", "Kiosks", False),
    }
    added = AuditEvent.objects.filter(action=Action.PREPROVISIONED_DEVICE_ADDED)
    assert sorted(added.values_list("target_label", flat=True)) == ["HW-A", "HW-B", "HW-C"]
    page = login(personas.admin).get(LIST)
    assert "3 added, 0 registered again, 1 already there." in page.content.decode()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("HW-A,SN-A\nHW-B,SN-B,extra\n", "Line 2: expected hardwareId,serialNumber."),
        ("HW-A\n,SN-X\n", "Line 2: the hardware id is empty."),
        ("HW-A\nHW-B\nHW-A\n", "Line 3: the hardware id is already on line 1."),
        ("HW-" + "x" * 200, "Line 1: a value is too long."),
        ("hardwareId,serialNumber\n", "Paste at least one hardware id."),
    ],
)
def test_a_bad_paste_registers_nothing_and_names_the_line(login, personas, rows, message) -> None:
    response = login(personas.admin).post(ADD, {"rows": rows})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PreprovisionedDevice.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.PREPROVISIONED_DEVICE_ADDED).exists()


def test_a_profile_of_another_tenant_cannot_be_chosen(login, personas) -> None:
    theirs = DeploymentProfile.objects.create(
        tenant=personas.other_tenant, name="Theirs", allowed_methods=["user"]
    )
    response = login(personas.admin).post(ADD, {"rows": "HW-A", "profile": theirs.pk})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not PreprovisionedDevice.objects.exists()


def test_assigning_a_profile_to_a_registered_device(login, personas, enrollment) -> None:
    other = DeploymentProfile.objects.create(
        tenant=personas.tenant, name="Shared PCs", allowed_methods=["preProvisioned"]
    )
    client = login(personas.admin)
    url = f"/enrollment/preprovisioned/{enrollment.registered.pk}/profile/"
    assert client.post(url, {"profile": other.pk}).status_code == 302
    assert _registered(personas.tenant)["HW-KIOSK-1"][1] == "Shared PCs"
    assert client.post(url, {"profile": ""}).status_code == 302
    assert _registered(personas.tenant)["HW-KIOSK-1"][1] == ""
    events = AuditEvent.objects.filter(action=Action.PREPROVISIONED_DEVICE_PROFILE_ASSIGNED)
    assert [event.details["profile"] for event in events.order_by("id")] == ["Shared PCs", ""]
    refused = client.post(url, {"profile": "999999"})
    assert refused.status_code == 400
    assert "Deployment profile: Select a valid choice." in refused.content.decode()


def test_a_removed_device_is_refused_as_deleted_until_registered_again(
    client, login, personas, enrollment
) -> None:
    admin = login(personas.admin)
    remove = f"/enrollment/preprovisioned/{enrollment.registered.pk}/remove/"
    assert admin.post(remove).status_code == 302
    enrollment.registered.refresh_from_db()
    assert enrollment.registered.deleted_at is not None
    assert AuditEvent.objects.filter(
        action=Action.PREPROVISIONED_DEVICE_REMOVED, target_id=str(enrollment.registered.pk)
    ).exists()
    assert "HW-KIOSK-1" not in admin.get(LIST).content.decode()
    assert "HW-KIOSK-1" in admin.get(LIST, {"removed": "1"}).content.decode()
    assert admin.post(remove).status_code == 400  # already removed
    admin.logout()

    refused = _enroll_preprovisioned(client, "HW-KIOSK-1")
    assert refused.status_code == 403
    assert refused.json()["code"] == "AutopilotDeviceDeleted"
    assert EnrollmentFailure.objects.get().reason == "AutopilotDeviceDeleted"

    admin = login(personas.admin)
    again = admin.post(ADD, {"rows": "HW-KIOSK-1,SN-KIOSK-1", "profile": enrollment.profile.pk})
    assert again.status_code == 302
    assert _registered(personas.tenant)["HW-KIOSK-1"] == ("SN-KIOSK-1", "Kiosks", False)
    admin.logout()
    assert _enroll_preprovisioned(client, "HW-KIOSK-1").status_code == 201


def test_pre_provisioning_needs_enrollment_update(login, personas, enrollment) -> None:
    client = login(personas.helpdesk)
    pk = enrollment.registered.pk
    assert client.post(ADD, {"rows": "HW-NEW"}).status_code == 403
    assert client.post(f"/enrollment/preprovisioned/{pk}/remove/").status_code == 403
    assert (
        client.post(f"/enrollment/preprovisioned/{pk}/profile/", {"profile": ""}).status_code == 403
    )
    assert (
        client.post(f"{PROFILES}new/", {"name": "X", "allowed_methods": ["user"]}).status_code
        == 403
    )
    outsider = login(personas.outsider)
    assert outsider.post(f"/enrollment/preprovisioned/{pk}/remove/").status_code == 404
    assert _registered(personas.tenant) == {"HW-KIOSK-1": ("SN-KIOSK-1", "Kiosks", False)}
    assert DeploymentProfile.objects.filter(tenant=personas.tenant).count() == 1


def test_the_help_desk_reads_the_registered_devices_without_controls(
    login, personas, enrollment
) -> None:
    body = login(personas.helpdesk).get(LIST).content.decode()
    assert "HW-KIOSK-1" in body and "Kiosks" in body
    assert "Remove</button>" not in body and 'name="rows"' not in body
