"""The device page's actions section (the device page contract): the actions this operator may
run on this device with their labels, the history newest first with state and result; htmx
requests and cancels answer with the refreshed section; destructive actions ask first."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from deskside.fleet.actions import actions_available, device_action_history, device_action_request
from deskside.fleet.models import DeviceAction, ManagedDevice
from deskside.fleet.tests.action_helpers import ACTIONS, make_devices, portal_request, sign_in


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    return make_devices(personas)


def _queue(personas, device, action="syncDevice", **parameters) -> DeviceAction:  # type: ignore[no-untyped-def]
    return device_action_request(
        device=device, action=action, parameters=parameters, actor=personas.admin
    )


def _section(operator, device) -> str:  # type: ignore[no-untyped-def]
    return render_to_string(
        "fleet/_device_actions.html",
        {
            "device": device,
            "device_actions": device_action_history(operator=operator, device=device),
            "available_actions": actions_available(operator=operator, device=device),
        },
    )


@pytest.mark.parametrize(
    ("persona", "device_key", "expected"),
    [
        ("admin", "anton", list(ACTIONS)),
        ("helpdesk", "anton", list(ACTIONS)),
        ("helpdesk", "louise", []),
        ("reader", "anton", []),
        ("role_admin", "anton", []),
        ("outsider", "anton", []),
        ("unlicensed", "anton", []),
    ],
)
def test_the_available_actions_are_those_the_operator_may_run_on_the_device(
    personas, devices, persona, device_key, expected
) -> None:
    available = actions_available(
        operator=getattr(personas, persona), device=getattr(devices, device_key)
    )
    assert [item.action for item in available] == expected


def test_each_available_action_has_its_label_and_what_the_portal_needs(personas, devices) -> None:
    _queue(personas, devices.anton, "remoteLock")
    available = {
        item.action: item
        for item in actions_available(operator=personas.admin, device=devices.anton)
    }
    assert str(available["syncDevice"].label) == "Sync"
    assert str(available["setDeviceName"].label) == "Rename device"
    assert available["setDeviceName"].needs_name
    assert {name for name, item in available.items() if item.confirmation} == {
        "rebootNow",
        "shutDown",
        "retire",
        "wipe",
    }
    assert {name for name, item in available.items() if item.waiting} == {"remoteLock"}


def test_no_action_is_available_on_a_device_being_retired(personas, devices) -> None:
    _queue(personas, devices.anton, "retire")
    devices.anton.refresh_from_db()
    assert actions_available(operator=personas.admin, device=devices.anton) == []
    assert "Retire pending" in _section(personas.admin, devices.anton)


def test_the_history_is_newest_first_with_state_and_result(personas, devices) -> None:
    first = _queue(personas, devices.anton, "syncDevice")
    second = _queue(personas, devices.anton, "setDeviceName", deviceName="AMS-7")
    DeviceAction.objects.filter(pk=first.pk).update(state="failed", result_detail="no network")
    history = device_action_history(operator=personas.reader, device=devices.anton)
    assert [item.action.pk for item in history] == [second.pk, first.pk]
    assert [item.cancelable for item in history] == [False, False]  # the reader may not
    html = _section(personas.reader, devices.anton)
    assert "no network" in html and "Failed" in html and "AMS-7" in html
    assert html.index(f"device-action-{second.pk}") < html.index(f"device-action-{first.pk}")


def test_the_history_is_empty_for_an_operator_who_may_not_read_the_device(
    personas, devices
) -> None:
    _queue(personas, devices.louise)
    assert device_action_history(operator=personas.helpdesk, device=devices.louise) == []
    assert device_action_history(operator=personas.outsider, device=devices.louise) == []


def test_pending_actions_are_cancelable_by_who_may_run_them(personas, devices) -> None:
    queued = _queue(personas, devices.anton)
    [item] = device_action_history(operator=personas.helpdesk, device=devices.anton)
    assert item.cancelable
    assert f"/devices/{devices.anton.pk}/actions/{queued.pk}/cancel/" in _section(
        personas.helpdesk, devices.anton
    )
    DeviceAction.objects.update(state="active")
    [item] = device_action_history(operator=personas.helpdesk, device=devices.anton)
    assert not item.cancelable


def test_destructive_actions_ask_before_they_are_sent_and_rename_has_a_name_field(
    personas, devices
) -> None:
    html = _section(personas.admin, devices.anton)
    assert html.count("<details") == 4
    assert "This cannot be undone." in html
    assert 'name="deviceName"' in html
    assert "<script" not in html and "style=" not in html
    assert 'hx-target="#device-actions"' in html


def test_an_htmx_request_answers_with_the_refreshed_section(client, personas, devices) -> None:
    sign_in(client, personas, "helpdesk")
    response = portal_request(client, devices.anton, "remoteLock")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="device-actions"')
    assert "The action was sent to the device." in html
    queued = DeviceAction.objects.get()
    assert f"device-action-{queued.pk}" in html
    assert queued.requested_by == personas.helpdesk


def test_a_rename_request_carries_the_new_name(client, personas, devices) -> None:
    sign_in(client, personas, "admin")
    portal_request(client, devices.anton, "setDeviceName", deviceName=" AMS-0099 ")
    assert DeviceAction.objects.get().parameters == {"deviceName": "AMS-0099"}


def test_without_htmx_a_request_goes_back_to_the_device_page(client, personas, devices) -> None:
    sign_in(client, personas, "admin")
    response = portal_request(client, devices.anton, "syncDevice", htmx=False)
    assert response.status_code == 302
    assert response["Location"] == f"/devices/{devices.anton.pk}/"
    assert DeviceAction.objects.filter(device=devices.anton, action="syncDevice").exists()


def test_a_get_is_not_allowed(client, personas, devices) -> None:
    sign_in(client, personas, "admin")
    assert client.get(f"/devices/{devices.anton.pk}/actions/").status_code == 405
    assert not DeviceAction.objects.exists()


def test_the_section_costs_a_bounded_number_of_queries_and_the_template_none(
    personas, devices, django_assert_max_num_queries, django_assert_num_queries
) -> None:
    for action in ("syncDevice", "remoteLock", "collectDiagnostics", "shutDown"):
        _queue(personas, devices.anton, action)
    device = ManagedDevice.objects.get(pk=devices.anton.pk)
    operator = type(personas.helpdesk).objects.get(pk=personas.helpdesk.pk)
    with django_assert_max_num_queries(2 + 2):  # the operator's grants, read once
        history = device_action_history(operator=operator, device=device)
    with django_assert_max_num_queries(2):
        available = actions_available(operator=operator, device=device)
    context = {"device": device, "device_actions": history, "available_actions": available}
    with django_assert_num_queries(0):
        render_to_string("fleet/_device_actions.html", context)


def test_the_device_page_shows_the_section_for_the_operators_role(
    client, personas, devices
) -> None:
    _queue(personas, devices.anton, "setDeviceName", deviceName="AMS-7")
    sign_in(client, personas, "helpdesk")
    html = client.get(f"/devices/{devices.anton.pk}/").content.decode()
    assert 'id="device-actions"' in html and "AMS-7" in html and "<details" in html
    sign_in(client, personas, "reader")
    html = client.get(f"/devices/{devices.anton.pk}/").content.decode()
    assert "No device action is available to your role on this device." in html
    assert "AMS-7" in html
