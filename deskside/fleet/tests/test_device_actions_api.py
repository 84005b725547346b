"""The operators' devices API: the portal session of a licensed operator, CSRF on writes, the
access check on every device (scoped list, 404 out of scope, 403 too weak a role), strict
schemas, and an OpenAPI document that says so."""

from __future__ import annotations

import pytest
from django.test import Client

from deskside.fleet.actions import device_action_request
from deskside.fleet.models import DeviceAction
from deskside.fleet.tests.action_helpers import BACKEND, make_device, make_devices, sign_in

LIST_COLUMNS = {
    "id",
    "deviceName",
    "managementAgent",
    "joinType",
    "managedDeviceOwnerType",
    "complianceState",
    "managementState",
    "operatingSystem",
    "osVersion",
    "lastSyncDateTime",
    "userPrincipalName",
    "userDisplayName",
}


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    return make_devices(personas)


def _names(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {item["deviceName"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("admin", {"anton-laptop", "louise-laptop"}),
        ("helpdesk", {"anton-laptop"}),
        ("reader", {"anton-laptop", "louise-laptop"}),
        ("outsider", {"elsewhere-01"}),  # its own tenant's devices only
    ],
)
def test_the_list_holds_the_devices_in_the_operators_scope(
    client, personas, devices, persona, names
) -> None:
    sign_in(client, personas, persona)
    assert _names(client.get("/api/v1/devices")) == names


@pytest.mark.parametrize(
    ("persona", "status"), [("anon", 401), ("nobody", 403), ("unlicensed", 403)]
)
def test_the_list_is_refused_without_a_licence_or_a_role(
    client, personas, devices, persona, status
) -> None:
    sign_in(client, personas, persona)
    assert client.get("/api/v1/devices").status_code == status


def test_the_list_has_the_device_list_columns_and_is_paginated(
    client, personas, devices, django_assert_max_num_queries
) -> None:
    for number in range(53):
        make_device(personas.tenant, f"ams-{number:03}", personas.amsterdam_user)
    sign_in(client, personas, "admin")
    with django_assert_max_num_queries(8):
        first = client.get("/api/v1/devices").json()
    assert first["count"] == 55
    assert len(first["items"]) == 50
    assert set(first["items"][0]) == LIST_COLUMNS
    assert first["items"][0]["deviceName"] == "ams-000"
    assert first["items"][0]["userPrincipalName"] == "ams@lakeside.test"
    second = client.get("/api/v1/devices?page=2").json()
    assert [item["deviceName"] for item in second["items"]] == [
        "ams-050",
        "ams-051",
        "ams-052",
        "anton-laptop",
        "louise-laptop",
    ]


def test_a_device_answers_with_its_facts_and_never_its_credential(
    client, personas, devices
) -> None:
    sign_in(client, personas, "helpdesk")
    response = client.get(f"/api/v1/devices/{devices.anton.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["deviceName"] == "anton-laptop"
    assert body["userPrincipalName"] == "ams@lakeside.test"
    assert {"serialNumber", "isEncrypted", "freeStorageSpaceInBytes"} <= set(body)
    text = response.content.decode()
    assert devices.anton.credential_hash not in text
    assert "credential" not in text.lower()


@pytest.mark.parametrize(
    ("persona", "device_key", "status"),
    [
        ("anon", "anton", 401),
        ("helpdesk", "louise", 404),
        ("outsider", "anton", 404),
        ("admin", "foreign", 404),
        ("nobody", "anton", 404),
        ("unlicensed", "anton", 403),
    ],
)
def test_a_device_out_of_reach_is_refused(
    client, personas, devices, persona, device_key, status
) -> None:
    sign_in(client, personas, persona)
    device = getattr(devices, device_key)
    assert client.get(f"/api/v1/devices/{device.pk}").status_code == status
    assert client.get(f"/api/v1/devices/{device.pk}/actions").status_code == status


def test_an_unknown_device_is_a_404(client, personas, devices) -> None:
    sign_in(client, personas, "admin")
    assert client.get("/api/v1/devices/999999").status_code == 404


def test_the_actions_of_a_device_are_listed_newest_first(client, personas, devices) -> None:
    first = device_action_request(
        device=devices.anton, action="syncDevice", parameters={}, actor=personas.admin
    )
    second = device_action_request(
        device=devices.anton,
        action="setDeviceName",
        parameters={"deviceName": "AMS-1"},
        actor=personas.helpdesk,
    )
    DeviceAction.objects.filter(pk=first.pk).update(state="failed", result_detail="offline")
    sign_in(client, personas, "reader")
    response = client.get(f"/api/v1/devices/{devices.anton.pk}/actions")
    assert response.status_code == 200
    items = response.json()
    assert [item["id"] for item in items] == [second.pk, first.pk]
    assert items[0]["parameters"] == {"deviceName": "AMS-1"}
    assert items[0]["requestedBy"] == "helpdesk@lakeside.test"
    assert (items[1]["actionState"], items[1]["resultDetail"]) == ("failed", "offline")
    assert items[1]["diagnosticsBundle"] is None


def test_a_request_answers_with_the_queued_action(client, personas, devices) -> None:
    sign_in(client, personas, "helpdesk")
    response = client.post(
        f"/api/v1/devices/{devices.anton.pk}/actions",
        {"action": "setDeviceName", "parameters": {"deviceName": "AMS-0042"}},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["action"], body["actionState"], body["parameters"]) == (
        "setDeviceName",
        "pending",
        {"deviceName": "AMS-0042"},
    )
    assert DeviceAction.objects.get().pk == body["id"]


def test_a_write_needs_the_csrf_token_of_the_session(personas, devices) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin, backend=BACKEND)
    url = f"/api/v1/devices/{devices.anton.pk}/actions"
    body = {"action": "syncDevice", "parameters": {}}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert not DeviceAction.objects.exists()
    client.get("/")  # the portal sets the CSRF cookie
    token = client.cookies["deskside_csrf"].value
    accepted = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    # Reads need no token.
    assert client.get(f"/api/v1/devices/{devices.anton.pk}/actions").status_code == 200


def test_malformed_json_is_refused(client, personas, devices) -> None:
    sign_in(client, personas, "admin")
    response = client.post(
        f"/api/v1/devices/{devices.anton.pk}/actions", "{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert not DeviceAction.objects.exists()


def test_the_openapi_document_describes_the_devices_api(client, db) -> None:
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert {
        "/api/v1/devices",
        "/api/v1/devices/{deviceId}",
        "/api/v1/devices/{deviceId}/actions",
        "/api/v1/devices/{deviceId}/actions/{actionId}/cancel",
    } <= set(paths)
    request = paths["/api/v1/devices/{deviceId}/actions"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(request["responses"])
    assert {"200", "403", "404", "409"} <= set(
        paths["/api/v1/devices/{deviceId}/actions/{actionId}/cancel"]["post"]["responses"]
    )
    schemas = document["components"]["schemas"]
    assert schemas["SetDeviceNameIn"]["additionalProperties"] is False
    assert schemas["DeviceNameIn"]["properties"]["deviceName"]["maxLength"] == 63
    other = schemas["OtherActionIn"]["properties"]["action"]
    assert set(other["enum"]) == {
        "syncDevice",
        "rebootNow",
        "remoteLock",
        "shutDown",
        "retire",
        "wipe",
        "collectDiagnostics",
    }
    listed = paths["/api/v1/devices"]["get"]
    assert any(parameter["name"] == "page" for parameter in listed["parameters"])
    assert all(
        operation.get("security")
        for path in paths
        if path.startswith("/api/v1/devices")
        for operation in paths[path].values()
    )
