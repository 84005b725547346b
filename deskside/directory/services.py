"""Writes to the directory. Each is one transaction with its audit event."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.directory.models import (
    Group,
    GroupClosure,
    GroupNesting,
    Tenant,
    TenantDomain,
    User,
    UserMembership,
    new_assignments_revision,
)
from deskside.directory.signals import reach_changed

USER_FIELDS = (
    "display_name",
    "given_name",
    "surname",
    "job_title",
    "account_enabled",
    "has_license",
)


def normalize_email(email: str) -> str:
    return email.strip().lower()


@transaction.atomic
def tenant_create(*, name: str, domains: list[str]) -> Tenant:
    """A new tenant with its verified domains."""
    tenant = Tenant.objects.create(name=name)
    for domain in domains:
        TenantDomain.objects.create(tenant=tenant, name=domain.strip().lower())
    return tenant


def tenant_assignments_changed(*, tenant_id: int) -> None:
    """Something that decides what reaches the tenant's devices changed (group membership or
    nesting, a compliance policy, a configuration profile, an app or one of their assignments):
    give the tenant a new revision, in the caller's transaction, so that every device's next
    check-in evaluates and answers afresh instead of reusing its last basis (fleet/checkin.py),
    from the assignments as they are now (core/per_revision.py)."""
    Tenant.objects.filter(pk=tenant_id).update(assignments_revision=new_assignments_revision())


def _validate_user_email(*, tenant: Tenant, email: str, exclude_id: int | None = None) -> str:
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    domain = email.rpartition("@")[2]
    if not tenant.domains.filter(name=domain).exists():
        raise ValidationError(
            {
                "email": _("The domain %(domain)s is not a verified domain of this tenant.")
                % {"domain": domain}
            }
        )
    taken = User.objects.filter(email=email)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    return email


@transaction.atomic
def user_create(
    *,
    tenant: Tenant,
    email: str,
    display_name: str,
    actor: User | None,
    request: HttpRequest | None = None,
    password: str | None = None,
    **fields: Any,
) -> User:
    """Create a directory user; with no password they sign in only through the tenant IdP."""
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    if not display_name.strip():
        raise ValidationError({"display_name": _("A display name is required.")})
    user = User(
        tenant=tenant,
        email=_validate_user_email(tenant=tenant, email=email),
        display_name=display_name.strip(),
        **fields,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        action=Action.USER_CREATED, tenant=tenant, actor=actor, target=user, request=request
    )
    return user


@transaction.atomic
def user_update(
    *, user: User, actor: User, request: HttpRequest | None = None, **changes: Any
) -> User:
    """Change a user's directory fields (and e-mail); records which fields changed."""
    unknown = set(changes) - set(USER_FIELDS) - {"email"}
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    if "email" in changes:
        changes["email"] = _validate_user_email(
            tenant=user.tenant, email=changes["email"], exclude_id=user.pk
        )
    if "display_name" in changes and not str(changes["display_name"]).strip():
        raise ValidationError({"display_name": _("A display name is required.")})
    changed = sorted(name for name, value in changes.items() if getattr(user, name) != value)
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action=Action.USER_UPDATED,
            tenant=user.tenant,
            actor=actor,
            target=user,
            request=request,
            details={"fields": changed},
        )
    return user


@transaction.atomic
def group_create(
    *,
    tenant: Tenant,
    display_name: str,
    description: str = "",
    actor: User | None,
    request: HttpRequest | None = None,
) -> Group:
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError({"display_name": _("A group name is required.")})
    if Group.objects.filter(tenant=tenant, display_name=display_name).exists():
        raise ValidationError({"display_name": _("A group with this name already exists.")})
    group = Group.objects.create(tenant=tenant, display_name=display_name, description=description)
    GroupClosure.objects.create(ancestor=group, descendant=group, paths=1)
    audit_record(
        action=Action.GROUP_CREATED, tenant=tenant, actor=actor, target=group, request=request
    )
    return group


@transaction.atomic
def group_update(
    *,
    group: Group,
    display_name: str,
    description: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Group:
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError({"display_name": _("A group name is required.")})
    clash = Group.objects.filter(tenant=group.tenant, display_name=display_name).exclude(
        pk=group.pk
    )
    if clash.exists():
        raise ValidationError({"display_name": _("A group with this name already exists.")})
    group.display_name = display_name
    group.description = description
    group.save(update_fields=["display_name", "description"])
    audit_record(
        action=Action.GROUP_UPDATED, tenant=group.tenant, actor=actor, target=group, request=request
    )
    return group


@transaction.atomic
def group_delete(*, group: Group, actor: User, request: HttpRequest | None = None) -> None:
    """Delete a group; groups nested in it stay, their paths through it go."""
    reach_changed.send(sender=Group, tenant_id=group.tenant_id, user_ids=[], group_ids=[group.pk])
    for nesting in list(GroupNesting.objects.filter(parent=group)) + list(
        GroupNesting.objects.filter(child=group)
    ):
        _unlink(parent=nesting.parent, child=nesting.child)
        nesting.delete()
    tenant_assignments_changed(tenant_id=group.tenant_id)
    audit_record(
        action=Action.GROUP_DELETED, tenant=group.tenant, actor=actor, target=group, request=request
    )
    group.delete()


def _path_counts(*, parent: Group, child: Group) -> Counter[tuple[int, int]]:
    """Paths that a parent→child nesting contributes to each (ancestor, descendant) pair."""
    above = GroupClosure.objects.filter(descendant=parent).values_list("ancestor_id", "paths")
    below = GroupClosure.objects.filter(ancestor=child).values_list("descendant_id", "paths")
    below_list = list(below)
    counts: Counter[tuple[int, int]] = Counter()
    for ancestor_id, paths_up in above:
        for descendant_id, paths_down in below_list:
            counts[(ancestor_id, descendant_id)] += paths_up * paths_down
    return counts


def _link(*, parent: Group, child: Group) -> None:
    counts = _path_counts(parent=parent, child=child)
    existing = {
        (row.ancestor_id, row.descendant_id): row
        for row in GroupClosure.objects.filter(
            ancestor_id__in={a for a, _d in counts}, descendant_id__in={d for _a, d in counts}
        )
    }
    new = []
    for pair, paths in counts.items():
        if pair in existing:
            GroupClosure.objects.filter(pk=existing[pair].pk).update(paths=F("paths") + paths)
        else:
            new.append(GroupClosure(ancestor_id=pair[0], descendant_id=pair[1], paths=paths))
    GroupClosure.objects.bulk_create(new)


def _unlink(*, parent: Group, child: Group) -> None:
    for (ancestor_id, descendant_id), paths in _path_counts(parent=parent, child=child).items():
        rows = GroupClosure.objects.filter(ancestor_id=ancestor_id, descendant_id=descendant_id)
        rows.update(paths=F("paths") - paths)
        rows.filter(paths=0).delete()


def _check_same_tenant(group: Group, other: Group | User) -> None:
    if other.tenant_id != group.tenant_id:
        raise ValidationError({"member": _("The member belongs to another tenant.")})


def _reach_changed(*, group: Group, member: User | Group) -> None:
    """The member joined or left ``group``: it (a user) or all its members (a group) now reach
    other assignments."""
    is_user = isinstance(member, User)
    reach_changed.send(
        sender=Group,
        tenant_id=group.tenant_id,
        user_ids=[member.pk] if is_user else [],
        group_ids=[] if is_user else [member.pk],
    )


@transaction.atomic
def group_member_add(
    *,
    group: Group,
    member: User | Group,
    actor: User | None,
    request: HttpRequest | None = None,
) -> None:
    """Add a user or a group (nesting) to a group. Nesting that would make a cycle is refused."""
    _check_same_tenant(group, member)
    if isinstance(member, User):
        if UserMembership.objects.filter(group=group, user=member).exists():
            raise ValidationError({"member": _("This user is already a member of the group.")})
        UserMembership.objects.create(group=group, user=member)
    else:
        if GroupClosure.objects.filter(ancestor=member, descendant=group).exists():
            raise ValidationError(
                {"member": _("A group cannot be nested in itself or in a group nested in it.")}
            )
        if GroupNesting.objects.filter(parent=group, child=member).exists():
            raise ValidationError({"member": _("This group is already a member of the group.")})
        GroupNesting.objects.create(parent=group, child=member)
        _link(parent=group, child=member)
    _reach_changed(group=group, member=member)
    tenant_assignments_changed(tenant_id=group.tenant_id)
    audit_record(
        action=Action.GROUP_MEMBER_ADDED,
        tenant=group.tenant,
        actor=actor,
        target=group,
        request=request,
        details={"member_type": member._meta.model_name, "member": str(member)},
    )


@transaction.atomic
def group_member_remove(
    *,
    group: Group,
    member: User | Group,
    actor: User,
    request: HttpRequest | None = None,
) -> None:
    if isinstance(member, User):
        deleted, _rows = UserMembership.objects.filter(group=group, user=member).delete()
    else:
        deleted, _rows = GroupNesting.objects.filter(parent=group, child=member).delete()
        if deleted:
            _unlink(parent=group, child=member)
    if not deleted:
        raise ValidationError({"member": _("This is not a member of the group.")})
    _reach_changed(group=group, member=member)
    tenant_assignments_changed(tenant_id=group.tenant_id)
    audit_record(
        action=Action.GROUP_MEMBER_REMOVED,
        tenant=group.tenant,
        actor=actor,
        target=group,
        request=request,
        details={"member_type": member._meta.model_name, "member": str(member)},
    )
