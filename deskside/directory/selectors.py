"""Reads of the directory. Membership questions are one query, through the closure table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from deskside.directory.models import (
    Group,
    GroupClosure,
    Tenant,
    TenantDomain,
    User,
    UserMembership,
)


def group_ids_of_user_query(*, user_id: int) -> QuerySet[GroupClosure, int]:
    """Subquery of ids of the groups a user belongs to, directly or through nesting."""
    return GroupClosure.objects.filter(descendant__user_memberships__user_id=user_id).values_list(
        "ancestor_id", flat=True
    )


def user_ids_in_groups_query(
    *, group_ids: Iterable[int] | QuerySet[Any, int]
) -> QuerySet[User, int]:
    """Subquery of ids of users in any of the groups, directly or through nesting."""
    return User.objects.filter(
        group_memberships__group__ancestor_links__ancestor_id__in=group_ids
    ).values_list("id", flat=True)


def group_list_for_user(*, user: User) -> list[tuple[Group, bool]]:
    """The groups of a user, each with whether the membership is direct, in one query."""
    direct = UserMembership.objects.filter(user_id=user.pk, group_id=OuterRef("pk"))
    groups = Group.objects.filter(id__in=group_ids_of_user_query(user_id=user.pk)).annotate(
        is_direct=Exists(direct)
    )
    return [(group, group.is_direct) for group in groups]


def user_search(*, queryset: QuerySet[User], text: str) -> QuerySet[User]:
    """Users whose name or e-mail contains ``text`` (case-insensitive)."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(display_name__icontains=text)
        | Q(email__icontains=text)
        | Q(given_name__icontains=text)
        | Q(surname__icontains=text)
    )


def group_members(*, group: Group, operator: User) -> tuple[QuerySet[User], QuerySet[Group]]:
    """The direct members of a group: the users the operator may see, and nested groups."""
    from deskside.access.checks import scope  # access builds on directory, not the reverse

    users = scope(User.objects.all(), operator, "Users.Read").filter(group_memberships__group=group)
    users = users.order_by("display_name")
    groups = Group.objects.filter(parent_links__parent=group).order_by("display_name")
    return users, groups


def tenant_for_email(*, email: str) -> Tenant | None:
    """The tenant whose verified domain the address is in."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    found = TenantDomain.objects.select_related("tenant").filter(name=domain).first()
    return found.tenant if found else None


def group_list(*, tenant_id: int, text: str = "") -> QuerySet[Group]:
    """The tenant's groups with counts of direct member users and nested groups."""
    groups = Group.objects.filter(tenant_id=tenant_id)
    if text.strip():
        groups = groups.filter(display_name__icontains=text.strip())
    return groups.annotate(
        user_count=Count("user_memberships", distinct=True),
        group_count=Count("child_links", distinct=True),
    ).order_by("display_name")
