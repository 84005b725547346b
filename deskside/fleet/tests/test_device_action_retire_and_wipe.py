"""Retire and wipe take the device out of management: pending while queued (no other action may be
sent), unenrolled when done, after which its credential stops working; a failed or canceled one
gives the device back its managed state."""

from __future__ import annotations

import pytest

from deskside.audit.models import AuditEvent
from deskside.fleet.models import DeviceAction, ManagedDevice
from deskside.fleet.services import group_device_add
from deskside.fleet.tests.action_helpers import api_body, api_request, sign_in
from deskside.fleet.tests.checkins import check_in, enroll, report

PENDING_STATE = {"retire": "retirePending", "wipe": "wipePending"}


@pytest.fixture
def device(client, enrollment) -> tuple[ManagedDevice, str]:  # type: ignore[no-untyped-def]
    device_id, credential = enroll(client)
    return ManagedDevice.objects.get(pk=device_id), credential


def _queue(client, personas, device, action) -> DeviceAction:  # type: ignore[no-untyped-def]
    sign_in(client, personas, "admin")
    response = api_request(client, device, api_body(action))
    assert response.status_code == 201, response.content
    client.logout()
    return DeviceAction.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("action", ["retire", "wipe"])
def test_the_request_puts_the_device_in_its_pending_state(client, personas, device, action) -> None:
    managed, _credential = device
    _queue(client, personas, managed, action)
    managed.refresh_from_db()
    assert managed.management_state == PENDING_STATE[action]


@pytest.mark.parametrize("action", ["retire", "wipe"])
def test_no_other_action_may_be_sent_to_a_device_being_retired_or_wiped(
    client, personas, device, action
) -> None:
    managed, _credential = device
    _queue(client, personas, managed, action)
    sign_in(client, personas, "admin")
    for other in ("syncDevice", "wipe", "retire"):
        response = api_request(client, managed, api_body(other))
        assert response.status_code == 409
        assert "device" in response.json()["detail"]
    assert DeviceAction.objects.filter(device=managed).count() == 1


@pytest.mark.parametrize("action", ["retire", "wipe"])
def test_when_done_the_device_is_unenrolled_and_its_credential_stops_working(
    client, personas, device, action
) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed, action)
    assert check_in(client, credential, report()).json()["actions"][0]["action"] == action
    result = {"actionId": queued.pk, "state": "done"}
    assert check_in(client, credential, report(actionResults=[result])).status_code == 200
    managed.refresh_from_db()
    assert managed.management_state == "unenrolled"
    assert managed.credential_hash == ""
    assert check_in(client, credential, report()).status_code == 401
    event = AuditEvent.objects.get(action="deviceUnenrolled")
    assert (event.target_id, event.details["action"]) == (str(managed.pk), action)


def test_actions_still_waiting_are_canceled_when_the_device_leaves(
    client, personas, device
) -> None:
    managed, credential = device
    sync = _queue(client, personas, managed, "syncDevice")
    retire = _queue(client, personas, managed, "retire")
    check_in(client, credential, report(actionResults=[{"actionId": retire.pk, "state": "done"}]))
    sync.refresh_from_db()
    assert sync.state == "canceled"
    assert sync.finished_at is not None


@pytest.mark.parametrize("state", ["failed", "notSupported"])
def test_a_retire_that_did_not_happen_leaves_the_device_managed(
    client, personas, device, state
) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed, "retire")
    result = {"actionId": queued.pk, "state": state, "detail": "no"}
    check_in(client, credential, report(actionResults=[result]))
    managed.refresh_from_db()
    assert managed.management_state == "managed"
    assert check_in(client, credential, report()).status_code == 200


def test_a_canceled_wipe_leaves_the_device_managed(client, personas, device) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed, "wipe")
    sign_in(client, personas, "admin")
    response = client.post(f"/api/v1/devices/{managed.pk}/actions/{queued.pk}/cancel")
    assert response.status_code == 200
    managed.refresh_from_db()
    assert managed.management_state == "managed"
    assert api_request(client, managed, api_body("syncDevice")).status_code == 201


def test_no_action_may_be_sent_to_an_unenrolled_device(client, personas, device) -> None:
    managed, _credential = device
    ManagedDevice.objects.filter(pk=managed.pk).update(management_state="unenrolled")
    # The help desk's scope covers the device through its group even when it is unenrolled.
    group_device_add(group=personas.amsterdam, device=managed, actor=None)
    sign_in(client, personas, "helpdesk")
    response = api_request(client, managed, api_body("syncDevice"))
    assert response.status_code == 409
    assert "not enrolled" in response.json()["detail"]
    assert not DeviceAction.objects.exists()
