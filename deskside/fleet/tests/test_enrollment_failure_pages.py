"""The tenant's enrollment failures: newest first, with a chart by reason; a failure with a user is
shown only when that user is in the operator's scope (Users.Read or ManagedDevices.Read), one
without a user to every holder of EnrollmentProgram.Read; opening one shows the remediation in the
operator's language."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.services import role_assignment_create
from deskside.directory.models import User
from deskside.directory.services import group_create, group_member_add
from deskside.fleet.models import EnrollmentFailure
from deskside.fleet.tests.portal_objects import failure

LIST = "/enrollment/failures/"


def _reasons(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return [item.reason for item, _title in response.context["rows"]]


def _failures(personas) -> None:  # type: ignore[no-untyped-def]
    failure(personas, personas.amsterdam_user, "DeviceLimitReached")
    failure(personas, personas.lyon_user, "OsVersionTooLow")
    failure(personas, None, "BulkTokenExpired")
    EnrollmentFailure.objects.filter(reason="BulkTokenExpired").update(
        started_at=timezone.now() - timedelta(days=1)
    )
    EnrollmentFailure.objects.create(
        tenant=personas.other_tenant,
        user=personas.outsider_user,
        started_at=timezone.now(),
        operating_system="Linux",
        reason="PlatformBlocked",
        method="user",
    )


def test_the_help_desk_sees_failures_of_its_users_and_those_without_a_user(login, personas) -> None:
    _failures(personas)
    assert _reasons(login(personas.helpdesk).get(LIST)) == [
        "DeviceLimitReached",
        "BulkTokenExpired",
    ]


def test_an_operator_with_every_user_in_scope_sees_the_whole_tenant_newest_first(
    login, personas
) -> None:
    _failures(personas)
    EnrollmentFailure.objects.filter(reason="OsVersionTooLow").update(
        started_at=timezone.now() - timedelta(hours=1)
    )
    assert _reasons(login(personas.reader).get(LIST)) == [
        "DeviceLimitReached",
        "OsVersionTooLow",
        "BulkTokenExpired",
    ]


def test_the_list_shows_start_user_os_version_and_reason(login, personas) -> None:
    _failures(personas)
    body = login(personas.admin).get(LIST).content.decode()
    row = body.split("Anton Amsterdam")[1].split("</tr>")[0]
    assert "Windows" in row and "10.0.22631" in row and "Device limit reached" in row
    assert "None (enrollment without a user)" in body


def test_the_chart_counts_the_visible_failures_by_reason(login, personas) -> None:
    _failures(personas)
    failure(personas, personas.amsterdam_user, "PlatformBlocked")
    body = login(personas.helpdesk).get(LIST).content.decode()
    chart = body.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "<title>Device limit reached: 1</title>" in chart
    assert "<title>Platform blocked: 1</title>" in chart
    assert "<title>Bulk enrollment token expired: 1</title>" in chart
    assert "OS version too low" not in chart


def test_opening_a_failure_shows_its_details_and_remediation(login, personas) -> None:
    shown = failure(personas, personas.amsterdam_user, "DeviceLimitReached")
    body = login(personas.helpdesk).get(f"{LIST}{shown.pk}/").content.decode()
    assert "5 of 5 (Default)" in body and "NEW-PC" in body and "SN-NEW" in body
    remediation = body.split('id="failure-remediation"')[1]
    assert "The user already has as many devices" in remediation
    assert "Retire or delete one of the user&#x27;s devices" in remediation


def test_the_remediation_is_in_the_operators_language(login, personas) -> None:
    shown = failure(personas, personas.amsterdam_user, "DeviceLimitReached")
    User.objects.filter(pk=personas.helpdesk.pk).update(preferred_language="fr")
    body = login(personas.helpdesk).get(f"{LIST}{shown.pk}/").content.decode()
    assert "Mettez hors service ou supprimez un appareil" in body


def test_a_failure_links_to_the_page_where_it_is_fixed(login, personas) -> None:
    shown = failure(personas, None, "UserNotLicensed")
    body = login(personas.admin).get(f"{LIST}{shown.pk}/").content.decode()
    assert 'href="/directory/users/"' in body.split('id="failure-remediation"')[1]


def test_a_failure_of_a_user_out_of_scope_is_not_found(login, personas) -> None:
    hidden = failure(personas, personas.lyon_user)
    assert login(personas.helpdesk).get(f"{LIST}{hidden.pk}/").status_code == 404
    assert login(personas.outsider).get(f"{LIST}{hidden.pk}/").status_code == 404


def test_the_list_reads_a_bounded_number_of_queries(
    login, personas, django_assert_max_num_queries
) -> None:
    for number in range(80):
        user = (personas.amsterdam_user, personas.lyon_user, None)[number % 3]
        EnrollmentFailure.objects.create(
            tenant=personas.tenant,
            user=user,
            started_at=timezone.now() - timedelta(minutes=number),
            operating_system="Windows",
            reason=("DeviceLimitReached", "PlatformBlocked")[number % 2],
            method="user",
        )
    client = login(personas.helpdesk)
    with django_assert_max_num_queries(9):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 50


def test_a_device_scope_without_users_read_shows_the_failures_of_its_users(login, personas) -> None:
    """The Policy and Profile Manager role has ManagedDevices.Read but not Users.Read."""
    managers = group_create(tenant=personas.tenant, display_name="Policy managers", actor=None)
    group_member_add(group=managers, member=personas.nobody, actor=None)
    role_assignment_create(
        tenant=personas.tenant,
        name="Lyon policies",
        role=Role.objects.get(builtin_key="policyAndProfileManager"),
        member_groups=[managers],
        scope_kind=ScopeKind.GROUPS,
        scope_groups=[personas.lyon],
        actor=None,
    )
    _failures(personas)
    assert _reasons(login(personas.nobody).get(LIST)) == ["OsVersionTooLow", "BulkTokenExpired"]
