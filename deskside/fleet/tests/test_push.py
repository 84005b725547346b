"""The fleet's push to connected agents (fleet/push.py): sent on commit, at most PUSH_LIMIT
devices a transaction; adding a device to a group pushes it, and a membership change in the
directory (directory.signals.reach_changed) pushes the devices it concerns."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from deskside.directory.services import (
    group_create,
    group_delete,
    group_member_add,
    group_member_remove,
)
from deskside.fleet import push
from deskside.fleet.services import group_device_add
from deskside.fleet.tests.action_helpers import make_device
from deskside.fleet.tests.push_helpers import listening


def test_a_transaction_pushes_at_most_push_limit_devices(
    db, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        push.agents_push(device_ids=range(1, push.PUSH_LIMIT + 1))
        push.agents_push(device_ids=range(push.PUSH_LIMIT, push.PUSH_LIMIT + 50))
    (only,) = callbacks
    assert isinstance(only, push._Push)
    assert only.device_ids == set(range(1, push.PUSH_LIMIT + 1))


def test_adding_a_device_to_a_group_pushes_it(personas, django_capture_on_commit_callbacks) -> None:
    kiosk = make_device(personas.tenant, "kiosk-01")
    other = make_device(personas.tenant, "kiosk-02")
    group = group_create(tenant=personas.tenant, display_name="Kiosks", actor=None)
    with listening(kiosk, other) as agents:
        with django_capture_on_commit_callbacks(execute=True):
            group_device_add(group=group, device=kiosk, actor=personas.admin)
        assert agents.pushed(kiosk, other) == ["kiosk-01"]


def test_a_user_joining_or_leaving_a_group_pushes_that_users_devices(
    personas, django_capture_on_commit_callbacks
) -> None:
    anton = make_device(personas.tenant, "anton-laptop", personas.amsterdam_user)
    louise = make_device(personas.tenant, "louise-laptop", personas.lyon_user)
    group = group_create(tenant=personas.tenant, display_name="Wi-Fi pilot", actor=None)
    with listening(anton, louise) as agents:
        with django_capture_on_commit_callbacks(execute=True):
            group_member_add(group=group, member=personas.amsterdam_user, actor=personas.admin)
        assert agents.pushed(anton, louise) == ["anton-laptop"]
        with django_capture_on_commit_callbacks(execute=True):
            group_member_remove(group=group, member=personas.amsterdam_user, actor=personas.admin)
        assert agents.pushed(anton, louise) == ["anton-laptop"]


def test_nesting_a_group_pushes_every_device_it_reaches(
    personas, django_capture_on_commit_callbacks
) -> None:
    anton = make_device(personas.tenant, "anton-laptop", personas.amsterdam_user)
    kiosk = make_device(personas.tenant, "kiosk-01")
    louise = make_device(personas.tenant, "louise-laptop", personas.lyon_user)
    parent = group_create(tenant=personas.tenant, display_name="Push test parent", actor=None)
    child = group_create(tenant=personas.tenant, display_name="Push test child", actor=None)
    inner = group_create(tenant=personas.tenant, display_name="Push test inner", actor=None)
    with django_capture_on_commit_callbacks(execute=True):  # committed, as the tested change is
        group_member_add(group=child, member=personas.amsterdam_user, actor=None)
        group_member_add(group=child, member=inner, actor=None)
        group_device_add(group=inner, device=kiosk, actor=None)
    with listening(anton, kiosk, louise) as agents:
        with django_capture_on_commit_callbacks(execute=True):
            group_member_add(group=parent, member=child, actor=personas.admin)
        assert agents.pushed(anton, kiosk, louise) == ["anton-laptop", "kiosk-01"]
        with django_capture_on_commit_callbacks(execute=True):
            group_delete(group=child, actor=personas.admin)
        assert agents.pushed(anton, kiosk, louise) == ["anton-laptop", "kiosk-01"]


def test_a_refused_membership_change_pushes_nothing(
    personas, django_capture_on_commit_callbacks
) -> None:
    make_device(personas.tenant, "anton-laptop", personas.amsterdam_user)
    group = group_create(tenant=personas.tenant, display_name="Wi-Fi pilot", actor=None)
    group_member_add(group=group, member=personas.amsterdam_user, actor=None)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(ValidationError, match="already a member"),
    ):
        group_member_add(group=group, member=personas.amsterdam_user, actor=personas.admin)
    assert callbacks == []
