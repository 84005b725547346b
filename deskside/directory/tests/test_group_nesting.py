"""Nested groups: transitive membership through the closure table, diamonds, cycles, deletion."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from deskside.directory.models import Group, GroupClosure
from deskside.directory.selectors import group_list_for_user, user_ids_in_groups_query
from deskside.directory.services import (
    group_create,
    group_delete,
    group_member_add,
    group_member_remove,
    user_create,
)


def _group(personas, name: str) -> Group:  # type: ignore[no-untyped-def]
    return group_create(tenant=personas.tenant, display_name=name, actor=None)


def test_a_user_is_in_every_group_above_their_own(personas) -> None:
    groups = {
        group.display_name: direct
        for group, direct in group_list_for_user(user=personas.amsterdam_user)
    }
    assert groups == {"Sales": True, "Amsterdam office": False, "All staff": False}


def test_a_diamond_keeps_the_other_path_when_one_is_removed(personas) -> None:
    top, left, right, bottom = (_group(personas, n) for n in ("Top", "Left", "Right", "Bottom"))
    for parent, child in [(top, left), (top, right), (left, bottom), (right, bottom)]:
        group_member_add(group=parent, member=child, actor=None)
    assert GroupClosure.objects.get(ancestor=top, descendant=bottom).paths == 2
    group_member_remove(group=left, member=bottom, actor=personas.admin)
    assert GroupClosure.objects.get(ancestor=top, descendant=bottom).paths == 1
    group_member_remove(group=right, member=bottom, actor=personas.admin)
    assert not GroupClosure.objects.filter(ancestor=top, descendant=bottom).exists()
    assert GroupClosure.objects.filter(ancestor=bottom, descendant=bottom).exists()


def test_a_cycle_is_refused(personas) -> None:
    with pytest.raises(ValidationError, match="cannot be nested"):
        group_member_add(group=personas.sales, member=personas.all_staff, actor=None)
    with pytest.raises(ValidationError, match="cannot be nested"):
        group_member_add(group=personas.sales, member=personas.sales, actor=None)


def test_deleting_a_middle_group_cuts_the_paths_through_it(personas) -> None:
    group_delete(group=personas.amsterdam, actor=personas.admin)
    members = set(user_ids_in_groups_query(group_ids=[personas.all_staff.pk]))
    assert personas.amsterdam_user.pk not in members
    assert personas.lyon_user.pk in members
    assert not GroupClosure.objects.filter(
        ancestor=personas.all_staff, descendant=personas.sales
    ).exists()


def test_transitive_members_are_one_query_at_any_depth(personas, django_assert_num_queries) -> None:
    parent = personas.sales
    for depth in range(8):
        child = _group(personas, f"Level {depth}")
        group_member_add(group=parent, member=child, actor=None)
        parent = child
    deep = user_create(
        tenant=personas.tenant, email="deep@lakeside.test", display_name="Deep", actor=None
    )
    group_member_add(group=parent, member=deep, actor=None)
    with django_assert_num_queries(1):
        members = set(user_ids_in_groups_query(group_ids=[personas.all_staff.pk]))
    assert deep.pk in members


def test_members_of_another_tenant_are_refused(personas) -> None:
    with pytest.raises(ValidationError, match="another tenant"):
        group_member_add(group=personas.sales, member=personas.outsider_user, actor=None)
