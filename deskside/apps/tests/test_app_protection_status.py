"""The app protection status of a user's apps (the troubleshooting page's table): per targeted
app, a registration the user's policies apply to is checked in when its last sync is within
the policies' check-in window (their offline grace period), else not checked in; a targeted app
with no registration is not checked in. Scoped like the user."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from deskside.access.checks import operator_grants
from deskside.apps.models import AppRegistration
from deskside.apps.selectors import user_app_protection_policies, user_app_protection_status
from deskside.apps.services import protection_policy_assign, protection_policy_create

OUTLOOK, TEAMS = "com.microsoft.outlook", "com.microsoft.teams"


def _registration(personas, user, identifier: str, minutes_ago: int, **fields):  # type: ignore[no-untyped-def]
    return AppRegistration.objects.create(
        tenant=personas.tenant,
        user=user,
        app_identifier=identifier,
        app_name=fields.pop("app_name", identifier.rsplit(".", 1)[1].title()),
        device_tag=fields.pop("device_tag", "tag-1"),
        device_name=fields.pop("device_name", "Pixel"),
        device_type="Pixel 8",
        platform=fields.pop("platform", "Android"),
        last_sync_at=timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    )


def _deployed(personas, name: str, group, **fields):  # type: ignore[no-untyped-def]
    values = {"platform": "Android", "apps": [OUTLOOK, TEAMS], **fields}
    policy = protection_policy_create(
        tenant=personas.tenant, display_name=name, actor=personas.admin, **values
    )
    protection_policy_assign(policy=policy, group=group, actor=personas.admin)
    return policy


def _rows(operator, user):  # type: ignore[no-untyped-def]
    return [
        (row.app_name, row.device_name, row.checked_in, [p.display_name for p in row.policies])
        for row in user_app_protection_status(operator=operator, user=user)
    ]


def test_checked_in_not_checked_in_and_never_registered(personas) -> None:
    _deployed(personas, "Android baseline", personas.amsterdam, offline_grace_period_minutes=60)
    user = personas.amsterdam_user
    _registration(personas, user, OUTLOOK, minutes_ago=10, device_tag="a", device_name="Pixel")
    _registration(personas, user, OUTLOOK, minutes_ago=90, device_tag="b", device_name="Tablet")

    # By app name; a targeted app that never registered shows its bundle or package id.
    assert _rows(personas.admin, user) == [
        ("com.microsoft.teams", "", False, ["Android baseline"]),
        ("Outlook", "Pixel", True, ["Android baseline"]),
        ("Outlook", "Tablet", False, ["Android baseline"]),
    ]


def test_the_shortest_window_of_the_applying_policies_counts(personas) -> None:
    _deployed(personas, "Relaxed", personas.amsterdam, offline_grace_period_minutes=720)
    _deployed(personas, "Strict", personas.sales, apps=[OUTLOOK], offline_grace_period_minutes=30)
    _registration(personas, personas.amsterdam_user, OUTLOOK, minutes_ago=45)
    rows = _rows(personas.admin, personas.amsterdam_user)
    assert ("Outlook", "Pixel", False, ["Relaxed", "Strict"]) in rows


def test_a_registration_of_another_platform_or_enrollment_state_does_not_count(personas) -> None:
    _deployed(personas, "Enrolled only", personas.amsterdam, apps=[OUTLOOK], management_level="mdm")
    _registration(personas, personas.amsterdam_user, OUTLOOK, minutes_ago=1)
    _registration(
        personas, personas.amsterdam_user, OUTLOOK, minutes_ago=1, platform="iOS", device_tag="ios"
    )
    assert _rows(personas.admin, personas.amsterdam_user) == [
        ("Outlook", "", False, ["Enrolled only"])
    ]


def test_a_user_without_policies_has_no_rows(personas) -> None:
    _registration(personas, personas.lyon_user, OUTLOOK, minutes_ago=1)
    assert user_app_protection_status(operator=personas.admin, user=personas.lyon_user) == []


def test_the_status_is_scoped_like_the_user(personas) -> None:
    _deployed(personas, "Everyone", personas.all_staff)
    _registration(personas, personas.lyon_user, OUTLOOK, minutes_ago=1)
    # The help desk's scope is the Amsterdam office; Louise is in Lyon.
    assert user_app_protection_status(operator=personas.helpdesk, user=personas.lyon_user) == []
    assert user_app_protection_policies(operator=personas.helpdesk, user=personas.lyon_user) == []
    assert ("Outlook", "Pixel", True, ["Everyone"]) in _rows(personas.reader, personas.lyon_user)
    assert user_app_protection_status(operator=personas.outsider, user=personas.lyon_user) == []
    assert len(_rows(personas.helpdesk, personas.amsterdam_user)) == 2


def test_the_status_reads_a_bounded_number_of_queries(personas, django_assert_max_num_queries):
    for n in range(10):
        _deployed(personas, f"Policy {n}", personas.amsterdam, apps=[OUTLOOK, f"com.app.n{n}"])
        _registration(
            personas, personas.amsterdam_user, f"com.app.n{n}", minutes_ago=n, device_tag=str(n)
        )
    operator_grants(personas.helpdesk)
    with django_assert_max_num_queries(4):
        rows = user_app_protection_status(operator=personas.helpdesk, user=personas.amsterdam_user)
    assert len(rows) == 11
