"""What a tenant's devices are assigned, read once per assignments revision and kept in the process.

Every full check-in needs the tenant's compliance policies, configuration profiles and apps
assigned to the device's groups. Those change only through the services that also give the
tenant a new ``assignments_revision`` in the same transaction (directory.services.
tenant_assignments_changed), and the check-in reads the revision with the device row it locks.
So a part reads all of a tenant's assignments of one kind once, keeps them here under the tenant
and that revision, and each check-in at the same revision picks the device's share from memory:
no query, and no model instances built again (bench/README.md).

Correct across processes and servers: the key is the revision the database holds, so a process
that still keeps an older revision's read never uses it for a check-in that read the new one. A
revision is a random number (not a count), so a tenant id that comes back after a rolled-back
transaction (SQLite reuses them) never meets what was kept for the one before.

What is kept is shared by every thread of the process: callers read it and never change it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

# Tenants kept per kind of read. A self-hosted server has one tenant or a few; past this the
# least recently used is dropped and read again when needed.
TENANTS_KEPT = 32


class PerRevision(Generic[T]):
    """``load(tenant_id)`` kept per tenant for one revision: ``get`` with the revision the
    caller read (in its transaction) answers from memory while it is the kept one, and loads
    afresh (and keeps that) when it is not. ``revision=None``: load, keep nothing."""

    def __init__(self, load: Callable[[int], T], *, tenants: int = TENANTS_KEPT) -> None:
        self._load = load
        self._tenants = tenants
        self._kept: OrderedDict[int, tuple[int, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, *, tenant_id: int, revision: int | None) -> T:
        if revision is None:
            return self._load(tenant_id)
        with self._lock:
            found = self._kept.get(tenant_id)
            if found is not None and found[0] == revision:
                self._kept.move_to_end(tenant_id)
                return found[1]
        # Loaded outside the lock: two threads that miss at once both read, and either keeps.
        loaded = self._load(tenant_id)
        with self._lock:
            self._kept[tenant_id] = (revision, loaded)
            self._kept.move_to_end(tenant_id)
            while len(self._kept) > self._tenants:
                self._kept.popitem(last=False)
        return loaded

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
