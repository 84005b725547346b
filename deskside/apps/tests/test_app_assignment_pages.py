"""Assignments through the app page: add one with a group and an intent, change the intent,
remove it; each audited. The help desk may assign (MobileApps.Assign), the read-only operator
may not; one assignment per group; refusals are a 400 with the reason."""

from __future__ import annotations

from deskside.apps.models import MobileAppAssignment
from deskside.apps.tests.helpers import assign, debian, script
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.services import group_create


def test_the_help_desk_assigns_changes_and_removes(login, personas) -> None:
    app = debian(personas.tenant)
    client = login(personas.helpdesk)

    response = client.post(
        f"/apps/{app.pk}/assignments/", {"group": personas.lyon.pk, "intent": "available"}
    )
    assert response.status_code == 302
    assignment = MobileAppAssignment.objects.get()
    assert (assignment.app, assignment.group, assignment.intent) == (
        app,
        personas.lyon,
        "available",
    )

    response = client.post(f"/apps/{app.pk}/assignments/{assignment.pk}/", {"intent": "required"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.intent == "required"

    response = client.post(f"/apps/{app.pk}/assignments/{assignment.pk}/remove/")
    assert response.status_code == 302
    assert not MobileAppAssignment.objects.exists()

    events = list(
        AuditEvent.objects.filter(target_type="apps.mobileapp", target_id=str(app.pk))
        .exclude(action=Action.MOBILE_APP_CREATED)
        .order_by("id")
        .values_list("action", "actor", "details")
    )
    assert events == [
        (
            Action.MOBILE_APP_ASSIGNED,
            personas.helpdesk.pk,
            {"group": "Lyon office", "intent": "available"},
        ),
        (
            Action.MOBILE_APP_ASSIGNMENT_UPDATED,
            personas.helpdesk.pk,
            {"group": "Lyon office", "from": "available", "intent": "required"},
        ),
        (
            Action.MOBILE_APP_UNASSIGNED,
            personas.helpdesk.pk,
            {"group": "Lyon office", "intent": "required"},
        ),
    ]


def test_the_read_only_operator_may_not_assign(login, personas) -> None:
    app = debian(personas.tenant)
    assignment = assign(app, personas.lyon, "required", personas.admin)
    client = login(personas.reader)
    assert (
        client.post(
            f"/apps/{app.pk}/assignments/", {"group": personas.sales.pk, "intent": "required"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/apps/{app.pk}/assignments/{assignment.pk}/", {"intent": "uninstall"}
        ).status_code
        == 403
    )
    assert client.post(f"/apps/{app.pk}/assignments/{assignment.pk}/remove/").status_code == 403
    assert list(MobileAppAssignment.objects.values_list("group", "intent")) == [
        (personas.lyon.pk, "required")
    ]


def test_the_outsider_cannot_assign_this_tenants_app(login, personas) -> None:
    app = debian(personas.tenant)
    theirs = group_create(tenant=personas.other_tenant, display_name="Theirs", actor=None)
    response = login(personas.outsider).post(
        f"/apps/{app.pk}/assignments/", {"group": theirs.pk, "intent": "required"}
    )
    assert response.status_code == 404
    assert not MobileAppAssignment.objects.exists()


def test_a_group_of_another_tenant_is_not_offered(login, personas) -> None:
    app = debian(personas.tenant)
    theirs = group_create(tenant=personas.other_tenant, display_name="Theirs", actor=None)
    response = login(personas.admin).post(
        f"/apps/{app.pk}/assignments/", {"group": theirs.pk, "intent": "required"}
    )
    assert response.status_code == 400
    assert "group" in response.context["assign_form"].errors
    assert not MobileAppAssignment.objects.exists()


def test_a_group_gets_one_assignment_per_app(login, personas) -> None:
    app = debian(personas.tenant)
    assign(app, personas.lyon, "required", personas.admin)
    response = login(personas.admin).post(
        f"/apps/{app.pk}/assignments/", {"group": personas.lyon.pk, "intent": "uninstall"}
    )
    assert response.status_code == 400
    assert "already assigned" in str(response.context["assign_form"].errors["group"])
    assert MobileAppAssignment.objects.get().intent == "required"


def test_uninstall_needs_the_scripts_uninstall_script(login, personas) -> None:
    app = script(personas.tenant, uninstall_script="")
    response = login(personas.admin).post(
        f"/apps/{app.pk}/assignments/", {"group": personas.lyon.pk, "intent": "uninstall"}
    )
    assert response.status_code == 400
    assert "uninstall script" in str(response.context["assign_form"].errors["intent"])


def test_available_without_enrollment_is_only_for_app_protection_platforms(login, personas) -> None:
    app = debian(personas.tenant)
    response = login(personas.admin).post(
        f"/apps/{app.pk}/assignments/",
        {"group": personas.lyon.pk, "intent": "availableWithoutEnrollment"},
    )
    assert response.status_code == 400
    assert "intent" in response.context["assign_form"].errors


def test_an_unknown_intent_when_changing_is_a_400(login, personas) -> None:
    app = debian(personas.tenant)
    assignment = assign(app, personas.lyon, "required", personas.admin)
    response = login(personas.admin).post(
        f"/apps/{app.pk}/assignments/{assignment.pk}/", {"intent": "sometimes"}
    )
    assert response.status_code == 400
    assert "Choose an assignment type." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.intent == "required"


def test_an_assignment_of_another_app_is_not_found_there(login, personas) -> None:
    app, other = debian(personas.tenant), debian(personas.tenant, name="GIMP", package="gimp")
    assignment = assign(other, personas.lyon, "required", personas.admin)
    response = login(personas.admin).post(f"/apps/{app.pk}/assignments/{assignment.pk}/remove/")
    assert response.status_code == 400
    assert MobileAppAssignment.objects.filter(pk=assignment.pk).exists()
