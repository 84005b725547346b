"""Writes to roles and role assignments, each audited in its transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from deskside.access.catalog import ALL_PERMISSIONS, BUILTIN_ROLES
from deskside.access.choices import ScopeKind
from deskside.access.models import Role, RoleAssignment, RolePermission
from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.directory.models import Group, Tenant, User


def builtin_roles_sync() -> None:
    """Make the built-in role rows match the catalog (run by a data migration)."""
    for key, (name, description, codes) in BUILTIN_ROLES.items():
        role, _created = Role.objects.update_or_create(
            builtin_key=key, defaults={"name": str(name), "description": str(description)}
        )
        role.permissions.exclude(code__in=codes).delete()
        have = set(role.permissions.values_list("code", flat=True))
        RolePermission.objects.bulk_create(
            RolePermission(role=role, code=code) for code in codes if code not in have
        )


def _clean_role(
    *, tenant: Tenant, name: str, permissions: Iterable[str], exclude_id: int | None = None
) -> tuple[str, set[str]]:
    name = name.strip()
    codes = set(permissions)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("A role name is required.")
    else:
        clash = Role.objects.filter(tenant=tenant, name=name)
        if exclude_id is not None:
            clash = clash.exclude(pk=exclude_id)
        if clash.exists():
            errors["name"] = _("A role with this name already exists.")
    unknown = codes - set(ALL_PERMISSIONS)
    if unknown:
        errors["permissions"] = _("Unknown permissions: %(codes)s.") % {
            "codes": ", ".join(sorted(unknown))
        }
    elif not codes:
        errors["permissions"] = _("Choose at least one permission.")
    if errors:
        raise ValidationError(errors)
    return name, codes


@transaction.atomic
def role_create(
    *,
    tenant: Tenant,
    name: str,
    description: str,
    permissions: Iterable[str],
    actor: User,
    request: HttpRequest | None = None,
) -> Role:
    name, codes = _clean_role(tenant=tenant, name=name, permissions=permissions)
    role = Role.objects.create(tenant=tenant, name=name, description=description.strip())
    RolePermission.objects.bulk_create(RolePermission(role=role, code=code) for code in codes)
    audit_record(
        action=Action.ROLE_CREATED,
        tenant=tenant,
        actor=actor,
        target=role,
        request=request,
        details={"permissions": sorted(codes)},
    )
    return role


def _refuse_builtin(role: Role) -> None:
    if role.is_builtin:
        raise ValidationError(_("Built-in roles cannot be changed or deleted."))


@transaction.atomic
def role_update(
    *,
    role: Role,
    name: str,
    description: str,
    permissions: Iterable[str],
    actor: User,
    request: HttpRequest | None = None,
) -> Role:
    _refuse_builtin(role)
    assert role.tenant is not None
    name, codes = _clean_role(
        tenant=role.tenant, name=name, permissions=permissions, exclude_id=role.pk
    )
    before = set(role.permissions.values_list("code", flat=True))
    role.name = name
    role.description = description.strip()
    role.save(update_fields=["name", "description", "updated_at"])
    role.permissions.exclude(code__in=codes).delete()
    RolePermission.objects.bulk_create(
        RolePermission(role=role, code=code) for code in codes - before
    )
    audit_record(
        action=Action.ROLE_UPDATED,
        tenant=role.tenant,
        actor=actor,
        target=role,
        request=request,
        details={"added": sorted(codes - before), "removed": sorted(before - codes)},
    )
    return role


@transaction.atomic
def role_delete(*, role: Role, actor: User, request: HttpRequest | None = None) -> None:
    _refuse_builtin(role)
    if role.assignments.exists():
        raise ValidationError(_("This role is assigned; delete its assignments first."))
    audit_record(
        action=Action.ROLE_DELETED, tenant=role.tenant, actor=actor, target=role, request=request
    )
    role.delete()


def _clean_assignment(
    *,
    tenant: Tenant,
    name: str,
    role: Role,
    member_groups: Iterable[Group],
    scope_kind: str,
    scope_groups: Iterable[Group],
    exclude_id: int | None = None,
) -> tuple[str, list[Group], list[Group]]:
    name = name.strip()
    members = list(member_groups)
    scoped = list(scope_groups)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("A name is required.")
    else:
        clash = RoleAssignment.objects.filter(tenant=tenant, name=name)
        if exclude_id is not None:
            clash = clash.exclude(pk=exclude_id)
        if clash.exists():
            errors["name"] = _("An assignment with this name already exists.")
    if role.tenant_id not in (None, tenant.pk):
        errors["role"] = _("Choose a role of this tenant.")
    if not members:
        errors["member_groups"] = _("Choose at least one member group.")
    if scope_kind not in ScopeKind.values:
        errors["scope_kind"] = _("Choose a valid scope.")
    elif scope_kind == ScopeKind.GROUPS and not scoped:
        errors["scope_groups"] = _(
            "Choose at least one scope group, or a scope of all users or devices."
        )
    if any(group.tenant_id != tenant.pk for group in [*members, *scoped]):
        errors["member_groups"] = _("Choose groups of this tenant.")
    if errors:
        raise ValidationError(errors)
    if scope_kind != ScopeKind.GROUPS:
        scoped = []
    return name, members, scoped


@transaction.atomic
def role_assignment_create(
    *,
    tenant: Tenant,
    name: str,
    description: str = "",
    role: Role,
    member_groups: Iterable[Group],
    scope_kind: str,
    scope_groups: Iterable[Group] = (),
    actor: User | None,
    request: HttpRequest | None = None,
) -> RoleAssignment:
    name, members, scoped = _clean_assignment(
        tenant=tenant,
        name=name,
        role=role,
        member_groups=member_groups,
        scope_kind=scope_kind,
        scope_groups=scope_groups,
    )
    assignment = RoleAssignment.objects.create(
        tenant=tenant, name=name, description=description.strip(), role=role, scope_kind=scope_kind
    )
    assignment.member_groups.set(members)
    assignment.scope_groups.set(scoped)
    audit_record(
        action=Action.ROLE_ASSIGNMENT_CREATED,
        tenant=tenant,
        actor=actor,
        target=assignment,
        request=request,
        details=_assignment_details(assignment, members, scoped),
    )
    return assignment


def _assignment_details(
    assignment: RoleAssignment, members: list[Group], scoped: list[Group]
) -> dict[str, object]:
    return {
        "role": assignment.role.name,
        "members": sorted(group.display_name for group in members),
        "scope_kind": assignment.scope_kind,
        "scope_groups": sorted(group.display_name for group in scoped),
    }


@transaction.atomic
def role_assignment_update(
    *,
    assignment: RoleAssignment,
    name: str,
    description: str,
    role: Role,
    member_groups: Iterable[Group],
    scope_kind: str,
    scope_groups: Iterable[Group],
    actor: User,
    request: HttpRequest | None = None,
) -> RoleAssignment:
    name, members, scoped = _clean_assignment(
        tenant=assignment.tenant,
        name=name,
        role=role,
        member_groups=member_groups,
        scope_kind=scope_kind,
        scope_groups=scope_groups,
        exclude_id=assignment.pk,
    )
    assignment.name = name
    assignment.description = description.strip()
    assignment.role = role
    assignment.scope_kind = scope_kind
    assignment.save()
    assignment.member_groups.set(members)
    assignment.scope_groups.set(scoped)
    audit_record(
        action=Action.ROLE_ASSIGNMENT_UPDATED,
        tenant=assignment.tenant,
        actor=actor,
        target=assignment,
        request=request,
        details=_assignment_details(assignment, members, scoped),
    )
    return assignment


@transaction.atomic
def role_assignment_delete(
    *, assignment: RoleAssignment, actor: User, request: HttpRequest | None = None
) -> None:
    audit_record(
        action=Action.ROLE_ASSIGNMENT_DELETED,
        tenant=assignment.tenant,
        actor=actor,
        target=assignment,
        request=request,
    )
    assignment.delete()
