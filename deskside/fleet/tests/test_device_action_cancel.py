"""An action may be canceled while it is pending, by an operator who may request it on the device;
once delivered or finished it cannot be; the cancel is audited."""

from __future__ import annotations

import pytest

from deskside.audit.models import AuditEvent
from deskside.fleet.actions import device_action_request
from deskside.fleet.models import DeviceAction
from deskside.fleet.tests.action_helpers import make_devices, sign_in


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    return make_devices(personas)


def _queue(personas, device, action="remoteLock") -> DeviceAction:  # type: ignore[no-untyped-def]
    return device_action_request(device=device, action=action, parameters={}, actor=personas.admin)


def _api_cancel(client, action):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/devices/{action.device_id}/actions/{action.pk}/cancel")


def _portal_cancel(client, action, htmx=True):  # type: ignore[no-untyped-def]
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/devices/{action.device_id}/actions/{action.pk}/cancel/", **headers)


def test_a_pending_action_is_canceled_and_audited(client, personas, devices) -> None:
    queued = _queue(personas, devices.anton)
    sign_in(client, personas, "helpdesk")
    response = _api_cancel(client, queued)
    assert response.status_code == 200
    assert response.json()["actionState"] == "canceled"
    queued.refresh_from_db()
    assert queued.state == "canceled"
    assert queued.finished_at is not None
    event = AuditEvent.objects.get(action="deviceActionCanceled")
    assert (event.actor_id, event.target_id) == (personas.helpdesk.pk, str(devices.anton.pk))
    assert event.details == {"actionId": queued.pk, "action": "remoteLock"}


def test_the_portal_cancels_and_answers_with_the_refreshed_section(
    client, personas, devices
) -> None:
    queued = _queue(personas, devices.anton)
    sign_in(client, personas, "admin")
    response = _portal_cancel(client, queued)
    assert response.status_code == 200
    assert 'id="device-actions"' in response.content.decode()
    assert "The action was canceled." in response.content.decode()
    queued.refresh_from_db()
    assert queued.state == "canceled"


@pytest.mark.parametrize("state", ["active", "done", "failed", "canceled"])
def test_an_action_that_is_not_pending_cannot_be_canceled(client, personas, devices, state) -> None:
    queued = _queue(personas, devices.anton)
    DeviceAction.objects.filter(pk=queued.pk).update(state=state)
    sign_in(client, personas, "admin")
    response = _api_cancel(client, queued)
    assert response.status_code == 409
    assert response.json()["detail"].startswith("action: ")
    queued.refresh_from_db()
    assert queued.state == state
    assert not AuditEvent.objects.filter(action="deviceActionCanceled").exists()


@pytest.mark.parametrize(
    ("persona", "device_key", "api_status", "portal_status"),
    [
        ("anon", "anton", 401, 302),
        ("helpdesk", "louise", 404, 404),
        ("reader", "anton", 403, 403),
        ("outsider", "anton", 404, 404),
        ("nobody", "anton", 404, 403),
    ],
)
def test_only_an_operator_who_may_run_the_action_may_cancel_it(
    client, personas, devices, persona, device_key, api_status, portal_status
) -> None:
    queued = _queue(personas, getattr(devices, device_key))
    sign_in(client, personas, persona)
    assert _api_cancel(client, queued).status_code == api_status
    assert _portal_cancel(client, queued).status_code == portal_status
    queued.refresh_from_db()
    assert queued.state == "pending"


def test_an_action_of_another_device_is_not_found(client, personas, devices) -> None:
    queued = _queue(personas, devices.anton)
    sign_in(client, personas, "admin")
    response = client.post(f"/api/v1/devices/{devices.louise.pk}/actions/{queued.pk}/cancel")
    assert response.status_code == 404
    queued.refresh_from_db()
    assert queued.state == "pending"
