"""Enrollment restrictions: listed by priority with the default last; created, edited, re-ordered
and deleted by holders of EnrollmentProgram.Update, each audited; versions checked as dotted
numbers; priorities stay unique and without gaps; and the enrollment API applies what was saved."""

from __future__ import annotations

from typing import Any

import pytest

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.models import EnrollmentFailure, EnrollmentRestriction, ManagedDevice
from deskside.fleet.tests.conftest import TOKEN

LIST = "/enrollment/restrictions/"
NEW = "/enrollment/restrictions/new/"


def _form(**changes: Any) -> dict[str, Any]:
    return {"name": "Sales laptops", "device_limit": "3", **changes}


def _order(tenant) -> list[tuple[str, int | None]]:  # type: ignore[no-untyped-def]
    return list(
        EnrollmentRestriction.objects.filter(tenant=tenant)
        .order_by("is_default", "priority")
        .values_list("name", "priority")
    )


def _create(client, name: str) -> EnrollmentRestriction:  # type: ignore[no-untyped-def]
    assert client.post(NEW, _form(name=name)).status_code == 302
    return EnrollmentRestriction.objects.get(name=name)


def test_an_administrator_creates_a_restriction_with_all_its_limits(login, personas) -> None:
    response = login(personas.admin).post(
        NEW,
        _form(
            groups=[personas.sales.pk, personas.lyon.pk],
            blocked_platforms=["iOS", "Android"],
            min_windows="10.0.19045",
            max_windows="10.0.22631",
            min_macos="13",
            block_personal="on",
            blocked_manufacturers="Contour\n\n  Acme Phones  \ncontour",
        ),
    )
    assert response.status_code == 302
    made = EnrollmentRestriction.objects.get()
    assert (made.priority, made.is_default, made.device_limit, made.block_personal) == (
        1,
        False,
        3,
        True,
    )
    assert made.blocked_platforms == ["Android", "iOS"]
    assert made.min_os_versions == {"Windows": "10.0.19045", "macOS": "13"}
    assert made.max_os_versions == {"Windows": "10.0.22631"}
    assert made.blocked_manufacturers == ["Contour", "Acme Phones", "contour"]
    assert set(made.groups.all()) == {personas.sales, personas.lyon}
    event = AuditEvent.objects.get(action=Action.ENROLLMENT_RESTRICTION_CREATED)
    assert (event.actor, event.target_id) == (personas.admin, str(made.pk))
    assert event.details["groups"] == ["Lyon office", "Sales"]


def test_new_restrictions_go_last_and_the_default_stays_after_them(login, personas) -> None:
    client = login(personas.admin)
    assert client.post("/enrollment/restrictions/default/").status_code == 302
    for name in ("First", "Second", "Third"):
        _create(client, name)
    assert _order(personas.tenant) == [
        ("First", 1),
        ("Second", 2),
        ("Third", 3),
        ("Default", None),
    ]
    names = [item.name for item in client.get(LIST).context["restrictions"]]
    assert names == ["First", "Second", "Third", "Default"]


def test_only_one_default_restriction(login, personas) -> None:
    client = login(personas.admin)
    assert client.post("/enrollment/restrictions/default/").status_code == 302
    again = client.post("/enrollment/restrictions/default/")
    assert again.status_code == 400
    assert "The tenant already has a default restriction." in again.content.decode()
    assert EnrollmentRestriction.objects.filter(is_default=True).count() == 1


def test_moving_a_restriction_renumbers_the_others(login, personas) -> None:
    client = login(personas.admin)
    first, _second, third = (_create(client, name) for name in ("First", "Second", "Third"))
    assert client.post(f"/enrollment/restrictions/{third.pk}/move/", {"priority": 1}).status_code
    assert _order(personas.tenant) == [("Third", 1), ("First", 2), ("Second", 3)]
    client.post(f"/enrollment/restrictions/{first.pk}/move/", {"priority": 3})
    assert _order(personas.tenant) == [("Third", 1), ("Second", 2), ("First", 3)]
    moves = AuditEvent.objects.filter(action=Action.ENROLLMENT_RESTRICTION_PRIORITY_CHANGED)
    assert [event.details for event in moves.order_by("id")] == [
        {"from": 3, "to": 1},
        {"from": 2, "to": 3},
    ]


@pytest.mark.parametrize("priority", ["0", "4", "first"])
def test_a_priority_out_of_range_is_refused_with_a_400(login, personas, priority) -> None:
    client = login(personas.admin)
    restrictions = [_create(client, name) for name in ("First", "Second", "Third")]
    response = client.post(
        f"/enrollment/restrictions/{restrictions[0].pk}/move/", {"priority": priority}
    )
    assert response.status_code == 400
    assert "Priority: " in response.content.decode()
    assert _order(personas.tenant) == [("First", 1), ("Second", 2), ("Third", 3)]


def test_deleting_a_restriction_closes_the_gap(login, personas) -> None:
    client = login(personas.admin)
    _first, second, _third = (_create(client, name) for name in ("First", "Second", "Third"))
    assert client.post(f"/enrollment/restrictions/{second.pk}/delete/").status_code == 302
    assert _order(personas.tenant) == [("First", 1), ("Third", 2)]
    event = AuditEvent.objects.get(action=Action.ENROLLMENT_RESTRICTION_DELETED)
    assert (event.target_label, event.details) == ("Second", {"priority": 2})


def test_the_default_restriction_cannot_be_deleted_or_moved(login, personas) -> None:
    client = login(personas.admin)
    client.post("/enrollment/restrictions/default/")
    default = EnrollmentRestriction.objects.get(is_default=True)
    assert client.post(f"/enrollment/restrictions/{default.pk}/delete/").status_code == 400
    response = client.post(f"/enrollment/restrictions/{default.pk}/move/", {"priority": 1})
    assert response.status_code == 400
    assert "The default restriction always applies last." in response.content.decode()
    assert EnrollmentRestriction.objects.filter(pk=default.pk, priority=None).exists()


def test_editing_a_restriction_saves_and_audits_it(login, personas) -> None:
    client = login(personas.admin)
    made = _create(client, "Sales laptops")
    form = client.get(f"/enrollment/restrictions/{made.pk}/edit/")
    assert form.status_code == 200 and 'value="Sales laptops"' in form.content.decode()
    response = client.post(
        f"/enrollment/restrictions/{made.pk}/edit/",
        _form(name="Sales devices", device_limit="7", groups=[personas.sales.pk], min_linux="6"),
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.name, made.device_limit, made.min_os_versions) == (
        "Sales devices",
        7,
        {"Linux": "6"},
    )
    assert list(made.groups.all()) == [personas.sales]
    event = AuditEvent.objects.get(action=Action.ENROLLMENT_RESTRICTION_UPDATED)
    assert event.details["deviceLimit"] == 7


def test_the_default_restriction_has_no_groups_to_choose(login, personas) -> None:
    client = login(personas.admin)
    client.post("/enrollment/restrictions/default/")
    default = EnrollmentRestriction.objects.get(is_default=True)
    body = client.get(f"/enrollment/restrictions/{default.pk}/edit/").content.decode()
    assert 'name="groups"' not in body
    client.post(
        f"/enrollment/restrictions/{default.pk}/edit/",
        _form(name="Default", groups=[personas.sales.pk]),
    )
    assert not default.groups.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_windows": "ten"}, "Windows: minimum version: Enter a dotted version"),
        ({"max_ios": "17..1"}, "iOS/iPadOS: maximum version: Enter a dotted version"),
        ({"min_android": "14", "max_android": "12"}, "Android: the maximum version is below"),
        ({"device_limit": "0"}, "Device limit per user: Ensure this value is greater than"),
        ({"device_limit": "16"}, "Device limit per user: Ensure this value is less than"),
        ({"blocked_platforms": ["BeOS"]}, "Blocked platforms: Select a valid choice."),
        ({"name": ""}, "Name: This field is required."),
    ],
)
def test_invalid_limits_are_a_400_naming_the_field(login, personas, changes, message) -> None:
    response = login(personas.admin).post(NEW, _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EnrollmentRestriction.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.ENROLLMENT_RESTRICTION_CREATED).exists()


def test_two_restrictions_may_not_share_a_name(login, personas) -> None:
    client = login(personas.admin)
    _create(client, "Sales laptops")
    response = client.post(NEW, _form())
    assert response.status_code == 400
    assert "A restriction with this name already exists." in response.content.decode()


def test_a_group_of_another_tenant_cannot_be_assigned(login, personas) -> None:
    from deskside.directory.services import group_create

    elsewhere = group_create(tenant=personas.other_tenant, display_name="Theirs", actor=None)
    response = login(personas.admin).post(NEW, _form(groups=[elsewhere.pk]))
    assert response.status_code == 400
    assert "Assigned groups: Select a valid choice." in response.content.decode()


def test_changing_restrictions_needs_enrollment_update(login, personas) -> None:
    made = _create(login(personas.admin), "Sales laptops")
    client = login(personas.helpdesk)
    for url in (
        NEW,
        f"/enrollment/restrictions/{made.pk}/edit/",
        f"/enrollment/restrictions/{made.pk}/delete/",
        f"/enrollment/restrictions/{made.pk}/move/",
        "/enrollment/restrictions/default/",
    ):
        assert client.post(url, _form(priority=1)).status_code == 403
    assert _order(personas.tenant) == [("Sales laptops", 1)]


def test_another_tenants_restriction_is_not_found(login, personas) -> None:
    made = _create(login(personas.admin), "Sales laptops")
    client = login(personas.outsider)
    assert client.post(f"/enrollment/restrictions/{made.pk}/delete/").status_code == 404
    assert (
        client.post(f"/enrollment/restrictions/{made.pk}/move/", {"priority": 1}).status_code == 404
    )
    assert EnrollmentRestriction.objects.filter(pk=made.pk).exists()


def test_the_enrollment_api_applies_a_restriction_saved_on_the_page(
    client, login, personas, enrollment
) -> None:
    admin = login(personas.admin)
    admin.post(
        f"/enrollment/restrictions/{enrollment.default.pk}/edit/",
        _form(name="Default", blocked_platforms=["Linux"]),
    )
    admin.logout()
    body = {
        "method": "bulkToken",
        "bulkToken": TOKEN,
        "agentVersion": "1.2.0",
        "device": {"deviceName": "PC", "operatingSystem": "Linux", "osVersion": "12.8"},
    }
    response = client.post("/api/v1/enrollment", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "PlatformBlocked"
    assert EnrollmentFailure.objects.get().reason == "PlatformBlocked"
    assert not ManagedDevice.objects.exists()
