"""Enrollment through the HTTP API: success, and every failure reason an unattended enrollment can
meet, each stored as an event and answered with its code and a translated message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.enrollment import token_hash
from deskside.fleet.models import (
    EnrollmentFailure,
    EnrollmentSession,
    EnrollmentSettings,
    ManagedDevice,
    PreprovisionedDevice,
)
from deskside.fleet.tests.conftest import TOKEN

URL = "/api/v1/enrollment"


def _device(**changes: Any) -> dict[str, Any]:
    return {
        "deviceName": "SCANNER-07",
        "operatingSystem": "Windows",
        "osVersion": "10.0.22631",
        "serialNumber": "SN-0007",
        "manufacturer": "Contour",
        "model": "Rugged 7",
        **changes,
    }


def _bulk(client: Client, language: str = "en", **changes: Any):  # type: ignore[no-untyped-def]
    body = {"method": "bulkToken", "bulkToken": TOKEN, "agentVersion": "1.2.0", "device": _device()}
    body.update(changes)
    return client.post(URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def _preprovisioned(client: Client, hardware_id: str = "HW-KIOSK-1"):  # type: ignore[no-untyped-def]
    body = {
        "method": "preProvisioned",
        "tenantDomain": "lakeside.test",
        "agentVersion": "1.2.0",
        "device": _device(deviceName="KIOSK-1", hardwareId=hardware_id, serialNumber="SN-KIOSK-1"),
    }
    return client.post(URL, body, content_type="application/json")


def _refused(response, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == code
    failure = EnrollmentFailure.objects.get()
    assert failure.reason == code
    assert not ManagedDevice.objects.exists()
    return body


def test_a_bulk_token_enrolls_a_corporate_device_with_a_credential(client, enrollment) -> None:
    response = _bulk(client)
    assert response.status_code == 201
    body = response.json()
    device = ManagedDevice.objects.get(pk=body["deviceId"])
    assert (device.owner_type, device.enrollment_method, device.primary_user) == (
        "company",
        "bulkToken",
        None,
    )
    assert device.credential_hash == token_hash(body["deviceCredential"])
    assert body["deviceCredential"] not in str(AuditEvent.objects.values_list("details"))
    assert AuditEvent.objects.filter(
        action=Action.DEVICE_ENROLLED, target_id=str(device.pk)
    ).exists()
    assert not EnrollmentFailure.objects.exists()


def test_a_registered_device_enrolls_pre_provisioned(client, enrollment) -> None:
    assert _preprovisioned(client).status_code == 201


@override_settings(DESKSIDE_MIN_AGENT_VERSION="2.0.0")
def test_an_old_agent_is_told_to_update(client, enrollment) -> None:
    body = _refused(_bulk(client), "EnrollmentAuthorizationFailed")
    assert body["minimumAgentVersion"] == "2.0.0"
    assert body["remediation"] == ["Update the Deskside agent on the device, then enroll again."]


def test_a_tenant_without_management_authority_is_not_onboarded(client, enrollment) -> None:
    EnrollmentSettings.objects.update(management_authority_set=False)
    _refused(_bulk(client), "TenantNotOnboarded")


def test_a_method_the_tenant_turned_off_is_not_supported(client, enrollment) -> None:
    EnrollmentSettings.objects.update(allow_bulk_enrollment=False)
    body = _refused(_bulk(client), "FeatureNotSupported")
    assert body["remediation"] == []


def test_ios_needs_a_valid_apple_push_certificate(client, enrollment) -> None:
    EnrollmentSettings.objects.update(apple_push_certificate_expires_at=timezone.now())
    _refused(
        _bulk(client, device=_device(operatingSystem="iOS", osVersion="17.4")), "AppleOnboarding"
    )


def test_an_expired_session_times_out(client, enrollment) -> None:
    started = client.post(
        f"{URL}/sessions", {"tenantDomain": "lakeside.test"}, content_type="application/json"
    )
    assert started.status_code == 201
    EnrollmentSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(_bulk(client, sessionId=started.json()["sessionId"]), "EnrollmentSessionTimeout")


def test_a_session_finished_in_time_is_completed(client, enrollment) -> None:
    started = client.post(
        f"{URL}/sessions", {"tenantDomain": "lakeside.test"}, content_type="application/json"
    )
    assert _bulk(client, sessionId=started.json()["sessionId"]).status_code == 201
    assert EnrollmentSession.objects.get().completed_at is not None


def test_an_expired_bulk_token(client, enrollment) -> None:
    enrollment.token.expires_at = timezone.now()
    enrollment.token.save()
    _refused(_bulk(client), "BulkTokenExpired")


def test_an_unregistered_hardware_id(client, enrollment) -> None:
    _refused(_preprovisioned(client, hardware_id="HW-UNKNOWN"), "AutopilotDeviceNotFound")


def test_a_device_removed_from_pre_provisioning(client, enrollment) -> None:
    PreprovisionedDevice.objects.update(deleted_at=timezone.now())
    _refused(_preprovisioned(client), "AutopilotDeviceDeleted")


def test_a_registered_device_without_an_active_profile(client, enrollment) -> None:
    enrollment.profile.active = False
    enrollment.profile.save()
    _refused(_preprovisioned(client), "AutopilotProfileNotAssigned")


def test_a_registered_device_using_a_method_its_profile_does_not_allow(client, enrollment) -> None:
    device = _device(hardwareId="HW-KIOSK-1", serialNumber="SN-KIOSK-1")
    _refused(_bulk(client, device=device), "AutopilotUnexpectedMethod")


@pytest.mark.parametrize(
    ("operating_system", "version"), [("Windows", "8.1"), ("iOS", "14.8"), ("Android", "banana")]
)
def test_an_unsupported_device(client, enrollment, operating_system, version) -> None:
    device = _device(operatingSystem=operating_system, osVersion=version)
    _refused(_bulk(client, device=device), "DeviceNotSupported")


def test_a_device_still_enrolled_elsewhere(client, enrollment, personas) -> None:
    ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="OLD-NAME",
        operating_system="Windows",
        serial_number="SN-0007",
        primary_user=personas.lyon_user,
    )
    response = _bulk(client)
    assert response.json()["code"] == "DeviceAlreadyEnrolled"
    assert EnrollmentFailure.objects.get().details == "OLD-NAME"


def test_a_blocked_platform(client, enrollment) -> None:
    enrollment.default.blocked_platforms = ["Windows"]
    enrollment.default.save()
    _refused(_bulk(client), "PlatformBlocked")


def test_os_versions_below_the_minimum_or_above_the_maximum(client, enrollment) -> None:
    enrollment.default.min_os_versions = {"Windows": "10.0.26100"}
    enrollment.default.save()
    _refused(_bulk(client), "OsVersionTooLow")
    EnrollmentFailure.objects.all().delete()
    enrollment.default.min_os_versions = {}
    enrollment.default.max_os_versions = {"Windows": "10.0.19045"}
    enrollment.default.save()
    _refused(_bulk(client), "OsVersionTooHigh")


def test_a_blocked_manufacturer_is_a_restriction_not_met(client, enrollment) -> None:
    enrollment.default.blocked_manufacturers = ["contour"]
    enrollment.default.save()
    body = _refused(_bulk(client), "EnrollmentRestrictionsNotMet")
    assert EnrollmentFailure.objects.get().details == "manufacturer Contour (Default)"
    assert body["title"] == "Enrollment restrictions not met"


def test_the_refusal_speaks_the_agents_language(client, enrollment) -> None:
    enrollment.default.blocked_platforms = ["Windows"]
    enrollment.default.save()
    body = _bulk(client, language="fr").json()
    assert body["title"] == "Plateforme bloquée"
    assert body["details"] == "Une restriction bloque la plateforme de l'appareil."


def test_the_failure_event_keeps_what_the_device_reported(client, enrollment) -> None:
    enrollment.default.blocked_platforms = ["Windows"]
    enrollment.default.save()
    _bulk(client)
    failure = EnrollmentFailure.objects.get()
    assert (failure.operating_system, failure.os_version, failure.method) == (
        "Windows",
        "10.0.22631",
        "bulkToken",
    )
    assert failure.device_facts["serial_number"] == "SN-0007"
    assert failure.tenant == enrollment.settings.tenant


def test_an_unknown_token_is_a_401_and_records_nothing(client, enrollment) -> None:
    response = _bulk(client, bulkToken="not-a-token")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown bulk enrollment token."}
    assert not EnrollmentFailure.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"device": _device(operatingSystem="BeOS")}, "operatingSystem"),
        ({"device": {**_device(), "colour": "red"}}, "colour"),
        ({"agentVersion": ""}, "agentVersion"),
        ({"method": "carrierPigeon"}, "method"),
        ({"sessionId": "not-a-uuid"}, "sessionId"),
    ],
)
def test_a_malformed_request_is_a_422_that_names_the_field(
    client, enrollment, change, field
) -> None:
    response = _bulk(client, **change)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    assert not ManagedDevice.objects.exists() and not EnrollmentFailure.objects.exists()


def test_the_openapi_document_describes_enrollment(client, db) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/enrollment", "/api/v1/enrollment/sessions"} <= set(document["paths"])
    responses = document["paths"]["/api/v1/enrollment"]["post"]["responses"]
    assert {"201", "401", "403"} <= set(responses)
