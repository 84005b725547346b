"""The group pages: counts without N+1, members added and removed through the page, refusals."""

from __future__ import annotations

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.models import Group
from deskside.directory.services import group_create


def test_the_group_list_counts_members_in_a_bounded_number_of_queries(
    login, personas, django_assert_max_num_queries
) -> None:
    client = login(personas.reader)
    for n in range(40):
        group_create(tenant=personas.tenant, display_name=f"Team {n:02}", actor=None)
    with django_assert_max_num_queries(8):
        response = client.get("/directory/groups/")
    counts = {g.display_name: (g.user_count, g.group_count) for g in response.context["page"]}
    assert counts["All staff"] == (0, 2)
    assert counts["Sales"] == (1, 0)
    assert "Other" not in counts


def test_an_administrator_adds_and_removes_a_nested_group(login, personas) -> None:
    client = login(personas.admin)
    team = group_create(tenant=personas.tenant, display_name="Team", actor=None)
    response = client.post(f"/directory/groups/{team.pk}/members/", {"group_name": "Lyon office"})
    assert response.status_code == 302
    assert team.child_links.filter(child=personas.lyon).exists()
    client.post(f"/directory/groups/{team.pk}/members/group/{personas.lyon.pk}/remove/")
    assert not team.child_links.exists()
    actions = list(
        AuditEvent.objects.filter(target_id=str(team.pk)).values_list("action", flat=True)
    )
    assert Action.GROUP_MEMBER_ADDED in actions and Action.GROUP_MEMBER_REMOVED in actions


def test_a_cycle_through_the_page_is_a_400_with_the_reason(login, personas) -> None:
    response = login(personas.admin).post(
        f"/directory/groups/{personas.sales.pk}/members/", {"group_name": "All staff"}
    )
    assert response.status_code == 400
    assert "cannot be nested" in response.content.decode()


def test_a_member_of_another_tenant_is_not_found(login, personas) -> None:
    response = login(personas.admin).post(
        f"/directory/groups/{personas.sales.pk}/members/",
        {"user_email": personas.outsider_user.email},
    )
    assert response.status_code == 400
    assert "No such user or group" in response.content.decode()


def test_only_administrators_may_delete_a_group(login, personas) -> None:
    assert (
        login(personas.reader).post(f"/directory/groups/{personas.sales.pk}/delete/").status_code
        == 403
    )
    assert Group.objects.filter(pk=personas.sales.pk).exists()
    response = login(personas.admin).post(f"/directory/groups/{personas.sales.pk}/delete/")
    assert response.status_code == 302
    assert not Group.objects.filter(pk=personas.sales.pk).exists()
    assert AuditEvent.objects.filter(action=Action.GROUP_DELETED).exists()


def test_the_outsider_cannot_touch_this_tenants_groups(login, personas) -> None:
    client = login(personas.outsider)
    assert client.post(f"/directory/groups/{personas.sales.pk}/delete/").status_code == 404
    response = client.post(
        f"/directory/groups/{personas.sales.pk}/members/", {"group_name": "Admins"}
    )
    assert response.status_code == 404


def test_a_scoped_operator_sees_only_the_members_in_their_scope(login, personas) -> None:
    from deskside.directory.services import group_member_add

    group_member_add(group=personas.lyon, member=personas.amsterdam_user, actor=None)
    response = login(personas.helpdesk).get(f"/directory/groups/{personas.lyon.pk}/")
    assert [user.email for user in response.context["users"]] == ["ams@lakeside.test"]
    assert "Louise Lyon" not in response.content.decode()
