"""The device page: the facts the agent reported, who the device belongs to, its groups, whether it
responds, for operators who may read it (404 otherwise), in a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.services import role_assignment_create
from deskside.directory.services import group_create, group_member_add
from deskside.fleet.actions import device_action_request
from deskside.fleet.models import DeviceMembership, ManagedDevice
from deskside.fleet.services import group_device_add
from deskside.fleet.tests.checkins import check_in, enroll, facts, report
from deskside.fleet.tests.portal_objects import device


def _page(client, pk: int) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/devices/{pk}/")
    assert response.status_code == 200, response.content
    return response.content.decode()


def _section(body: str, section_id: str) -> str:
    return body.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def enrolled(client, enrollment, personas) -> int:  # type: ignore[no-untyped-def]
    """A Linux laptop enrolled with the bulk token and checked in once, through the API."""
    device_id, credential = enroll(client, manufacturer="LENOVO", model="20XW")
    assert check_in(client, credential, report()).status_code == 200
    return device_id


def test_the_page_shows_the_facts_the_agent_reported(client, login, personas, enrolled) -> None:
    body = _page(login(personas.admin), enrolled)
    facts_ = _section(body, "device-facts")
    for text in ("Linux", "12.8", "PF-LYON-1", "LENOVO", "20XW", "Encrypted"):
        assert text in facts_
    assert facts_.count('<span class="badge good">On</span>') == 2
    storage = _section(body, "device-storage")
    assert '<rect width="84" height="8"' in storage
    assert "37.3\xa0GB free of 232.8\xa0GB" in storage
    management = _section(body, "device-management")
    for text in ("1.2.0", "Bulk enrollment token", "Company", "Deskside agent"):
        assert text in management
    assert "None (enrolled without a user)" in management
    assert "Not responding" not in body


def test_facts_the_agent_could_not_tell_show_as_unknown(
    client, login, personas, enrollment
) -> None:
    unknown = {
        "isEncrypted": None,
        "firewallEnabled": None,
        "screenLockEnabled": None,
        "freeStorageSpaceInBytes": None,
        "totalStorageSpaceInBytes": None,
    }
    device_id, credential = enroll(client)
    assert check_in(client, credential, report(facts=facts(**unknown))).status_code == 200
    body = _page(login(personas.admin), device_id)
    assert _section(body, "device-facts").count('<span class="badge">Unknown</span>') == 3
    assert "Unknown" in _section(body, "device-storage")
    assert "<rect" not in _section(body, "device-storage")


def test_a_silent_device_is_marked_not_responding(client, login, personas, enrolled) -> None:
    ManagedDevice.objects.filter(pk=enrolled).update(
        last_sync_at=timezone.now() - timedelta(hours=3)
    )
    body = _page(login(personas.admin), enrolled)
    assert 'id="device-stale"' in body
    assert "No check-in for more than 45 minutes" in _section(body, "device-management")


def test_the_primary_user_links_to_their_page(login, personas) -> None:
    laptop = device(personas, "AMS-01", personas.amsterdam_user)
    body = _page(login(personas.helpdesk), laptop.pk)
    assert f'href="/directory/users/{personas.amsterdam_user.pk}/"' in body


def test_a_primary_user_out_of_the_operators_user_scope_is_named_without_a_link(
    login, personas
) -> None:
    laptop = device(personas, "SHARED-01", personas.lyon_user)
    DeviceMembership.objects.create(group=personas.amsterdam, device=laptop)
    body = _page(login(personas.helpdesk), laptop.pk)
    assert "Louise Lyon" in body
    assert f"/directory/users/{personas.lyon_user.pk}/" not in body


def test_the_groups_of_the_device_direct_and_through_nesting(login, personas, enrolled) -> None:
    laptop = ManagedDevice.objects.get(pk=enrolled)
    group_device_add(group=personas.sales, device=laptop, actor=None)
    groups = _section(_page(login(personas.admin), enrolled), "device-groups")
    assert "Sales</a></td>\n        <td>Direct" in groups
    assert "Amsterdam office</a></td>\n        <td>Through a nested group" in groups
    assert "All staff</a></td>\n        <td>Through a nested group" in groups
    assert "Lyon office" not in groups


def test_a_device_in_the_help_desks_device_group_is_visible_to_it(
    login, personas, enrolled
) -> None:
    client = login(personas.helpdesk)
    assert client.get(f"/devices/{enrolled}/").status_code == 404
    group_device_add(
        group=personas.sales, device=ManagedDevice.objects.get(pk=enrolled), actor=None
    )
    assert client.get(f"/devices/{enrolled}/").status_code == 200


def test_another_tenants_device_is_not_found(login, personas) -> None:
    elsewhere = ManagedDevice.objects.create(
        tenant=personas.other_tenant, device_name="ELSEWHERE-01", operating_system="Linux"
    )
    assert login(personas.admin).get(f"/devices/{elsewhere.pk}/").status_code == 404
    assert login(personas.admin).get("/devices/999999/").status_code == 404


@pytest.mark.parametrize("actions", [("syncDevice",), ("syncDevice", "rebootNow", "remoteLock")])
def test_the_page_reads_a_bounded_number_of_queries(
    login, personas, enrolled, django_assert_max_num_queries, actions
) -> None:
    laptop = ManagedDevice.objects.get(pk=enrolled)
    for group in (personas.sales, personas.lyon, personas.helpdesk_group):
        group_device_add(group=group, device=laptop, actor=None)
    for action in actions:
        device_action_request(device=laptop, action=action, parameters={}, actor=personas.admin)
    ManagedDevice.objects.filter(pk=enrolled).update(primary_user=personas.amsterdam_user)
    client = login(personas.helpdesk)
    with django_assert_max_num_queries(20):
        body = _page(client, enrolled)
    assert body.count('<tr id="device-action-') == len(actions)


def test_the_page_holds_the_sections_of_the_other_parts(login, personas, enrolled) -> None:
    body = _page(login(personas.admin), enrolled)
    for section in ("device-actions", "device-compliance", "device-profiles", "device-apps"):
        assert f'id="{section}"' in body
    assert "Not available to your role." not in body


def test_a_section_the_operators_role_does_not_cover_says_so(login, personas, enrolled) -> None:
    """The Application Manager reads devices and apps, but not compliance policies."""
    managers = group_create(tenant=personas.tenant, display_name="App managers", actor=None)
    group_member_add(group=managers, member=personas.nobody, actor=None)
    role_assignment_create(
        tenant=personas.tenant,
        name="Apps",
        role=Role.objects.get(builtin_key="applicationManager"),
        member_groups=[managers],
        scope_kind=ScopeKind.ALL_DEVICES,
        actor=None,
    )
    body = _page(login(personas.nobody), enrolled)
    assert "Not available to your role." in _section(body, "device-compliance")
    assert "Not available to your role." not in _section(body, "device-apps")
