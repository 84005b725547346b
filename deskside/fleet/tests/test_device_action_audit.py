"""Every step of an action is in the audit log: the request (who, which device, what), the result
the agent reported (with its outcome), and a refused request writes nothing."""

from __future__ import annotations

import pytest

from deskside.audit.models import AuditEvent
from deskside.fleet.models import DeviceAction, ManagedDevice
from deskside.fleet.tests.action_helpers import (
    ACTIONS,
    api_body,
    api_request,
    parameters_for,
    portal_request,
    sign_in,
)
from deskside.fleet.tests.checkins import check_in, enroll, report


@pytest.fixture
def device(client, enrollment) -> tuple[ManagedDevice, str]:  # type: ignore[no-untyped-def]
    device_id, credential = enroll(client)
    return ManagedDevice.objects.get(pk=device_id), credential


@pytest.mark.parametrize("action", ACTIONS)
def test_a_request_is_audited_with_the_operator_the_device_and_the_action(
    client, personas, device, action
) -> None:
    managed, _credential = device
    sign_in(client, personas, "admin")
    assert portal_request(client, managed, action).status_code == 200
    queued = DeviceAction.objects.get()
    event = AuditEvent.objects.get(action="deviceActionRequested")
    assert event.actor_id == personas.admin.pk
    assert event.tenant_id == personas.tenant.pk
    assert (event.target_type, event.target_id) == ("fleet.manageddevice", str(managed.pk))
    assert event.details == {
        "actionId": queued.pk,
        "action": action,
        "parameters": parameters_for(action),
    }
    assert event.source_address == "127.0.0.1"


@pytest.mark.parametrize(("state", "outcome"), [("done", "success"), ("failed", "failure")])
def test_the_result_is_audited_with_its_outcome(client, personas, device, state, outcome) -> None:
    managed, credential = device
    sign_in(client, personas, "admin")
    queued = api_request(client, managed, api_body("remoteLock")).json()
    result = {"actionId": queued["id"], "state": state, "detail": "locked"}
    check_in(client, credential, report(actionResults=[result]))
    event = AuditEvent.objects.get(action="deviceActionFinished")
    assert (event.outcome, event.actor_id, event.actor_label) == (outcome, None, "lyon-laptop")
    assert event.details == {"actionId": queued["id"], "action": "remoteLock", "state": state}
    # A resent result is not audited again.
    check_in(client, credential, report(actionResults=[result]))
    assert AuditEvent.objects.filter(action="deviceActionFinished").count() == 1


def test_a_refused_request_writes_no_event(client, personas, device) -> None:
    managed, _credential = device
    sign_in(client, personas, "reader")
    api_request(client, managed, api_body("wipe"))
    sign_in(client, personas, "admin")
    api_request(client, managed, api_body("syncDevice"))
    api_request(client, managed, api_body("syncDevice"))
    assert AuditEvent.objects.filter(action="deviceActionRequested").count() == 1
