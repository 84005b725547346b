"""The one place that answers "may operator O do P on target T", and "which targets may O see".

Every view, API handler and websocket message calls ``require`` or ``scope``; nothing else
re-implements the rules of shared/reference/permissions.md:

- a permission applies to a target when one of the operator's role assignments grants it and that
  assignment's scope contains the target;
- a target out of every assignment's scope (or in another tenant) is answered as missing (404),
  one in scope with too weak a role as forbidden (403);
- an operator without a licence, or with a disabled account, has no permissions at all.

Kinds of targets register how a scope applies to them (``register_scope``); users are scoped here,
devices by the fleet part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from deskside.access.catalog import ALL_PERMISSIONS, expand
from deskside.access.choices import ScopeKind
from deskside.access.models import RoleAssignment
from deskside.directory.models import User
from deskside.directory.selectors import group_ids_of_user_query, user_ids_in_groups_query

M = TypeVar("M", bound=models.Model)

NOT_FOUND_MESSAGE = _("Not found, or not in your scope.")


@dataclass(frozen=True)
class Scope:
    """What a set of assignments covers: all users, all devices, and/or some groups."""

    all_users: bool = False
    all_devices: bool = False
    group_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.all_users or self.all_devices or self.group_ids)

    def __or__(self, other: Scope) -> Scope:
        return Scope(
            all_users=self.all_users or other.all_users,
            all_devices=self.all_devices or other.all_devices,
            group_ids=self.group_ids | other.group_ids,
        )


@dataclass(frozen=True)
class Grant:
    """One role assignment as it applies to the operator."""

    assignment_id: int
    permissions: frozenset[str]
    scope: Scope


@dataclass
class Grants:
    """All of an operator's grants, read once per request."""

    tenant_id: int
    items: list[Grant] = field(default_factory=list)

    def permissions(self) -> frozenset[str]:
        return frozenset().union(*(grant.permissions for grant in self.items))

    def scope_for(self, permission: str | None) -> Scope:
        """The union of the scopes of the grants that give ``permission`` (None: of all grants)."""
        scope = Scope()
        for grant in self.items:
            if permission is None or permission in grant.permissions:
                scope = scope | grant.scope
        return scope


ScopeFilter = Callable[[QuerySet[Any], Scope], QuerySet[Any]]
_SCOPE_FILTERS: dict[type[models.Model], ScopeFilter] = {}


def register_scope(model: type[models.Model], scope_filter: ScopeFilter) -> None:
    """Declare how a scope limits a kind of target (called once, from the owning part)."""
    _SCOPE_FILTERS[model] = scope_filter


def _users_in_scope(queryset: QuerySet[User], scope: Scope) -> QuerySet[User]:
    if scope.all_users:
        return queryset
    if scope.group_ids:
        return queryset.filter(id__in=user_ids_in_groups_query(group_ids=scope.group_ids))
    return queryset.none()


register_scope(User, _users_in_scope)

_SCOPE_OF_KIND = {
    ScopeKind.ALL_USERS: Scope(all_users=True),
    ScopeKind.ALL_DEVICES: Scope(all_devices=True),
    ScopeKind.ALL_USERS_AND_DEVICES: Scope(all_users=True, all_devices=True),
}


def operator_grants(operator: User) -> Grants:
    """The operator's role assignments, read in two queries and kept on the user for the request.

    An unlicensed or disabled operator, or one of an inactive session, gets no grants at all.
    """
    cached: Grants | None = getattr(operator, "_deskside_grants", None)
    if cached is not None:
        return cached
    grants = Grants(tenant_id=operator.tenant_id)
    if operator.is_authenticated and operator.account_enabled and operator.has_license:
        assignments = RoleAssignment.objects.filter(
            tenant_id=operator.tenant_id,
            member_groups__in=group_ids_of_user_query(user_id=operator.pk),
        )
        permissions: dict[int, set[str]] = {}
        kinds: dict[int, str] = {}
        for assignment_id, kind, code in assignments.values_list(
            "id", "scope_kind", "role__permissions__code"
        ):
            kinds[assignment_id] = kind
            permissions.setdefault(assignment_id, set())
            if code:
                permissions[assignment_id].add(code)
        scope_groups: dict[int, set[int]] = {}
        for assignment_id, group_id in RoleAssignment.scope_groups.through.objects.filter(
            roleassignment_id__in=list(kinds)
        ).values_list("roleassignment_id", "group_id"):
            scope_groups.setdefault(assignment_id, set()).add(group_id)
        for assignment_id, kind in sorted(kinds.items()):
            if kind == ScopeKind.GROUPS:
                scope = Scope(group_ids=frozenset(scope_groups.get(assignment_id, ())))
            else:
                scope = _SCOPE_OF_KIND[ScopeKind(kind)]
            grants.items.append(Grant(assignment_id, expand(permissions[assignment_id]), scope))
    operator._deskside_grants = grants  # type: ignore[attr-defined]
    return grants


def _check_code(permission: str) -> None:
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"{permission!r} is not in the permission catalog")


def has_permission(operator: User, permission: str) -> bool:
    """Whether any of the operator's assignments grants ``permission`` (whatever its scope)."""
    _check_code(permission)
    return permission in operator_grants(operator).permissions()


def is_operator(operator: User) -> bool:
    """Whether the user holds any role assignment that is in force."""
    return bool(operator_grants(operator).items)


def scope(queryset: QuerySet[M], operator: User, permission: str) -> QuerySet[M]:
    """The part of ``queryset`` that ``operator`` may ``permission``: one filter, no extra query.

    For kinds of objects without a registered scope (roles, groups, audit events...), the scope
    is the operator's tenant, for any holder of the permission.
    """
    _check_code(permission)
    grants = operator_grants(operator)
    queryset = queryset.filter(tenant_id=grants.tenant_id)
    if permission not in grants.permissions():
        return queryset.none()
    scope_filter = _SCOPE_FILTERS.get(queryset.model)
    if scope_filter is None:
        return queryset
    return scope_filter(queryset, grants.scope_for(permission))


def _in_scope(target: models.Model, scope_: Scope) -> bool:
    scope_filter = _SCOPE_FILTERS[type(target)]
    base = type(target)._default_manager.filter(pk=target.pk)
    return scope_filter(base, scope_).exists()


def _of_tenant(target: models.Model, tenant_id: int) -> bool:
    """Whether the target belongs to the tenant; built-in roles (no tenant) belong to every one."""
    target_tenant_id = getattr(target, "tenant_id", None)
    if target_tenant_id is None:
        return bool(getattr(target, "is_builtin", False))
    return bool(target_tenant_id == tenant_id)


def require(operator: User, permission: str, target: models.Model | None = None) -> None:
    """Raise unless ``operator`` may ``permission`` on ``target`` (or tenant-wide when None).

    Http404 when the target is in another tenant or outside every scope of the operator;
    PermissionDenied when it is visible but no assignment covering it grants the permission.
    """
    _check_code(permission)
    grants = operator_grants(operator)
    if target is not None and not _of_tenant(target, grants.tenant_id):
        raise Http404(NOT_FOUND_MESSAGE)
    if target is not None and type(target) in _SCOPE_FILTERS:
        if not _in_scope(target, grants.scope_for(None)):
            raise Http404(NOT_FOUND_MESSAGE)
        if not _in_scope(target, grants.scope_for(permission)):
            raise PermissionDenied(_("Your role does not allow this."))
        return
    if permission not in grants.permissions():
        raise PermissionDenied(_("Your role does not allow this."))


def get_or_404(queryset: QuerySet[M], operator: User, permission: str, **lookup: Any) -> M:
    """Fetch one object by ``lookup`` and ``require`` the permission on it."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404(NOT_FOUND_MESSAGE)
    require(operator, permission, obj)
    return obj


def permissions_of(operator: User) -> Iterable[str]:
    """The operator's permissions, for navigation and the "my access" page."""
    return sorted(operator_grants(operator).permissions())
