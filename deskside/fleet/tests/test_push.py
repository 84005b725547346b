"""The fleet's push to connected agents (fleet/push.py): sent on commit, at most PUSH_LIMIT
devices a transaction, and adding a device to a group pushes it."""

from __future__ import annotations

from deskside.directory.services import group_create
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
