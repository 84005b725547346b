"""Roles and role assignments in the portal: custom roles, read-only built-ins, the audit trail."""

from __future__ import annotations

from deskside.access.models import Role, RoleAssignment
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent


def _custom(client, name: str = "Device readers"):  # type: ignore[no-untyped-def]
    return client.post(
        "/access/roles/new/",
        {"name": name, "description": "", "permissions": ["ManagedDevices.Read", "Users.Read"]},
    )


def test_a_role_administrator_creates_a_custom_role(login, personas) -> None:
    response = _custom(login(personas.role_admin))
    role = Role.objects.get(tenant=personas.tenant, name="Device readers")
    assert response["Location"] == f"/access/roles/{role.pk}/"
    assert set(role.permissions.values_list("code", flat=True)) == {
        "ManagedDevices.Read",
        "Users.Read",
    }
    event = AuditEvent.objects.get(action=Action.ROLE_CREATED)
    assert event.details == {"permissions": ["ManagedDevices.Read", "Users.Read"]}


def test_an_unknown_permission_is_a_form_error(login, personas) -> None:
    response = login(personas.admin).post(
        "/access/roles/new/", {"name": "X", "permissions": ["Users.Write"]}
    )
    assert response.status_code == 400
    assert not Role.objects.filter(name="X").exists()


def test_built_in_roles_cannot_be_changed_or_deleted(login, personas) -> None:
    client = login(personas.admin)
    builtin = Role.objects.get(builtin_key="readOnlyOperator")
    before = set(builtin.permissions.values_list("code", flat=True))
    edit = client.post(
        f"/access/roles/{builtin.pk}/edit/", {"name": "Mine", "permissions": ["Users.Read"]}
    )
    delete = client.post(f"/access/roles/{builtin.pk}/delete/", follow=True)
    assert edit.status_code == 400
    assert "Built-in roles cannot be changed" in edit.content.decode()
    assert "Built-in roles cannot be changed" in delete.content.decode()
    builtin.refresh_from_db()
    assert builtin.name == "Read Only Operator"
    assert set(builtin.permissions.values_list("code", flat=True)) == before


def test_an_assigned_role_cannot_be_deleted(login, personas) -> None:
    client = login(personas.admin)
    _custom(client)
    role = Role.objects.get(name="Device readers")
    client.post(
        "/access/assignments/new/",
        {
            "name": "Device readers everywhere",
            "role": role.pk,
            "member_groups": [personas.helpdesk_group.pk],
            "scope_kind": "allDevices",
        },
    )
    response = client.post(f"/access/roles/{role.pk}/delete/", follow=True)
    assert "delete its assignments first" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


def test_an_assignment_needs_member_groups(login, personas) -> None:
    response = login(personas.role_admin).post(
        "/access/assignments/new/",
        {
            "name": "Empty",
            "role": Role.objects.get(builtin_key="administrator").pk,
            "scope_kind": "allUsers",
        },
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(name="Empty").exists()


def test_a_group_of_another_tenant_cannot_be_chosen(login, personas) -> None:
    foreign = personas.other_tenant.groups.get()
    response = login(personas.admin).post(
        "/access/assignments/new/",
        {
            "name": "Sneaky",
            "role": Role.objects.get(builtin_key="administrator").pk,
            "member_groups": [foreign.pk],
            "scope_kind": "allUsers",
        },
    )
    assert response.status_code == 400
    assert not RoleAssignment.objects.filter(name="Sneaky").exists()


def test_an_assignment_takes_effect_and_is_audited(login, personas) -> None:
    response = login(personas.admin).post(
        "/access/assignments/new/",
        {
            "name": "Lyon help desk",
            "description": "Second office",
            "role": Role.objects.get(builtin_key="helpDeskOperator").pk,
            "member_groups": [personas.helpdesk_group.pk],
            "scope_kind": "groups",
            "scope_groups": [personas.lyon.pk],
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.ROLE_ASSIGNMENT_CREATED, actor=personas.admin)
    assert event.details["scope_groups"] == ["Lyon office"]
    helpdesk = login(personas.helpdesk)
    assert helpdesk.get(f"/directory/users/{personas.lyon_user.pk}/").status_code == 200


def test_deleting_an_assignment_takes_the_access_away(login, personas) -> None:
    readers = personas.tenant.role_assignments.get(name="Readers")
    assert (
        login(personas.admin).post(f"/access/assignments/{readers.pk}/delete/").status_code == 302
    )
    assert login(personas.reader).get("/directory/users/").status_code == 403
    assert AuditEvent.objects.filter(action=Action.ROLE_ASSIGNMENT_DELETED).exists()


def test_the_assignment_list_is_a_bounded_number_of_queries(
    login, personas, django_assert_max_num_queries
) -> None:
    client = login(personas.reader)
    with django_assert_max_num_queries(9):
        response = client.get("/access/assignments/")
    assert "Help desk Amsterdam" in response.content.decode()
