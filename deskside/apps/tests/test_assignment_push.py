"""An assignment change asks the connected agents of the group's devices to check in at once
(the fleet's push, {"type": "checkIn"} on /ws/agent/), after the change is committed; an
assignment that never reaches a device (available without enrollment) pushes nothing."""

from __future__ import annotations

import pytest

from deskside.apps.services import (
    app_assignment_delete,
    app_assignment_update,
    mobile_app_update,
)
from deskside.apps.tests.helpers import assign, debian, ios
from deskside.fleet.tests.action_helpers import make_device
from deskside.fleet.tests.push_helpers import listening as listening_to


@pytest.fixture
def listening(personas):  # type: ignore[no-untyped-def]
    """Channels standing in for the agent sockets of a Lyon device (in the group) and of an
    Amsterdam user's device (not in it), on the configured channel layer."""
    lyon = make_device(personas.tenant, "LYON-1", personas.lyon_user)
    amsterdam = make_device(personas.tenant, "AMS-1", personas.amsterdam_user)
    with listening_to(lyon, amsterdam) as agents:
        yield agents, lyon, amsterdam


def test_assigning_changing_and_removing_push_to_the_groups_devices(
    personas, listening, django_capture_on_commit_callbacks
) -> None:
    agents, lyon, amsterdam = listening
    app = debian(personas.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assign(app, personas.lyon, "required", personas.admin)
    assert agents.pushed(lyon, amsterdam) == ["LYON-1"]

    with django_capture_on_commit_callbacks(execute=True):
        app_assignment_update(assignment=assignment, intent="uninstall", actor=personas.admin)
    assert agents.pushed(lyon, amsterdam) == ["LYON-1"]

    with django_capture_on_commit_callbacks(execute=True):
        app_assignment_delete(assignment=assignment, actor=personas.admin)
    assert agents.pushed(lyon, amsterdam) == ["LYON-1"]


def test_nothing_is_pushed_before_the_commit(
    personas, listening, django_capture_on_commit_callbacks
):
    agents, lyon, amsterdam = listening
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assign(debian(personas.tenant), personas.lyon, "required", personas.admin)
    assert len(callbacks) == 1
    assert agents.pushed(lyon) == []


def test_available_without_enrollment_pushes_nothing(
    personas, listening, django_capture_on_commit_callbacks
) -> None:
    agents, lyon, amsterdam = listening
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assign(ios(personas.tenant), personas.lyon, "availableWithoutEnrollment", personas.admin)
    assert callbacks == []
    assert agents.pushed(lyon) == []


def test_changing_an_assigned_app_pushes_the_devices_of_its_groups(
    personas, listening, django_capture_on_commit_callbacks
) -> None:
    agents, lyon, amsterdam = listening
    app = debian(personas.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        assign(app, personas.lyon, "required", personas.admin)
    agents.pushed(lyon)
    with django_capture_on_commit_callbacks(execute=True):
        mobile_app_update(app=app, actor=personas.admin, version="3.0.21")
    assert agents.pushed(lyon, amsterdam) == ["LYON-1"]
