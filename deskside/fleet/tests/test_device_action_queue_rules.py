"""What the queue refuses, with a 4xx that names the field: a second unfinished action of the same
kind (409), an unknown action or a bad parameter (422); another kind, or the same kind once the
first finished, is accepted."""

from __future__ import annotations

import pytest

from deskside.fleet.models import DeviceAction
from deskside.fleet.tests.action_helpers import (
    api_body,
    api_request,
    make_devices,
    portal_request,
    sign_in,
)


@pytest.fixture
def anton(personas, client):  # type: ignore[no-untyped-def]
    sign_in(client, personas, "admin")
    return make_devices(personas).anton


def test_a_second_unfinished_action_of_the_same_kind_is_refused(client, anton) -> None:
    assert api_request(client, anton, api_body("remoteLock")).status_code == 201
    again = api_request(client, anton, api_body("remoteLock"))
    assert again.status_code == 409
    assert again.json()["detail"].startswith("action: ")
    assert "already waiting" in again.json()["detail"]
    assert DeviceAction.objects.filter(device=anton).count() == 1


def test_a_delivered_action_also_blocks_a_second_one(client, anton) -> None:
    api_request(client, anton, api_body("remoteLock"))
    DeviceAction.objects.update(state="active")
    assert api_request(client, anton, api_body("remoteLock")).status_code == 409


def test_another_kind_of_action_is_accepted(client, anton) -> None:
    assert api_request(client, anton, api_body("remoteLock")).status_code == 201
    assert api_request(client, anton, api_body("syncDevice")).status_code == 201
    assert DeviceAction.objects.filter(device=anton).count() == 2


def test_the_same_kind_is_accepted_once_the_first_finished(client, anton) -> None:
    api_request(client, anton, api_body("remoteLock"))
    DeviceAction.objects.update(state="done")
    assert api_request(client, anton, api_body("remoteLock")).status_code == 201


def test_the_portal_shows_why_a_second_one_is_refused(client, anton) -> None:
    portal_request(client, anton, "shutDown")
    response = portal_request(client, anton, "shutDown")
    assert response.status_code == 200  # htmx swaps only a 2xx: the reason is in the section
    assert "already waiting" in response.content.decode()
    without_htmx = portal_request(client, anton, "shutDown", htmx=False)
    assert without_htmx.status_code == 409
    assert "already waiting" in without_htmx.content.decode()
    assert DeviceAction.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "setDeviceName", "parameters": {"deviceName": "-bad-"}}, "deviceName"),
        ({"action": "setDeviceName", "parameters": {"deviceName": "a.b"}}, "deviceName"),
        ({"action": "setDeviceName", "parameters": {"deviceName": "12345"}}, "deviceName"),
        ({"action": "setDeviceName", "parameters": {"deviceName": "AMS-1\n"}}, "deviceName"),
        ({"action": "setDeviceName", "parameters": {"deviceName": "x" * 64}}, "deviceName"),
        ({"action": "setDeviceName", "parameters": {}}, "deviceName"),
        ({"action": "setDeviceName"}, "parameters"),
        ({"action": "syncDevice", "parameters": {"deviceName": "x"}}, "deviceName"),
        ({"action": "selfDestruct", "parameters": {}}, "action"),
        ({"parameters": {}}, "action"),
        ({"action": "wipe", "parameters": {}, "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_that_names_the_field(client, anton, body, field) -> None:
    response = api_request(client, anton, body)
    assert response.status_code == 422, response.content
    assert field in str(response.json()["detail"])
    assert not DeviceAction.objects.exists()


@pytest.mark.parametrize("name", ["-bad-", "a.b", "12345", "x" * 64, "", "naïve"])
def test_the_portal_refuses_a_name_that_is_not_a_host_name(client, anton, name) -> None:
    response = portal_request(client, anton, "setDeviceName", htmx=False, deviceName=name)
    assert response.status_code == 422
    assert not DeviceAction.objects.exists()


@pytest.mark.parametrize("name", ["AMS-0042", "a", "x" * 63, "pc1"])
def test_a_host_name_is_accepted(client, anton, name) -> None:
    response = api_request(
        client, anton, {"action": "setDeviceName", "parameters": {"deviceName": name}}
    )
    assert response.status_code == 201
    assert DeviceAction.objects.get().parameters == {"deviceName": name}


def test_the_portal_refuses_an_unknown_action(client, anton) -> None:
    response = portal_request(client, anton, "selfDestruct", htmx=False)
    assert response.status_code == 422
    assert not DeviceAction.objects.exists()
