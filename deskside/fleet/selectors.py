"""Reads of the fleet."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from deskside.directory.models import GroupClosure
from deskside.directory.selectors import user_ids_in_groups_query
from deskside.fleet.choices import ManagementState
from deskside.fleet.models import DeviceMembership, ManagedDevice

if TYPE_CHECKING:
    from deskside.access.checks import Scope


def device_ids_in_groups_query(
    *, group_ids: Iterable[int] | QuerySet[Any, int]
) -> QuerySet[DeviceMembership, int]:
    """Subquery of ids of devices in any of the groups, directly or through nesting."""
    return DeviceMembership.objects.filter(
        group__ancestor_links__ancestor_id__in=group_ids
    ).values_list("device_id", flat=True)


def devices_in_scope(queryset: QuerySet[ManagedDevice], scope: Scope) -> QuerySet[ManagedDevice]:
    """The access check's rule for devices (shared/reference/permissions.md):

    a device is in scope when it, or its primary user, is in a scope group; "all devices" covers
    every enrolled device (never an unenrolled one); "all users" covers the devices of any user.
    """
    condition = Q(pk__in=[])
    if scope.all_devices:
        condition |= ~Q(management_state=ManagementState.UNENROLLED)
    if scope.all_users:
        condition |= Q(primary_user__isnull=False)
    if scope.group_ids:
        condition |= Q(id__in=device_ids_in_groups_query(group_ids=scope.group_ids))
        condition |= Q(primary_user_id__in=user_ids_in_groups_query(group_ids=scope.group_ids))
    return queryset.filter(condition)


def device_group_ids(*, device: ManagedDevice) -> frozenset[int]:
    """Ids of the groups assignments reach the device through, in one query: the device's own
    groups and its primary user's, directly or through nesting."""
    condition = Q(descendant__device_memberships__device_id=device.pk)
    if device.primary_user_id is not None:
        condition |= Q(descendant__user_memberships__user_id=device.primary_user_id)
    return frozenset(
        GroupClosure.objects.filter(condition).values_list("ancestor_id", flat=True).distinct()
    )


def device_for_credential(*, credential: str) -> ManagedDevice | None:
    """The enrolled device whose agent holds ``credential`` (only its hash is stored)."""
    if not credential:
        return None
    return (
        ManagedDevice.objects.filter(
            credential_hash=hashlib.sha256(credential.encode()).hexdigest()
        )
        .exclude(management_state=ManagementState.UNENROLLED)
        .first()
    )
