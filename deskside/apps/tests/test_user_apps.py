"""A user's client apps (for the troubleshooting page): the apps assigned to the user's groups
with the winning assignment type, and those reaching the user's devices, each with its state
on the devices the operator may read; empty for an operator without MobileApps.Read over the
user."""

from __future__ import annotations

from deskside.access.checks import operator_grants
from deskside.apps.models import DeviceAppState
from deskside.apps.selectors import user_apps
from deskside.apps.tests.helpers import assign, debian, ios
from deskside.directory.services import group_create
from deskside.fleet.models import ManagedDevice
from deskside.fleet.services import group_device_add


def _state(device, app, state, **fields):  # type: ignore[no-untyped-def]
    return DeviceAppState.objects.create(
        device=device,
        app=app,
        intent=fields.pop("intent", "required"),
        install_state=state,
        last_modified_at=app.last_modified_at,
        **fields,
    )


def test_the_users_apps_with_their_type_and_device_states(
    personas, django_assert_max_num_queries
) -> None:
    user = personas.amsterdam_user
    laptop = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="ANTON-LAPTOP",
        operating_system="Linux",
        primary_user=user,
    )
    vlc, outlook = debian(personas.tenant), ios(personas.tenant)
    kiosk_tool = debian(personas.tenant, name="Kiosk tool", package="kiosk-tool")
    assign(vlc, personas.sales, "available", personas.admin)
    assign(vlc, personas.amsterdam, "required", personas.admin)
    assign(outlook, personas.amsterdam, "availableWithoutEnrollment", personas.admin)
    laptops = group_create(tenant=personas.tenant, display_name="Laptops", actor=None)
    group_device_add(group=laptops, device=laptop, actor=None)
    assign(kiosk_tool, laptops, "uninstall", personas.admin)
    _state(laptop, vlc, "failed", error_code="100")
    _state(laptop, kiosk_tool, "notInstalled", intent="uninstall")

    operator_grants(personas.helpdesk)
    with django_assert_max_num_queries(3):
        rows = user_apps(operator=personas.helpdesk, user=user)
    assert [(r.app.display_name, r.intent, r.failed) for r in rows] == [
        ("Kiosk tool", "uninstall", False),
        ("Outlook", "availableWithoutEnrollment", False),
        ("VLC", "required", True),
    ]
    assert [s.error_code for s in rows[2].states] == ["100"]


def test_an_operator_out_of_scope_gets_nothing(personas) -> None:
    assign(debian(personas.tenant), personas.lyon, "required", personas.admin)
    assert user_apps(operator=personas.helpdesk, user=personas.lyon_user) == []
    assert user_apps(operator=personas.outsider, user=personas.lyon_user) == []
    assert [
        r.app.display_name for r in user_apps(operator=personas.reader, user=personas.lyon_user)
    ] == ["VLC"]
