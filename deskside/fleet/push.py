"""Asking connected agents to check in now, once a change that concerns their devices commits.

A push is a shortcut, never the only way: every agent checks in on its own interval anyway
(``DESKSIDE_CHECKIN_SECONDS``), so a push that is dropped, or one to a device that has no
socket, only delays. See docs/agent-protocol.md, "Pushes".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from deskside.directory.selectors import user_ids_in_groups_query
from deskside.fleet.choices import ManagementState
from deskside.fleet.consumers import agent_notify_check_in
from deskside.fleet.models import ManagedDevice
from deskside.fleet.selectors import device_ids_in_groups_query

# At most this many devices are pushed for one transaction; the others pick the change up at
# their next check-in, so a change to a huge group cannot hold its request.
PUSH_LIMIT = 500


class _Push:
    """The callback run on commit: one per transaction, however many changes it holds."""

    def __init__(self) -> None:
        self.device_ids: set[int] = set()
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        for device_id in sorted(self.device_ids):
            agent_notify_check_in(device_id=device_id)


def _pending_push() -> _Push:
    """The transaction's push, registered on commit the first time it is asked for. A push
    registered in a savepoint that rolls back is dropped by Django with the savepoint."""
    connection = transaction.get_connection()
    for _savepoints, callback, *_robust in connection.run_on_commit:
        if isinstance(callback, _Push) and not callback.sent:
            return callback
    push = _Push()
    transaction.on_commit(push)
    return push


def agents_push(*, device_ids: Iterable[int]) -> None:
    """After the transaction commits, ask the connected agents of these devices to check in
    (each once, however often it is named in the transaction; at most ``PUSH_LIMIT``)."""
    wanted = set(device_ids)
    if not wanted:
        return
    if not transaction.get_connection().in_atomic_block:
        push = _Push()
        push.device_ids.update(sorted(wanted)[:PUSH_LIMIT])
        push()
        return
    push = _pending_push()
    room = PUSH_LIMIT - len(push.device_ids)
    push.device_ids.update(sorted(wanted - push.device_ids)[: max(room, 0)])


def agents_push_for_groups(*, group_ids: Iterable[int], user_ids: Iterable[int] = ()) -> None:
    """After the transaction commits, ask the connected agents of the devices the groups reach
    (the devices in them and the devices of the users in them, through nesting), and of the
    devices of ``user_ids``, to check in. One query."""
    groups, users = sorted(set(group_ids)), sorted(set(user_ids))
    if not groups and not users:
        return
    reach = Q(primary_user_id__in=users)
    if groups:
        reach |= Q(id__in=device_ids_in_groups_query(group_ids=groups)) | Q(
            primary_user_id__in=user_ids_in_groups_query(group_ids=groups)
        )
    device_ids = (
        ManagedDevice.objects.filter(reach)
        .exclude(management_state=ManagementState.UNENROLLED)
        .order_by("pk")
        .values_list("pk", flat=True)[:PUSH_LIMIT]
    )
    agents_push(device_ids=device_ids)


def on_reach_changed(
    sender: object, *, user_ids: Iterable[int], group_ids: Iterable[int], **_kwargs: object
) -> None:
    """directory.signals.reach_changed: the users and groups concerned reach other assignments
    now, so their devices check in once the change commits (connected in FleetConfig.ready)."""
    agents_push_for_groups(group_ids=group_ids, user_ids=user_ids)
