"""The device page's apps section (device page contract): ``device_app_states`` returns the
install states an operator may see, with the inventory count, in bounded queries; the partial
``apps/_device_apps.html`` renders them without a query, with the error code and detail of a
failure; an operator without MobileApps.Read over the device gets "not available"."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from deskside.access.checks import operator_grants
from deskside.access.tests.conftest import make_operator  # noqa: F401
from deskside.apps.models import DeviceAppState
from deskside.apps.selectors import device_app_states
from deskside.apps.tests.helpers import answer_apps, assign, debian, ios, result
from deskside.fleet.models import ManagedDevice


@pytest.fixture
def reported(client, personas, enrolled):  # type: ignore[no-untyped-def]
    """The Lyon device with a failed and an installed app, an app for iOS, and an inventory."""
    vlc, gimp = debian(personas.tenant), debian(personas.tenant, name="GIMP", package="gimp")
    outlook = ios(personas.tenant)
    for app in (vlc, gimp, outlook):
        assign(app, personas.lyon, "required", personas.admin)
    answer_apps(client, enrolled.credential)
    answer_apps(
        client,
        enrolled.credential,
        inventory=[{"name": f"pkg{n}", "version": "1"} for n in range(7)],
        appResults=[
            result(vlc, "failed", errorCode="100", detail="E: Unable to locate package vlc"),
            result(gimp, "installed", version="2.10.34-1"),
        ],
    )
    ManagedDevice.objects.filter(pk=enrolled.device.pk).update(primary_user=personas.lyon_user)
    return enrolled.reload()


def _render(operator, device) -> str:  # type: ignore[no-untyped-def]
    states = device_app_states(operator=operator, device=device)
    perms = operator_grants(operator).permissions()
    return render_to_string(
        "apps/_device_apps.html", {"app_states": states, "device": device, "perms_granted": perms}
    )


def test_the_states_come_with_the_inventory_count_in_bounded_queries(
    personas, reported, django_assert_max_num_queries
) -> None:
    operator_grants(personas.reader)
    with django_assert_max_num_queries(3):
        states = device_app_states(operator=personas.reader, device=reported)
    assert states.allowed is True
    assert states.inventory_count == 7
    # Outlook is for iOS: its page lists the device as not applicable, the device page does not.
    assert [(s.app.display_name, s.install_state, s.error_code) for s in states] == [
        ("GIMP", "installed", ""),
        ("VLC", "failed", "100"),
    ]


def test_the_partial_renders_without_queries(personas, reported, django_assert_num_queries) -> None:
    states = device_app_states(operator=personas.reader, device=reported)
    perms = operator_grants(personas.reader).permissions()
    with django_assert_num_queries(0):
        html = render_to_string(
            "apps/_device_apps.html",
            {"app_states": states, "device": reported, "perms_granted": perms},
        )
    assert "E: Unable to locate package vlc" in html and "<code>100</code>" in html
    assert "Outlook" not in html  # an app for iOS on a Linux device
    assert "7 installed applications" in html
    assert f"/apps/devices/{reported.pk}/inventory/" in html


def test_an_operator_without_mobile_apps_read_sees_not_available(
    personas,
    reported,
    make_operator,  # noqa: F811
) -> None:
    manager = make_operator(role_key="policyAndProfileManager", scope_kind="allUsersAndDevices")
    states = device_app_states(operator=manager, device=reported)
    assert (list(states), states.allowed) == ([], False)
    assert "Not available to your role." in _render(manager, reported)


def test_a_device_out_of_the_operators_scope_shows_nothing(personas, reported) -> None:
    # The help desk reads apps over the Amsterdam office; this device is Louise's, in Lyon.
    states = device_app_states(operator=personas.helpdesk, device=reported)
    assert (list(states), states.allowed) == ([], False)


def test_a_device_in_scope_with_no_apps_is_allowed_and_empty(personas, enrolled) -> None:
    ManagedDevice.objects.filter(pk=enrolled.device.pk).update(primary_user=personas.amsterdam_user)
    states = device_app_states(operator=personas.helpdesk, device=enrolled.reload())
    assert (list(states), states.allowed, states.inventory_count) == ([], True, 0)
    assert "No app is assigned to this device." in _render(personas.helpdesk, enrolled.device)


def test_apps_no_longer_assigned_are_not_listed(personas, reported) -> None:
    DeviceAppState.objects.filter(app__display_name="GIMP").update(intent="")
    names = [
        s.app.display_name for s in device_app_states(operator=personas.admin, device=reported)
    ]
    assert names == ["VLC"]


def test_the_inventory_page_lists_and_searches_the_devices_applications(
    login, personas, reported
) -> None:
    client = login(personas.reader)
    response = client.get(f"/apps/devices/{reported.pk}/inventory/")
    assert [item.name for item in response.context["page"]] == [f"pkg{n}" for n in range(7)]
    response = client.get(f"/apps/devices/{reported.pk}/inventory/", {"q": "pkg3"})
    assert [item.name for item in response.context["page"]] == ["pkg3"]
    assert (
        login(personas.helpdesk).get(f"/apps/devices/{reported.pk}/inventory/").status_code == 404
    )
