"""What the directory tells other parts without depending on them.

``reach_changed``: the set of users and devices that groups reach changed (a user joined or left a
group, a group was nested or un-nested, a group was deleted), inside the transaction that changed
it. ``user_ids`` are the users concerned directly; ``group_ids`` are groups all of whose members,
through nesting, are concerned. fleet connects to it to ask the devices concerned to check in once
the change commits, so that assignments to groups reach them at once (fleet/push.py).
"""

from __future__ import annotations

from django.dispatch import Signal

reach_changed = Signal()
