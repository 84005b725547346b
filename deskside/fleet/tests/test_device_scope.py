"""Devices in the access check: a device is in scope when it, or its primary user, is in a scope
group; "all devices" never includes an unenrolled device; nothing crosses tenants."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from deskside.access.checks import require, scope
from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.services import role_assignment_create
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.models import User
from deskside.directory.services import group_create, group_member_add
from deskside.fleet.choices import ManagementState
from deskside.fleet.models import ManagedDevice
from deskside.fleet.services import group_device_add


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    def device(name: str, tenant=personas.tenant, **fields):  # type: ignore[no-untyped-def]
        return ManagedDevice.objects.create(
            tenant=tenant, device_name=name, operating_system="Windows", **fields
        )

    kiosk = device("AMS-KIOSK-01")  # no primary user, member of a nested group
    kiosks = group_create(tenant=personas.tenant, display_name="Amsterdam kiosks", actor=None)
    group_member_add(group=personas.amsterdam, member=kiosks, actor=None)
    group_device_add(group=kiosks, device=kiosk, actor=None)
    return {
        "anton": device("ANTON-LAPTOP", primary_user=personas.amsterdam_user),
        "louise": device("LOUISE-LAPTOP", primary_user=personas.lyon_user),
        "kiosk": kiosk,
        "spare": device("SPARE-01"),
        "visitor": device(
            "VISITOR-PC",
            primary_user=personas.lyon_user,
            management_state=ManagementState.UNENROLLED,
        ),
        "foreign": device(
            "ELSEWHERE-01", tenant=personas.other_tenant, primary_user=personas.outsider_user
        ),
    }


def _names(operator: User, permission: str = "ManagedDevices.Read") -> set[str]:
    return set(
        scope(ManagedDevice.objects.all(), operator, permission).values_list(
            "device_name", flat=True
        )
    )


def test_a_group_scope_covers_member_devices_and_devices_of_member_users(personas, devices) -> None:
    assert _names(personas.helpdesk) == {"ANTON-LAPTOP", "AMS-KIOSK-01"}


def test_all_users_covers_every_device_with_a_primary_user(personas, devices) -> None:
    assert _names(personas.reader) == {"ANTON-LAPTOP", "LOUISE-LAPTOP", "VISITOR-PC"}


def test_all_devices_never_includes_an_unenrolled_device(personas, devices) -> None:
    operator = personas.nobody
    group = group_create(tenant=personas.tenant, display_name="Device admins", actor=None)
    group_member_add(group=group, member=operator, actor=None)
    role_assignment_create(
        tenant=personas.tenant,
        name="All devices",
        role=Role.objects.get(builtin_key="readOnlyOperator"),
        member_groups=[group],
        scope_kind=ScopeKind.ALL_DEVICES,
        actor=None,
    )
    operator = User.objects.get(pk=operator.pk)
    assert _names(operator) == {"ANTON-LAPTOP", "LOUISE-LAPTOP", "AMS-KIOSK-01", "SPARE-01"}


def test_require_answers_404_out_of_scope_and_403_for_a_weak_role(personas, devices) -> None:
    require(personas.helpdesk, "RemoteTasks.RebootNow", devices["kiosk"])
    with pytest.raises(Http404):
        require(personas.helpdesk, "ManagedDevices.Read", devices["louise"])
    with pytest.raises(Http404):
        require(personas.admin, "ManagedDevices.Read", devices["foreign"])
    with pytest.raises(PermissionDenied):
        require(personas.helpdesk, "ManagedDevices.Delete", devices["anton"])


def test_a_device_list_in_scope_is_one_query(personas, devices, django_assert_num_queries) -> None:
    operator = User.objects.get(pk=personas.helpdesk.pk)
    queryset = scope(ManagedDevice.objects.all(), operator, "ManagedDevices.Read")
    with django_assert_num_queries(1):
        assert len(list(queryset)) == 2


def test_a_device_joins_only_groups_of_its_tenant_and_the_change_is_audited(
    personas, devices
) -> None:
    with pytest.raises(ValidationError, match="another tenant"):
        group_device_add(group=personas.sales, device=devices["foreign"], actor=personas.admin)
    group_device_add(group=personas.sales, device=devices["spare"], actor=personas.admin)
    event = AuditEvent.objects.filter(action=Action.GROUP_MEMBER_ADDED, actor=personas.admin).get()
    assert event.details == {"member_type": "device", "member": "SPARE-01"}
    assert "SPARE-01" in _names(personas.helpdesk)
