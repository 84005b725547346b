"""App protection pages: policies created, edited, deleted (MobileApps.Create/Update/Delete)
and assigned to groups (ManagedApps.Assign), each audited; wrong fields are a 400 naming them;
the registrations list shows only users in the operator's scope."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from deskside.apps.models import AppProtectionAssignment, AppProtectionPolicy, AppRegistration
from deskside.apps.services import protection_policy_assign, protection_policy_create
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent

NEW_POLICY = {
    "display_name": "Android baseline",
    "platform": "Android",
    "management_level": "unspecified",
    "apps": "com.microsoft.outlook\ncom.microsoft.teams\n\ncom.microsoft.outlook",
    "pin_required": "on",
    "block_backup": "on",
    "minimum_app_version": "4.2",
    "offline_grace_period_minutes": "120",
}


def _policy(personas, **fields):  # type: ignore[no-untyped-def]
    values = {"platform": "iOS", "apps": ["com.microsoft.Office.Outlook"], **fields}
    return protection_policy_create(
        tenant=personas.tenant, display_name="iOS baseline", actor=None, **values
    )


def test_an_administrator_creates_a_policy(login, personas) -> None:
    response = login(personas.admin).post("/apps/protection/new/", NEW_POLICY)
    policy = AppProtectionPolicy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apps/protection/{policy.pk}/"
    assert (
        policy.platform,
        policy.pin_required,
        policy.block_copy_paste_to_unmanaged,
        policy.block_backup,
        policy.minimum_app_version,
        policy.offline_grace_period_minutes,
    ) == ("Android", True, False, True, "4.2", 120)
    assert sorted(policy.targets.values_list("app_identifier", flat=True)) == [
        "com.microsoft.outlook",
        "com.microsoft.teams",
    ]
    event = AuditEvent.objects.get(action=Action.APP_PROTECTION_CREATED)
    assert (event.actor, event.details["apps"]) == (
        personas.admin,
        ["com.microsoft.outlook", "com.microsoft.teams"],
    )


def test_a_wrong_app_id_is_a_400_naming_the_field(login, personas) -> None:
    response = login(personas.admin).post(
        "/apps/protection/new/", {**NEW_POLICY, "apps": "Outlook for Android"}
    )
    assert response.status_code == 400
    assert "apps" in response.context["form"].errors
    assert not AppProtectionPolicy.objects.exists()


def test_a_wrong_minimum_version_or_grace_period_is_named(login, personas) -> None:
    client = login(personas.admin)
    response = client.post("/apps/protection/new/", {**NEW_POLICY, "minimum_app_version": "v4"})
    assert "minimum_app_version" in response.context["form"].errors
    response = client.post(
        "/apps/protection/new/", {**NEW_POLICY, "offline_grace_period_minutes": "0"}
    )
    assert response.status_code == 400
    assert "offline_grace_period_minutes" in response.context["form"].errors


def test_an_administrator_edits_a_policy_but_not_its_platform(login, personas) -> None:
    policy = _policy(personas)
    response = login(personas.admin).post(
        f"/apps/protection/{policy.pk}/edit/",
        {
            **NEW_POLICY,
            "display_name": "iOS strict",
            "platform": "Android",
            "apps": "com.microsoft.Office.Outlook\ncom.microsoft.skype.teams",
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.display_name, policy.platform, policy.offline_grace_period_minutes) == (
        "iOS strict",
        "iOS",
        120,
    )
    assert policy.targets.count() == 2
    event = AuditEvent.objects.get(action=Action.APP_PROTECTION_UPDATED)
    assert "apps" in event.details["fields"] and "display_name" in event.details["fields"]


def test_assigning_and_unassigning_deploys_and_withdraws(login, personas) -> None:
    policy = _policy(personas)
    client = login(personas.admin)
    listed = client.get("/apps/protection/").context["page"][0]
    assert listed.deployed is False

    response = client.post(f"/apps/protection/{policy.pk}/groups/", {"group": personas.sales.pk})
    assert response.status_code == 302
    assert client.get("/apps/protection/").context["page"][0].deployed is True

    response = client.post(f"/apps/protection/{policy.pk}/groups/{personas.sales.pk}/remove/")
    assert response.status_code == 302
    assert not AppProtectionAssignment.objects.exists()
    actions = list(
        AuditEvent.objects.filter(target_type="apps.appprotectionpolicy")
        .order_by("id")
        .values_list("action", "details")
    )
    assert actions[-2:] == [
        (Action.APP_PROTECTION_ASSIGNED, {"group": "Sales"}),
        (Action.APP_PROTECTION_UNASSIGNED, {"group": "Sales"}),
    ]


def test_a_group_is_assigned_once_and_only_assigned_groups_are_removed(login, personas) -> None:
    policy = _policy(personas)
    protection_policy_assign(policy=policy, group=personas.sales, actor=personas.admin)
    client = login(personas.admin)
    response = client.post(f"/apps/protection/{policy.pk}/groups/", {"group": personas.sales.pk})
    assert response.status_code == 400
    assert "already assigned" in str(response.context["group_form"].errors["group"])
    response = client.post(f"/apps/protection/{policy.pk}/groups/{personas.lyon.pk}/remove/")
    assert response.status_code == 400
    assert AppProtectionAssignment.objects.count() == 1


def test_an_administrator_deletes_a_policy(login, personas) -> None:
    policy = _policy(personas)
    response = login(personas.admin).post(f"/apps/protection/{policy.pk}/delete/")
    assert response.status_code == 302
    assert not AppProtectionPolicy.objects.exists()
    assert AuditEvent.objects.filter(action=Action.APP_PROTECTION_DELETED).exists()


def test_the_help_desk_reads_but_does_not_change_policies(login, personas) -> None:
    policy = _policy(personas)
    client = login(personas.helpdesk)
    assert client.get(f"/apps/protection/{policy.pk}/").status_code == 200
    assert client.post("/apps/protection/new/", NEW_POLICY).status_code == 403
    assert client.post(f"/apps/protection/{policy.pk}/edit/", NEW_POLICY).status_code == 403
    assert (
        client.post(
            f"/apps/protection/{policy.pk}/groups/", {"group": personas.sales.pk}
        ).status_code
        == 403
    )
    assert client.post(f"/apps/protection/{policy.pk}/delete/").status_code == 403
    assert AppProtectionPolicy.objects.count() == 1
    assert not AppProtectionAssignment.objects.exists()


def test_the_outsider_cannot_touch_this_tenants_policy(login, personas) -> None:
    policy = _policy(personas)
    client = login(personas.outsider)
    assert client.post(f"/apps/protection/{policy.pk}/delete/").status_code == 404
    assert (
        client.post(
            f"/apps/protection/{policy.pk}/groups/", {"group": personas.sales.pk}
        ).status_code
        == 404
    )
    assert AppProtectionPolicy.objects.filter(pk=policy.pk).exists()


def test_the_registrations_list_is_scoped_to_the_operators_users(
    login, personas, django_assert_max_num_queries
) -> None:
    for user in (personas.amsterdam_user, personas.lyon_user, personas.outsider_user):
        AppRegistration.objects.create(
            tenant=user.tenant,
            user=user,
            app_identifier="com.microsoft.outlook",
            app_name="Outlook",
            device_tag=f"tag-{user.pk}",
            device_name=f"{user.display_name}'s phone",
            platform="Android",
            flagged_reasons=["rootedDevice"],
            last_sync_at=timezone.now() - timedelta(minutes=user.pk),
        )
    client = login(personas.helpdesk)
    with django_assert_max_num_queries(8):
        response = client.get("/apps/protection/registrations/")
    assert [r.user for r in response.context["page"]] == [personas.amsterdam_user]
    assert "Rooted or jailbroken device" in response.content.decode()
    reader_page = login(personas.reader).get("/apps/protection/registrations/")
    assert {r.user for r in reader_page.context["page"]} == {
        personas.amsterdam_user,
        personas.lyon_user,
    }
