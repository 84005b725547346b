"""When several groups give one device different intents for an app: required beats uninstall
(a conflict, shown as such) and available; uninstall beats available."""

from __future__ import annotations

import pytest

from deskside.apps.intents import resolve_intents
from deskside.apps.models import DeviceAppState
from deskside.apps.tests.helpers import answer_apps, assign, debian, script


@pytest.mark.parametrize(
    ("intents", "winner", "conflict"),
    [
        ({"required"}, "required", False),
        ({"available"}, "available", False),
        ({"uninstall"}, "uninstall", False),
        ({"required", "available"}, "required", False),
        ({"uninstall", "available"}, "uninstall", False),
        ({"required", "uninstall"}, "required", True),
        ({"required", "uninstall", "available"}, "required", True),
        ({"available", "availableWithoutEnrollment"}, "available", False),
    ],
)
def test_the_precedence_of_intents(intents, winner, conflict) -> None:
    assert resolve_intents(intents) == (winner, conflict)


def test_available_without_enrollment_alone_is_no_device_intent() -> None:
    with pytest.raises(ValueError):
        resolve_intents({"availableWithoutEnrollment"})


def test_required_through_one_group_beats_available_through_another(
    client, personas, enrolled
) -> None:
    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "available", personas.admin)
    assign(vlc, personas.all_staff, "required", personas.admin)
    apps = answer_apps(client, enrolled.credential)
    assert [(app["appId"], app["intent"]) for app in apps] == [(vlc.pk, "required")]
    state = DeviceAppState.objects.get(device=enrolled.device, app=vlc)
    assert (state.install_state, state.conflict) == ("pendingInstall", False)


def test_uninstall_beats_available(client, personas, enrolled) -> None:
    vlc = debian(personas.tenant)
    assign(vlc, personas.lyon, "available", personas.admin)
    assign(vlc, personas.all_staff, "uninstall", personas.admin)
    assert [app["intent"] for app in answer_apps(client, enrolled.credential)] == ["uninstall"]


def test_required_and_uninstall_is_a_conflict_resolved_as_required(
    client, personas, enrolled
) -> None:
    backup = script(personas.tenant)
    assign(backup, personas.lyon, "uninstall", personas.admin)
    assign(backup, personas.all_staff, "required", personas.admin)
    apps = answer_apps(client, enrolled.credential)
    assert [app["intent"] for app in apps] == ["required"]
    state = DeviceAppState.objects.get(device=enrolled.device, app=backup)
    assert (state.intent, state.conflict, state.install_state) == (
        "required",
        True,
        "pendingInstall",
    )


def test_the_conflict_clears_when_one_side_goes(client, personas, enrolled) -> None:
    from deskside.apps.services import app_assignment_delete

    backup = script(personas.tenant)
    uninstall = assign(backup, personas.lyon, "uninstall", personas.admin)
    assign(backup, personas.all_staff, "required", personas.admin)
    answer_apps(client, enrolled.credential)
    app_assignment_delete(assignment=uninstall, actor=personas.admin)
    answer_apps(client, enrolled.credential)
    state = DeviceAppState.objects.get(device=enrolled.device, app=backup)
    assert (state.intent, state.conflict) == ("required", False)
