"""Every service that changes what reaches a tenant's devices raises the tenant's assignments
revision (directory.services.tenant_assignments_changed), so that no device keeps answering from
a basis made before the change (fleet/checkin.py); one that changes nothing does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deskside.apps import services as apps
from deskside.apps.tests.helpers import assign, debian
from deskside.directory import services as directory
from deskside.directory.models import Tenant
from deskside.fleet.models import ManagedDevice
from deskside.fleet.services import group_device_add
from deskside.policies import services as policies
from deskside.policies.tests.helpers import policy, wifi

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    app = debian(personas.tenant)
    return {
        "policy": policy(personas.tenant, [personas.lyon], require_encryption=True),
        "profile": wifi(personas.tenant, [personas.lyon]),
        "app": app,
        "assignment": assign(app, personas.lyon, "required", personas.admin),
        "device": ManagedDevice.objects.create(
            tenant=personas.tenant, device_name="pc", operating_system="Linux"
        ),
        "spare": directory.group_create(tenant=personas.tenant, display_name="Spare", actor=None),
    }


def _revision(personas: Any) -> int:
    return Tenant.objects.get(pk=personas.tenant.pk).assignments_revision


Case = Callable[[Any, dict[str, Any]], object]

CHANGES: dict[str, Case] = {
    "user joins a group": lambda p, m: directory.group_member_add(
        group=p.sales, member=p.helpdesk, actor=None
    ),
    "group nested": lambda p, m: directory.group_member_add(
        group=m["spare"], member=p.lyon, actor=None
    ),
    "member leaves": lambda p, m: directory.group_member_remove(
        group=p.all_staff, member=p.lyon, actor=p.admin
    ),
    "group deleted": lambda p, m: directory.group_delete(group=p.sales, actor=p.admin),
    "device joins a group": lambda p, m: group_device_add(
        group=p.lyon, device=m["device"], actor=None
    ),
    "policy edited": lambda p, m: policies.compliance_policy_update(
        policy=m["policy"], actor=p.admin, os_minimum_version="12"
    ),
    "policy assigned": lambda p, m: policies.compliance_policy_assign(
        policy=m["policy"], include_groups=[p.sales], actor=p.admin
    ),
    "policy deleted": lambda p, m: policies.compliance_policy_delete(
        policy=m["policy"], actor=p.admin
    ),
    "compliance settings": lambda p, m: policies.compliance_settings_update(
        tenant=p.tenant, no_policy_state="noncompliant", actor=p.admin
    ),
    "profile edited": lambda p, m: policies.profile_update(
        profile=m["profile"],
        name="Renamed",
        platform="Linux",
        settings={"ssid": "Lakeside", "security": "wpa2Personal", "hidden": False},
        actor=p.admin,
    ),
    "profile assigned": lambda p, m: policies.profile_assign(
        profile=m["profile"], include_groups=[p.sales], actor=p.admin
    ),
    "profile deleted": lambda p, m: policies.profile_delete(profile=m["profile"], actor=p.admin),
    "app edited": lambda p, m: apps.mobile_app_update(app=m["app"], actor=p.admin, version="2"),
    "app deleted": lambda p, m: apps.mobile_app_delete(app=m["app"], actor=p.admin),
    "app assigned": lambda p, m: apps.app_assignment_create(
        app=m["app"], group=p.sales, intent="available", actor=p.admin
    ),
    "assignment changed": lambda p, m: apps.app_assignment_update(
        assignment=m["assignment"], intent="available", actor=p.admin
    ),
    "app unassigned": lambda p, m: apps.app_assignment_delete(
        assignment=m["assignment"], actor=p.admin
    ),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_raises_the_revision(personas, made, change) -> None:
    other = Tenant.objects.get(pk=personas.other_tenant.pk).assignments_revision
    before = _revision(personas)
    change(personas, made)
    assert _revision(personas) != before
    assert Tenant.objects.get(pk=personas.other_tenant.pk).assignments_revision == other


NO_CHANGES: dict[str, Case] = {
    "policy saved as it is": lambda p, m: policies.compliance_policy_update(
        policy=m["policy"], actor=p.admin, require_encryption=True
    ),
    "assignment set as it is": lambda p, m: apps.app_assignment_update(
        assignment=m["assignment"], intent="required", actor=p.admin
    ),
    "a new group": lambda p, m: directory.group_create(
        tenant=p.tenant, display_name="Empty", actor=None
    ),
}


@pytest.mark.parametrize("change", NO_CHANGES.values(), ids=NO_CHANGES.keys())
def test_what_changes_nothing_leaves_it(personas, made, change) -> None:
    before = _revision(personas)
    change(personas, made)
    assert _revision(personas) == before
