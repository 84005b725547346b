"""An assignment change asks the connected agents of the group's devices to check in at once
(the fleet's push, {"type": "checkIn"} on /ws/agent/), after the change is committed; an
assignment that never reaches a device (available without enrollment) pushes nothing."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from deskside.apps.services import app_assignment_delete, app_assignment_update
from deskside.apps.tests.helpers import assign, debian, ios
from deskside.fleet.consumers import agent_group
from deskside.fleet.models import ManagedDevice


@pytest.fixture
def listening(personas):  # type: ignore[no-untyped-def]
    """Channels standing in for the agent sockets of a Lyon device (in the group) and of an
    Amsterdam user's device (not in it), on the configured channel layer."""
    layer = get_channel_layer()
    lyon = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="LYON-1",
        operating_system="Linux",
        primary_user=personas.lyon_user,
    )
    amsterdam = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="AMS-1",
        operating_system="Linux",
        primary_user=personas.amsterdam_user,
    )
    channels = {}
    for name, device in (("lyon", lyon), ("amsterdam", amsterdam)):
        channels[name] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(agent_group(device.pk), channels[name])
    yield layer, channels
    for name, device in (("lyon", lyon), ("amsterdam", amsterdam)):
        async_to_sync(layer.group_discard)(agent_group(device.pk), channels[name])


def _received(layer, channel) -> dict | None:  # type: ignore[no-untyped-def]
    async def receive():  # type: ignore[no-untyped-def]
        import asyncio

        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=0.5)
        except TimeoutError:
            return None

    return async_to_sync(receive)()


def test_assigning_changing_and_removing_push_to_the_groups_devices(
    personas, listening, django_capture_on_commit_callbacks
) -> None:
    layer, channels = listening
    app = debian(personas.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assign(app, personas.lyon, "required", personas.admin)
    assert _received(layer, channels["lyon"]) == {"type": "agent.check_in"}
    assert _received(layer, channels["amsterdam"]) is None

    with django_capture_on_commit_callbacks(execute=True):
        app_assignment_update(assignment=assignment, intent="uninstall", actor=personas.admin)
    assert _received(layer, channels["lyon"]) == {"type": "agent.check_in"}

    with django_capture_on_commit_callbacks(execute=True):
        app_assignment_delete(assignment=assignment, actor=personas.admin)
    assert _received(layer, channels["lyon"]) == {"type": "agent.check_in"}


def test_nothing_is_pushed_before_the_commit(
    personas, listening, django_capture_on_commit_callbacks
):
    layer, channels = listening
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assign(debian(personas.tenant), personas.lyon, "required", personas.admin)
    assert len(callbacks) == 1
    assert _received(layer, channels["lyon"]) is None


def test_available_without_enrollment_pushes_nothing(
    personas, listening, django_capture_on_commit_callbacks
) -> None:
    layer, channels = listening
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assign(ios(personas.tenant), personas.lyon, "availableWithoutEnrollment", personas.admin)
    assert callbacks == []
    assert _received(layer, channels["lyon"]) is None
