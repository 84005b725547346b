from __future__ import annotations

import itertools

import pytest

from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.services import role_assignment_create, role_create
from deskside.directory.models import User
from deskside.directory.services import group_create, group_member_add, user_create

_counter = itertools.count()


@pytest.fixture
def make_operator(personas):  # type: ignore[no-untyped-def]
    """A fresh operator of the personas' tenant holding one role (built-in key or permissions)."""

    def make(
        *,
        role_key: str | None = None,
        permissions: list[str] | None = None,
        scope_kind: str = ScopeKind.ALL_USERS,
        scope_groups: list | None = None,
        licensed: bool = True,
    ) -> User:
        n = next(_counter)
        tenant = personas.tenant
        if role_key is not None:
            role = Role.objects.get(builtin_key=role_key)
        else:
            role = role_create(
                tenant=tenant,
                name=f"Custom {n}",
                description="",
                permissions=permissions or [],
                actor=personas.admin,
            )
        operator = user_create(
            tenant=tenant,
            email=f"operator{n}@lakeside.test",
            display_name=f"Operator {n}",
            actor=None,
            has_license=licensed,
        )
        members = group_create(tenant=tenant, display_name=f"Operators {n}", actor=None)
        group_member_add(group=members, member=operator, actor=None)
        role_assignment_create(
            tenant=tenant,
            name=f"Assignment {n}",
            role=role,
            member_groups=[members],
            scope_kind=scope_kind,
            scope_groups=scope_groups or [],
            actor=None,
        )
        return operator

    return make
