"""Reads of roles and assignments, for the portal pages. Access is checked by the callers' guard."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from deskside.access.catalog import CATALOG, RESOURCE_LABELS
from deskside.access.models import Role, RoleAssignment
from deskside.directory.models import Group, User
from deskside.directory.selectors import group_ids_of_user_query


def roles_of_tenant(*, tenant_id: int) -> QuerySet[Role]:
    """The built-in roles and the tenant's custom roles."""
    return Role.objects.filter(Q(tenant_id=tenant_id) | Q(tenant__isnull=True))


def role_list(*, operator: User) -> QuerySet[Role]:
    return (
        roles_of_tenant(tenant_id=operator.tenant_id)
        .annotate(
            permission_count=Count("permissions", distinct=True),
            assignment_count=Count(
                "assignments",
                filter=Q(assignments__tenant_id=operator.tenant_id),
                distinct=True,
            ),
        )
        .order_by("-builtin_key", "name")
    )


def role_permissions_by_resource(*, role: Role) -> list[tuple[str, list[str]]]:
    """The role's permissions, grouped as the catalog orders them, with resource labels."""
    codes = set(role.permissions.values_list("code", flat=True))
    grouped = []
    for resource, actions in CATALOG.items():
        granted = [action for action in actions if f"{resource}.{action}" in codes]
        if granted:
            grouped.append((str(RESOURCE_LABELS[resource]), granted))
    return grouped


def _with_groups(queryset: QuerySet[RoleAssignment]) -> QuerySet[RoleAssignment]:
    groups = Group.objects.order_by("display_name")
    return queryset.select_related("role").prefetch_related(
        Prefetch("member_groups", queryset=groups), Prefetch("scope_groups", queryset=groups)
    )


def assignment_list(*, operator: User) -> QuerySet[RoleAssignment]:
    return _with_groups(RoleAssignment.objects.filter(tenant_id=operator.tenant_id))


def assignments_of_role(*, role: Role, operator: User) -> QuerySet[RoleAssignment]:
    return _with_groups(role.assignments.filter(tenant_id=operator.tenant_id))


def assignments_of_operator(*, operator: User) -> QuerySet[RoleAssignment]:
    """The assignments that include the operator through their (nested) groups."""
    return _with_groups(
        RoleAssignment.objects.filter(
            tenant_id=operator.tenant_id,
            member_groups__in=group_ids_of_user_query(user_id=operator.pk),
        ).distinct()
    )
