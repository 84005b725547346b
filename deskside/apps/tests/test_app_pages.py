"""The app pages: add, edit and delete through the portal, each audited; a wrong field is a 400
that names it; writes need their permission (403) and stay in the tenant (404); the list and
the detail page read a bounded number of queries."""

from __future__ import annotations

from deskside.apps.models import DeviceAppState, MobileApp
from deskside.apps.tests.helpers import assign, debian, ios
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.models import ManagedDevice

NEW_APP = {
    "display_name": "VLC",
    "publisher": "VideoLAN",
    "platform": "Linux",
    "app_type": "debianPackage",
    "package_name": "vlc",
    "version": "3.0.20-1",
}


def test_an_administrator_adds_an_app(login, personas) -> None:
    response = login(personas.admin).post("/apps/new/", NEW_APP)
    app = MobileApp.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apps/{app.pk}/"
    assert (app.tenant, app.package_name, app.publisher) == (personas.tenant, "vlc", "VideoLAN")
    event = AuditEvent.objects.get(action=Action.MOBILE_APP_CREATED)
    assert (event.actor, event.target_id, event.details) == (
        personas.admin,
        str(app.pk),
        {"platform": "Linux", "appType": "debianPackage"},
    )


def test_a_script_app_gets_its_detection_rule_from_the_form(login, personas) -> None:
    login(personas.admin).post(
        "/apps/new/",
        {
            "display_name": "Zoom",
            "platform": "Linux",
            "app_type": "script",
            "install_script": "#!/bin/sh\napt-get install -y ./zoom.deb\n",
            "detection_type": "commandSucceeds",
            "detection_value": "dpkg -s zoom",
        },
    )
    assert MobileApp.objects.get().detection == {
        "type": "commandSucceeds",
        "command": "dpkg -s zoom",
    }


def test_a_wrong_package_name_is_a_400_naming_the_field(login, personas) -> None:
    response = login(personas.admin).post("/apps/new/", {**NEW_APP, "package_name": "VLC Player"})
    assert response.status_code == 400
    assert "package_name" in response.context["form"].errors
    assert "Debian package name" in response.content.decode()
    assert not MobileApp.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.MOBILE_APP_CREATED).exists()


def test_a_wrong_detection_rule_is_named_on_its_field(login, personas) -> None:
    response = login(personas.admin).post(
        "/apps/new/",
        {
            "display_name": "Zoom",
            "platform": "Linux",
            "app_type": "script",
            "install_script": "true",
            "detection_type": "fileExists",
            "detection_value": "zoom",
        },
    )
    assert response.status_code == 400
    assert "detection_value" in response.context["form"].errors


def test_an_administrator_edits_an_app(login, personas) -> None:
    app = debian(personas.tenant)
    response = login(personas.admin).post(
        f"/apps/{app.pk}/edit/",
        {"display_name": "VLC media player", "package_name": "vlc", "version": "3.0.21-1"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.display_name, app.version, app.platform) == (
        "VLC media player",
        "3.0.21-1",
        "Linux",
    )
    event = AuditEvent.objects.get(action=Action.MOBILE_APP_UPDATED)
    assert event.details == {"fields": ["display_name", "version"]}


def test_the_edit_form_ignores_a_posted_platform(login, personas) -> None:
    app = debian(personas.tenant)
    login(personas.admin).post(
        f"/apps/{app.pk}/edit/",
        {"display_name": "VLC", "package_name": "vlc", "platform": "Windows"},
    )
    app.refresh_from_db()
    assert app.platform == "Linux"


def test_an_administrator_deletes_an_app_with_its_states(login, personas) -> None:
    app = debian(personas.tenant)
    device = ManagedDevice.objects.create(
        tenant=personas.tenant, device_name="LYON-1", operating_system="Linux"
    )
    DeviceAppState.objects.create(
        device=device,
        app=app,
        intent="required",
        install_state="installed",
        last_modified_at=app.last_modified_at,
    )
    response = login(personas.admin).post(f"/apps/{app.pk}/delete/")
    assert response.status_code == 302
    assert not MobileApp.objects.exists() and not DeviceAppState.objects.exists()
    event = AuditEvent.objects.get(action=Action.MOBILE_APP_DELETED)
    assert event.target_label == "VLC"


def test_the_help_desk_may_not_add_edit_or_delete_apps(login, personas) -> None:
    app = debian(personas.tenant)
    client = login(personas.helpdesk)
    assert client.post("/apps/new/", {**NEW_APP, "display_name": "Other"}).status_code == 403
    assert client.post(f"/apps/{app.pk}/edit/", {"display_name": "X"}).status_code == 403
    assert client.post(f"/apps/{app.pk}/delete/").status_code == 403
    app.refresh_from_db()
    assert app.display_name == "VLC"
    assert MobileApp.objects.count() == 1


def test_another_tenants_administrator_cannot_touch_the_app(login, personas) -> None:
    app = debian(personas.tenant)
    client = login(personas.outsider)
    assert client.post(f"/apps/{app.pk}/edit/", {"display_name": "X"}).status_code == 404
    assert client.post(f"/apps/{app.pk}/delete/").status_code == 404
    assert client.get("/apps/").context["page"].object_list.count() == 0
    assert MobileApp.objects.filter(pk=app.pk).exists()


def test_signing_in_is_required_to_delete(client, personas) -> None:
    app = debian(personas.tenant)
    response = client.post(f"/apps/{app.pk}/delete/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert MobileApp.objects.filter(pk=app.pk).exists()


def test_the_app_list_reads_a_bounded_number_of_queries(
    login, personas, django_assert_max_num_queries
) -> None:
    for n in range(40):
        app = debian(personas.tenant, name=f"Tool {n:02}", package=f"tool{n:02}")
        assign(app, personas.lyon, "required", personas.admin)
    client = login(personas.reader)
    with django_assert_max_num_queries(8):
        response = client.get("/apps/")
    assert response.status_code == 200
    assert len(response.context["page"]) == 40


def test_the_app_list_counts_failed_installs_in_the_operators_scope(login, personas) -> None:
    app = debian(personas.tenant)
    for name, user in [("AMS-1", personas.amsterdam_user), ("LYON-1", personas.lyon_user)]:
        device = ManagedDevice.objects.create(
            tenant=personas.tenant, device_name=name, operating_system="Linux", primary_user=user
        )
        DeviceAppState.objects.create(
            device=device,
            app=app,
            intent="required",
            install_state="failed",
            error_code="100",
            last_modified_at=app.last_modified_at,
        )
    gone = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="LYON-2",
        operating_system="Linux",
        primary_user=personas.lyon_user,
    )
    DeviceAppState.objects.create(  # no longer assigned: not counted
        device=gone,
        app=app,
        intent="",
        install_state="failed",
        last_modified_at=app.last_modified_at,
    )
    counts = {
        persona: login(getattr(personas, persona)).get("/apps/").context["page"][0].failed_count
        for persona in ("admin", "helpdesk")
    }
    assert counts == {"admin": 2, "helpdesk": 1}


def test_the_detail_page_shows_the_states_of_devices_in_scope_only(
    login, personas, django_assert_max_num_queries
) -> None:
    app = ios(personas.tenant)
    assign(app, personas.all_staff, "required", personas.admin)
    for n in range(30):
        user = personas.amsterdam_user if n % 2 else personas.lyon_user
        device = ManagedDevice.objects.create(
            tenant=personas.tenant,
            device_name=f"PHONE-{n:02}",
            operating_system="iOS",
            primary_user=user,
        )
        DeviceAppState.objects.create(
            device=device,
            app=app,
            intent="required",
            install_state="failed" if n % 3 == 0 else "installed",
            error_code="0x87D1041C" if n % 3 == 0 else "",
            last_modified_at=app.last_modified_at,
        )
    client = login(personas.helpdesk)
    with django_assert_max_num_queries(12):
        response = client.get(f"/apps/{app.pk}/")
    states = list(response.context["view"].states)
    assert len(states) == 15
    assert {s.device.primary_user for s in states} == {personas.amsterdam_user}
    assert response.context["view"].counts["failed"] == 5
    body = response.content.decode()
    assert "0x87D1041C" in body and "<svg" in body and "style=" not in body


def test_the_detail_page_filters_one_state_as_a_partial(login, personas) -> None:
    app = debian(personas.tenant)
    device = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="LYON-9",
        operating_system="Linux",
        primary_user=personas.lyon_user,
    )
    DeviceAppState.objects.create(
        device=device,
        app=app,
        intent="required",
        install_state="failed",
        last_modified_at=app.last_modified_at,
    )
    client = login(personas.admin)
    response = client.get(f"/apps/{app.pk}/?state=installed", HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert list(response.context["view"].states) == []
    response = client.get(f"/apps/{app.pk}/?state=failed", HTTP_HX_REQUEST="true")
    assert [s.device.device_name for s in response.context["view"].states] == ["LYON-9"]
