"""Every device action, requested through the portal and the operators' API by every persona:
the administrator may; the help desk may in its scope and gets a 404 out of it; the read-only
operator gets a 403; another tenant's administrator a 404; anonymous must sign in. Only an
allowed request queues an action."""

from __future__ import annotations

import pytest

from deskside.fleet.models import DeviceAction, ManagedDevice
from deskside.fleet.tests.action_helpers import (
    ACTIONS,
    api_body,
    api_request,
    make_devices,
    portal_request,
    sign_in,
)

# (persona, device, expected status) for the portal (htmx) and the API.
PORTAL_CASES = [
    ("anon", "anton", 302),
    ("admin", "anton", 200),
    ("helpdesk", "anton", 200),
    ("helpdesk", "louise", 404),
    ("reader", "anton", 403),
    ("nobody", "anton", 403),
    ("unlicensed", "anton", 403),
    ("outsider", "anton", 404),
]
API_CASES = [
    ("anon", "anton", 401),
    ("admin", "anton", 201),
    ("helpdesk", "anton", 201),
    ("helpdesk", "louise", 404),
    ("reader", "anton", 403),
    ("nobody", "anton", 404),
    ("unlicensed", "anton", 403),
    ("outsider", "anton", 404),
]
ALLOWED = {200, 201}


def _reset() -> None:
    DeviceAction.objects.all().delete()
    ManagedDevice.objects.update(management_state="managed")


def _run(client, personas, action, cases, send):  # type: ignore[no-untyped-def]
    devices = make_devices(personas)
    got = {}
    for persona, device_key, _expected in cases:
        _reset()
        device = getattr(devices, device_key)
        response = send(sign_in(client, personas, persona), device)
        queued = list(DeviceAction.objects.values_list("device_id", "action", "requested_by_id"))
        if response.status_code in ALLOWED:
            assert queued == [(device.pk, action, getattr(personas, persona).pk)]
        else:
            assert queued == []
        got[(persona, device_key)] = response.status_code
    assert got == {(persona, device): status for persona, device, status in cases}


@pytest.mark.parametrize("action", ACTIONS)
def test_the_portal_lets_only_permitted_operators_request_the_action(
    client, personas, action
) -> None:
    _run(client, personas, action, PORTAL_CASES, lambda c, d: portal_request(c, d, action))


@pytest.mark.parametrize("action", ACTIONS)
def test_the_api_lets_only_permitted_operators_request_the_action(client, personas, action) -> None:
    _run(client, personas, action, API_CASES, lambda c, d: api_request(c, d, api_body(action)))


def test_a_role_without_the_action_permission_is_refused_on_a_visible_device(
    client, personas
) -> None:
    """The role administrator reads devices (all users) but runs no remote task."""
    devices = make_devices(personas)
    sign_in(client, personas, "role_admin")
    assert portal_request(client, devices.anton, "syncDevice").status_code == 403
    assert api_request(client, devices.anton, api_body("wipe")).status_code == 403
    assert not DeviceAction.objects.exists()
