"""Which users an operator may see and act on: scope groups (with nesting), all users, tenants."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from deskside.access.checks import require, scope
from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.services import role_assignment_create, role_create
from deskside.directory.models import User
from deskside.directory.services import (
    group_create,
    group_member_add,
    group_member_remove,
    user_create,
)


def _visible(operator: User, permission: str = "Users.Read") -> set[str]:
    return set(scope(User.objects.all(), operator, permission).values_list("email", flat=True))


def test_a_group_scope_covers_members_of_nested_groups(personas) -> None:
    visible = _visible(personas.helpdesk)
    assert "ams@lakeside.test" in visible  # member of Sales, nested in Amsterdam office
    assert "lyon@lakeside.test" not in visible
    assert "admin@lakeside.test" not in visible


def test_all_users_scope_covers_the_tenant_and_nothing_else(personas) -> None:
    visible = _visible(personas.reader)
    assert (
        set(User.objects.filter(tenant=personas.tenant).values_list("email", flat=True)) == visible
    )
    assert "someone@elsewhere.test" not in visible


def test_the_scope_list_is_one_query_whatever_the_size(personas, django_assert_num_queries) -> None:
    for n in range(30):
        user = user_create(
            tenant=personas.tenant,
            email=f"bulk{n}@lakeside.test",
            display_name=f"B {n}",
            actor=None,
        )
        group_member_add(group=personas.sales, member=user, actor=None)
    operator = User.objects.get(pk=personas.helpdesk.pk)
    with django_assert_num_queries(2):  # the operator's grants
        queryset = scope(User.objects.all(), operator, "Users.Read")
    with django_assert_num_queries(1):
        assert len(list(queryset)) == 31


def test_leaving_a_scope_group_takes_the_user_out_of_scope(personas) -> None:
    group_member_remove(group=personas.sales, member=personas.amsterdam_user, actor=personas.admin)
    assert "ams@lakeside.test" not in _visible(User.objects.get(pk=personas.helpdesk.pk))


def test_require_answers_404_for_a_user_outside_every_scope(personas) -> None:
    with pytest.raises(Http404):
        require(personas.helpdesk, "Users.Read", personas.lyon_user)


def test_require_answers_404_for_a_user_of_another_tenant(personas) -> None:
    with pytest.raises(Http404):
        require(personas.admin, "Users.Read", personas.outsider_user)
    with pytest.raises(Http404):
        require(personas.outsider, "Users.Read", personas.amsterdam_user)


def test_require_answers_403_in_scope_when_the_role_is_too_weak(personas) -> None:
    require(personas.reader, "Users.Read", personas.amsterdam_user)
    with pytest.raises(PermissionDenied):
        require(personas.reader, "RemoteTasks.Wipe", personas.amsterdam_user)


def test_a_permission_applies_only_within_the_scope_of_the_assignment_that_grants_it(
    personas,
) -> None:
    """Wipe over Lyon only, read over everyone: reading Amsterdam is fine, wiping it is not."""
    operator = personas.nobody
    group = group_create(tenant=personas.tenant, display_name="Lyon wipers", actor=None)
    group_member_add(group=group, member=operator, actor=None)
    wipe_lyon = role_create(
        tenant=personas.tenant,
        name="Wipe",
        description="",
        permissions=["RemoteTasks.Wipe", "Users.Read"],
        actor=personas.admin,
    )
    for name, role, kind, scope_groups in [
        ("Wipe Lyon", wipe_lyon, ScopeKind.GROUPS, [personas.lyon]),
        ("Read all", Role.objects.get(builtin_key="readOnlyOperator"), ScopeKind.ALL_USERS, []),
    ]:
        role_assignment_create(
            tenant=personas.tenant,
            name=name,
            role=role,
            member_groups=[group],
            scope_kind=kind,
            scope_groups=scope_groups,
            actor=None,
        )
    operator = User.objects.get(pk=operator.pk)
    require(operator, "RemoteTasks.Wipe", personas.lyon_user)
    require(operator, "Users.Read", personas.amsterdam_user)
    with pytest.raises(PermissionDenied):
        require(operator, "RemoteTasks.Wipe", personas.amsterdam_user)
    assert _visible(operator, "RemoteTasks.Wipe") == {"lyon@lakeside.test"}


def test_an_unlicensed_operator_has_no_permission_at_all(personas) -> None:
    assert _visible(personas.unlicensed) == set()
    with pytest.raises(Http404):
        require(personas.unlicensed, "Users.Read", personas.amsterdam_user)
    with pytest.raises(PermissionDenied):
        require(personas.unlicensed, "Users.Read")


def test_a_user_without_any_assignment_sees_nothing(personas) -> None:
    assert _visible(personas.nobody) == set()
