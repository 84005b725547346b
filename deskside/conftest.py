"""Fixed personas for every test: one tenant with an administrator, a help desk operator scoped to
one office, a read-only operator, a role administrator, an unlicensed operator and plain users;
and a second tenant whose administrator is the outsider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.services import builtin_roles_sync, role_assignment_create
from deskside.directory.models import Group, Tenant, User
from deskside.directory.services import group_create, group_member_add, tenant_create, user_create

PASSWORD = "correct horse battery staple"


@dataclass
class Personas:
    tenant: Tenant
    other_tenant: Tenant
    admin: User
    helpdesk: User
    reader: User
    role_admin: User
    unlicensed: User
    nobody: User
    amsterdam_user: User
    lyon_user: User
    outsider: User
    outsider_user: User
    amsterdam: Group
    lyon: Group
    sales: Group
    all_staff: Group
    helpdesk_group: Group


def _user(tenant: Tenant, local: str, name: str, **fields: object) -> User:
    domain = tenant.domains.get().name
    return user_create(
        tenant=tenant,
        email=f"{local}@{domain}",
        display_name=name,
        password=PASSWORD,
        actor=None,
        **fields,
    )


def _assign(tenant: Tenant, name: str, role_key: str, members: Group, **scope: object) -> None:
    role_assignment_create(
        tenant=tenant,
        name=name,
        role=Role.objects.get(builtin_key=role_key),
        member_groups=[members],
        actor=None,
        **scope,  # type: ignore[arg-type]
    )


def build_personas() -> Personas:
    # Transactional tests flush the tables, data-migration rows included; put the built-ins back.
    builtin_roles_sync()
    tenant = tenant_create(name="Lakeside", domains=["lakeside.test"])
    other = tenant_create(name="Elsewhere", domains=["elsewhere.test"])

    def group(name: str, t: Tenant = tenant) -> Group:
        return group_create(tenant=t, display_name=name, actor=None)

    amsterdam, lyon, sales, all_staff = (
        group("Amsterdam office"),
        group("Lyon office"),
        group("Sales"),
        group("All staff"),
    )
    helpdesk_group, admins, readers, role_admins = (
        group("Help desk"),
        group("Admins"),
        group("Readers"),
        group("Role admins"),
    )
    group_member_add(group=all_staff, member=amsterdam, actor=None)
    group_member_add(group=all_staff, member=lyon, actor=None)
    group_member_add(group=amsterdam, member=sales, actor=None)

    admin = _user(tenant, "admin", "Ada Admin", job_title="IT administrator")
    helpdesk = _user(tenant, "helpdesk", "Hugo Helpdesk", job_title="Service desk")
    reader = _user(tenant, "reader", "Rita Reader")
    role_admin = _user(tenant, "roles", "Roland Roles")
    unlicensed = _user(tenant, "unlicensed", "Uma Unlicensed", has_license=False)
    nobody = _user(tenant, "nobody", "Nina Nobody")
    amsterdam_user = _user(tenant, "ams", "Anton Amsterdam", job_title="Account manager")
    lyon_user = _user(tenant, "lyon", "Louise Lyon")
    for grp, member in [
        (admins, admin),
        (helpdesk_group, helpdesk),
        (helpdesk_group, unlicensed),
        (readers, reader),
        (role_admins, role_admin),
        (sales, amsterdam_user),
        (lyon, lyon_user),
    ]:
        group_member_add(group=grp, member=member, actor=None)

    _assign(tenant, "Admins", "administrator", admins, scope_kind=ScopeKind.ALL_USERS_AND_DEVICES)
    _assign(
        tenant,
        "Help desk Amsterdam",
        "helpDeskOperator",
        helpdesk_group,
        scope_kind=ScopeKind.GROUPS,
        scope_groups=[amsterdam],
    )
    _assign(tenant, "Readers", "readOnlyOperator", readers, scope_kind=ScopeKind.ALL_USERS)
    _assign(tenant, "Role admins", "roleAdministrator", role_admins, scope_kind=ScopeKind.ALL_USERS)

    outsider = _user(other, "admin", "Oscar Outsider")
    outsider_user = _user(other, "someone", "Sam Someone")
    other_admins = group("Admins", other)
    group_member_add(group=other_admins, member=outsider, actor=None)
    _assign(other, "Admins", "administrator", other_admins, scope_kind=ScopeKind.ALL_USERS)
    return Personas(
        tenant=tenant,
        other_tenant=other,
        admin=admin,
        helpdesk=helpdesk,
        reader=reader,
        role_admin=role_admin,
        unlicensed=unlicensed,
        nobody=nobody,
        amsterdam_user=amsterdam_user,
        lyon_user=lyon_user,
        outsider=outsider,
        outsider_user=outsider_user,
        amsterdam=amsterdam,
        lyon=lyon,
        sales=sales,
        all_staff=all_staff,
        helpdesk_group=helpdesk_group,
    )


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """``login(user)`` signs the test client in as ``user`` and returns it."""

    def sign_in(user: User) -> Client:
        client.force_login(user, backend="deskside.accounts.backends.DirectoryBackend")
        return client

    return sign_in
