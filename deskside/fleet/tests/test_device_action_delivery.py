"""An action goes from the queue to the agent and back, through the HTTP API as the agent uses it:
a check-in delivers it (pending → active) and keeps giving it until a result arrives; the result
sets the final state once; a resent result changes nothing; a result for an action that is not
the device's refuses the report."""

from __future__ import annotations

import pytest

from deskside.fleet.models import DeviceAction, ManagedDevice
from deskside.fleet.tests.action_helpers import api_body, api_request, make_device, sign_in
from deskside.fleet.tests.checkins import check_in, enroll, facts, report


@pytest.fixture
def device(client, enrollment) -> tuple[ManagedDevice, str]:  # type: ignore[no-untyped-def]
    device_id, credential = enroll(client)
    return ManagedDevice.objects.get(pk=device_id), credential


def _queue(client, personas, device, action="syncDevice") -> DeviceAction:  # type: ignore[no-untyped-def]
    sign_in(client, personas, "admin")
    body = api_body(action)
    response = api_request(client, device, body)
    assert response.status_code == 201, response.content
    client.logout()
    return DeviceAction.objects.get(pk=response.json()["id"])


def test_a_check_in_delivers_a_queued_action_and_marks_it_active(client, personas, device) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed, "setDeviceName")
    assert queued.state == "pending"
    answer = check_in(client, credential, report()).json()
    assert answer["actions"] == [
        {"actionId": queued.pk, "action": "setDeviceName", "parameters": {"deviceName": "AMS-0042"}}
    ]
    queued.refresh_from_db()
    assert queued.state == "active"
    assert queued.delivered_at is not None


def test_an_action_is_given_again_until_its_result_arrives(client, personas, device) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed)
    first = check_in(client, credential, report()).json()["actions"]
    again = check_in(client, credential, report()).json()["actions"]
    assert first == again == [{"actionId": queued.pk, "action": "syncDevice", "parameters": {}}]
    result = {"actionId": queued.pk, "state": "done", "detail": ""}
    after = check_in(client, credential, report(actionResults=[result])).json()["actions"]
    assert after == []
    assert check_in(client, credential, report()).json()["actions"] == []


@pytest.mark.parametrize(
    ("state", "detail"),
    [("done", ""), ("failed", "systemctl reboot: access denied"), ("notSupported", "no power")],
)
def test_the_result_sets_the_final_state_and_detail(
    client, personas, device, state, detail
) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed, "rebootNow")
    check_in(client, credential, report())
    result = {"actionId": queued.pk, "state": state, "detail": detail}
    assert check_in(client, credential, report(actionResults=[result])).status_code == 200
    queued.refresh_from_db()
    assert (queued.state, queued.result_detail) == (state, detail)
    assert queued.finished_at is not None


def test_a_second_result_for_a_finished_action_is_ignored(client, personas, device) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed)
    check_in(client, credential, report())
    check_in(client, credential, report(actionResults=[{"actionId": queued.pk, "state": "done"}]))
    queued.refresh_from_db()
    finished = queued.finished_at
    late = {"actionId": queued.pk, "state": "failed", "detail": "resent from an old queue"}
    assert check_in(client, credential, report(actionResults=[late])).status_code == 200
    queued.refresh_from_db()
    assert (queued.state, queued.result_detail, queued.finished_at) == ("done", "", finished)


def test_a_result_for_another_devices_action_refuses_the_report(client, personas, device) -> None:
    managed, credential = device
    other = make_device(personas.tenant, "other-laptop")
    foreign = _queue(client, personas, other)
    body = report(
        facts=facts(osVersion="12.9"),
        actionResults=[{"actionId": foreign.pk, "state": "done", "detail": ""}],
    )
    response = check_in(client, credential, body)
    assert response.status_code == 422
    assert "actionResults.0.actionId" in response.json()["detail"]
    foreign.refresh_from_db()
    managed.refresh_from_db()
    assert foreign.state == "pending"
    assert managed.os_version == "12.8"


def test_a_result_for_an_unknown_action_id_refuses_the_report(client, personas, device) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed)
    results = [{"actionId": queued.pk, "state": "done"}, {"actionId": 999999, "state": "done"}]
    response = check_in(client, credential, report(actionResults=results))
    assert response.status_code == 422
    assert "actionResults.1.actionId" in response.json()["detail"]
    queued.refresh_from_db()
    assert queued.state == "pending"


def test_a_renamed_device_takes_its_new_name_when_the_rename_is_done(
    client, personas, device
) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed, "setDeviceName")
    check_in(client, credential, report())
    result = {"actionId": queued.pk, "state": "done"}
    answer = check_in(client, credential, report(actionResults=[result])).json()
    managed.refresh_from_db()
    assert managed.device_name == "AMS-0042"
    assert answer["deviceName"] == "AMS-0042"


def test_a_failed_rename_keeps_the_name(client, personas, device) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed, "setDeviceName")
    result = {"actionId": queued.pk, "state": "failed", "detail": "hostnamectl failed"}
    check_in(client, credential, report(actionResults=[result]))
    managed.refresh_from_db()
    assert managed.device_name == "lyon-laptop"


def test_actions_are_given_oldest_first(client, personas, device) -> None:
    managed, credential = device
    first = _queue(client, personas, managed, "syncDevice")
    second = _queue(client, personas, managed, "collectDiagnostics")
    actions = check_in(client, credential, report()).json()["actions"]
    assert [action["actionId"] for action in actions] == [first.pk, second.pk]


def test_a_canceled_action_is_not_delivered(client, personas, device) -> None:
    managed, credential = device
    queued = _queue(client, personas, managed)
    sign_in(client, personas, "admin")
    response = client.post(f"/api/v1/devices/{managed.pk}/actions/{queued.pk}/cancel")
    assert response.status_code == 200
    assert check_in(client, credential, report()).json()["actions"] == []
