"""core/per_revision.py: a tenant's read is kept for the revision it was read at, read again at
any other, never kept without one, and only for so many tenants."""

from __future__ import annotations

from deskside.core.per_revision import PerRevision


def _counting() -> tuple[PerRevision[tuple[int, int]], list[int]]:
    loads: list[int] = []

    def load(tenant_id: int) -> tuple[int, int]:
        loads.append(tenant_id)
        return (tenant_id, len(loads))

    return PerRevision(load, tenants=2), loads


def test_the_same_revision_is_answered_from_what_was_kept() -> None:
    kept, loads = _counting()
    first = kept.get(tenant_id=1, revision=7)
    assert kept.get(tenant_id=1, revision=7) is first
    assert loads == [1]


def test_another_revision_reads_afresh_and_keeps_that_one() -> None:
    kept, loads = _counting()
    kept.get(tenant_id=1, revision=7)
    assert kept.get(tenant_id=1, revision=8) == (1, 2)
    assert kept.get(tenant_id=1, revision=8) == (1, 2)
    assert kept.get(tenant_id=1, revision=7) == (1, 3)
    assert loads == [1, 1, 1]


def test_without_a_revision_nothing_is_kept() -> None:
    kept, loads = _counting()
    kept.get(tenant_id=1, revision=None)
    kept.get(tenant_id=1, revision=None)
    kept.get(tenant_id=1, revision=5)
    assert loads == [1, 1, 1]


def test_tenants_are_kept_apart_and_the_least_recently_used_goes_first() -> None:
    kept, loads = _counting()
    kept.get(tenant_id=1, revision=1)
    kept.get(tenant_id=2, revision=1)
    kept.get(tenant_id=1, revision=1)  # tenant 2 is now the least recently used
    kept.get(tenant_id=3, revision=1)
    kept.get(tenant_id=1, revision=1)
    kept.get(tenant_id=2, revision=1)
    assert loads == [1, 2, 3, 2]


def test_clear_forgets_everything() -> None:
    kept, loads = _counting()
    kept.get(tenant_id=1, revision=1)
    kept.clear()
    kept.get(tenant_id=1, revision=1)
    assert loads == [1, 1]
