"""Setting up a tenant's first administrator: used by ``createadmin`` and the demo."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.services import role_assignment_create
from deskside.directory.models import Group, Tenant, User
from deskside.directory.services import group_create, group_member_add, tenant_create, user_create

ADMIN_GROUP = "Deskside administrators"
ADMIN_ASSIGNMENT = "Administrators"


@transaction.atomic
def administrator_provision(
    *, tenant_name: str, domain: str, email: str, display_name: str, password: str
) -> User:
    """Idempotently: tenant and domain, the user, an admin group, an Administrator assignment."""
    tenant = Tenant.objects.filter(name=tenant_name).first()
    if tenant is None:
        if Tenant.objects.filter(domains__name=domain.lower()).exists():
            raise ValidationError(f"The domain {domain} belongs to another tenant.")
        tenant = tenant_create(name=tenant_name, domains=[domain])
    elif not tenant.domains.filter(name=domain.lower()).exists():
        raise ValidationError(f"The domain {domain} is not a verified domain of {tenant_name}.")
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        candidate = User(tenant=tenant, email=email, display_name=display_name)
        validate_password(password, candidate)
        user = user_create(
            tenant=tenant, email=email, display_name=display_name, password=password, actor=None
        )
    elif user.tenant_id != tenant.pk:
        raise ValidationError(f"{email} is a user of another tenant.")
    group = Group.objects.filter(tenant=tenant, display_name=ADMIN_GROUP).first()
    if group is None:
        group = group_create(
            tenant=tenant,
            display_name=ADMIN_GROUP,
            description="Holders of the Administrator role",
            actor=None,
        )
    if not group.user_memberships.filter(user=user).exists():
        group_member_add(group=group, member=user, actor=None)
    if not tenant.role_assignments.filter(name=ADMIN_ASSIGNMENT).exists():
        role_assignment_create(
            tenant=tenant,
            name=ADMIN_ASSIGNMENT,
            description="Everything in the tenant",
            role=Role.objects.get(builtin_key="administrator"),
            member_groups=[group],
            scope_kind=ScopeKind.ALL_USERS_AND_DEVICES,
            actor=None,
        )
    return user
