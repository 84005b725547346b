"""Registrations through POST /api/v1/app-protection/registrations, as a protected app makes
them: authenticated as the user with a real OAuth 2.0 access token (authorization code + PKCE,
scope managedApps, the protected apps' client). The same user, app and device update one
registration; the answer lists the policies that apply; refusals name what was wrong."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deskside.apps.models import AppRegistration
from deskside.apps.services import protection_policy_assign, protection_policy_create
from deskside.apps.tests.helpers import access_token
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.services import user_update
from deskside.fleet.models import ManagedDevice
from deskside.fleet.oauth import AGENT_CLIENT_ID, agent_application_ensure

URL = "/api/v1/app-protection/registrations"
OUTLOOK = "com.microsoft.outlook"

pytestmark = pytest.mark.usefixtures("protected_apps_client")


def _body(**changes: Any) -> dict[str, Any]:
    return {
        "appIdentifier": OUTLOOK,
        "appName": "Outlook",
        "appVersion": "4.2405.0",
        "deviceTag": "tag-anton-pixel",
        "deviceName": "Anton's Pixel",
        "deviceType": "Pixel 8",
        "platform": "Android",
        "platformVersion": "14",
        **changes,
    }


def _post(client: Client, token: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def _policy(personas, name: str, **fields: Any):  # type: ignore[no-untyped-def]
    values = {"platform": "Android", "apps": [OUTLOOK], **fields}
    return protection_policy_create(
        tenant=personas.tenant, display_name=name, actor=personas.admin, **values
    )


def test_a_protected_app_registers_and_gets_its_policies(client, personas) -> None:
    applies = _policy(personas, "Android baseline", minimum_app_version="4.2")
    protection_policy_assign(policy=applies, group=personas.amsterdam, actor=personas.admin)
    # Not for this app: another platform, another app, not assigned, enrolled devices only.
    for name, fields in [
        ("iOS baseline", {"platform": "iOS"}),
        ("Teams only", {"apps": ["com.microsoft.teams"]}),
        ("Not deployed", {}),
        ("Enrolled devices only", {"management_level": "mdm"}),
    ]:
        policy = _policy(personas, name, **fields)
        if name != "Not deployed":
            protection_policy_assign(policy=policy, group=personas.sales, actor=personas.admin)

    response = _post(client, access_token(client, personas.amsterdam_user), _body())

    assert response.status_code == 201, response.content
    registration = AppRegistration.objects.get()
    assert (registration.user, registration.tenant, registration.app_identifier) == (
        personas.amsterdam_user,
        personas.tenant,
        OUTLOOK,
    )
    assert registration.managed_device is None
    answer = response.json()
    assert answer["registrationId"] == registration.pk
    assert [p["displayName"] for p in answer["policies"]] == ["Android baseline"]
    assert answer["policies"][0] == {
        "policyId": applies.pk,
        "displayName": "Android baseline",
        "platform": "Android",
        "targetedAppManagementLevels": "unspecified",
        "pinRequired": True,
        "allowedOutboundClipboardSharingLevel": "managedApps",
        "dataBackupBlocked": True,
        "minimumRequiredAppVersion": "4.2",
        "periodOfflineBeforeAccessCheckMinutes": 720,
        "lastModifiedDateTime": answer["policies"][0]["lastModifiedDateTime"],
    }
    event = AuditEvent.objects.get(action=Action.APP_REGISTRATION_CREATED)
    assert (event.actor, event.target_id) == (personas.amsterdam_user, str(registration.pk))


def test_checking_in_again_updates_the_same_registration(client, personas) -> None:
    token = access_token(client, personas.amsterdam_user)
    first = _post(client, token, _body())
    synced = AppRegistration.objects.get().last_sync_at
    again = _post(client, token, _body(appVersion="4.2406.1", flaggedReasons=["rootedDevice"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["registrationId"] == first.json()["registrationId"]
    registration = AppRegistration.objects.get()
    assert (registration.app_version, registration.flagged_reasons) == (
        "4.2406.1",
        ["rootedDevice"],
    )
    assert registration.last_sync_at > synced
    assert AuditEvent.objects.filter(action=Action.APP_REGISTRATION_CREATED).count() == 1


def test_another_device_is_another_registration(client, personas) -> None:
    token = access_token(client, personas.amsterdam_user)
    _post(client, token, _body())
    assert _post(client, token, _body(deviceTag="tag-anton-ipad")).status_code == 201
    assert AppRegistration.objects.count() == 2


def test_an_enrolled_device_of_the_user_gets_the_enrolled_policies(client, personas) -> None:
    policy = _policy(personas, "Enrolled devices only", management_level="mdm")
    protection_policy_assign(policy=policy, group=personas.sales, actor=personas.admin)
    device = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="ANTON-PIXEL",
        operating_system="Android",
        primary_user=personas.amsterdam_user,
    )
    token = access_token(client, personas.amsterdam_user)
    response = _post(client, token, _body(managedDeviceId=device.pk))
    assert response.status_code == 201
    assert [p["displayName"] for p in response.json()["policies"]] == ["Enrolled devices only"]
    assert AppRegistration.objects.get().managed_device == device


@pytest.mark.parametrize("owner", ["lyon_user", None])
def test_a_device_that_is_not_the_users_is_a_422(client, personas, owner) -> None:
    device = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="SOMEONE-ELSE",
        operating_system="Android",
        primary_user=getattr(personas, owner) if owner else None,
    )
    token = access_token(client, personas.amsterdam_user)
    response = _post(client, token, _body(managedDeviceId=device.pk))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("managedDeviceId:")
    assert not AppRegistration.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"appIdentifier": "not an id"}, "appIdentifier"),
        ({"platform": "Linux"}, "platform"),
        ({"deviceTag": ""}, "deviceTag"),
        ({"flaggedReasons": ["tooOld"]}, "flaggedReasons"),
        ({"appName": None}, "appName"),
    ],
)
def test_a_malformed_registration_is_a_422_naming_the_field(
    client, personas, change, field
) -> None:
    token = access_token(client, personas.amsterdam_user)
    response = _post(client, token, _body(**change))
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    assert not AppRegistration.objects.exists()


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_without_a_valid_token_it_is_a_401(client, personas, token) -> None:
    response = _post(client, token, _body())
    assert response.status_code == 401
    assert not AppRegistration.objects.exists()


def test_a_token_of_a_disabled_user_is_a_401(client, personas) -> None:
    token = access_token(client, personas.amsterdam_user)
    user_update(user=personas.amsterdam_user, actor=personas.admin, account_enabled=False)
    assert _post(client, token, _body()).status_code == 401
    assert not AppRegistration.objects.exists()


def test_an_unlicensed_user_is_a_403(client, personas) -> None:
    token = access_token(client, personas.unlicensed)
    response = _post(client, token, _body())
    assert response.status_code == 403
    assert "licence" in response.json()["detail"]
    assert not AppRegistration.objects.exists()


def test_a_token_for_enrollment_is_not_enough(client, personas) -> None:
    token = access_token(client, personas.amsterdam_user, scope="enroll")
    assert _post(client, token, _body()).status_code == 401


def test_the_agents_token_is_not_a_protected_apps_token(client, personas) -> None:
    agent_application_ensure()
    token = access_token(
        client, personas.amsterdam_user, client_id=AGENT_CLIENT_ID, scope="managedApps"
    )
    assert _post(client, token, _body()).status_code == 401
    assert not AppRegistration.objects.exists()


def test_the_endpoint_is_in_the_openapi_document(client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/app-protection/registrations"]["post"]
    assert {"200", "201", "401", "403", "422"} <= set(operation["responses"])
