"""The check-in answer's apps: those of the device's platform that reach it with intent
required, available or uninstall, through its own groups or its primary user's, with exactly
the keys of docs/agent-protocol.md. Available without enrollment never goes to the agent."""

from __future__ import annotations

from deskside.apps.tests.helpers import answer_apps, assign, debian, ios, script
from deskside.directory.services import group_create
from deskside.fleet.models import ManagedDevice

KEYS = {
    "appId",
    "name",
    "intent",
    "appType",
    "version",
    "packageName",
    "installScript",
    "uninstallScript",
    "detection",
}


def test_each_device_intent_is_listed_with_the_protocols_keys(client, personas, enrolled) -> None:
    vlc = debian(personas.tenant, version="3.0.20-1")
    backup = script(personas.tenant)
    gimp = debian(personas.tenant, name="GIMP", package="gimp")
    assign(vlc, personas.lyon, "required", personas.admin)
    assign(gimp, personas.lyon, "available", personas.admin)
    assign(backup, personas.all_staff, "uninstall", personas.admin)

    apps = answer_apps(client, enrolled.credential)

    assert all(set(app) == KEYS for app in apps)
    assert apps == [
        {
            "appId": backup.pk,
            "name": "Backup agent",
            "intent": "uninstall",
            "appType": "script",
            "version": "",
            "packageName": "",
            "installScript": backup.install_script,
            "uninstallScript": "#!/bin/sh\nrm -rf /opt/backup\n",
            "detection": {"type": "fileExists", "path": "/opt/backup/bin/backup"},
        },
        {
            "appId": gimp.pk,
            "name": "GIMP",
            "intent": "available",
            "appType": "debianPackage",
            "version": "",
            "packageName": "gimp",
            "installScript": "",
            "uninstallScript": "",
            "detection": None,
        },
        {
            "appId": vlc.pk,
            "name": "VLC",
            "intent": "required",
            "appType": "debianPackage",
            "version": "3.0.20-1",
            "packageName": "vlc",
            "installScript": "",
            "uninstallScript": "",
            "detection": None,
        },
    ]


def test_available_without_enrollment_never_reaches_the_agent(client, personas, enrolled) -> None:
    outlook = ios(personas.tenant)
    assign(outlook, personas.lyon, "availableWithoutEnrollment", personas.admin)
    assert answer_apps(client, enrolled.credential) == []


def test_apps_of_another_platform_are_not_listed(client, personas, enrolled) -> None:
    assign(ios(personas.tenant), personas.lyon, "required", personas.admin)
    assign(debian(personas.tenant), personas.lyon, "required", personas.admin)
    assert [app["name"] for app in answer_apps(client, enrolled.credential)] == ["VLC"]


def test_an_app_of_a_group_the_device_is_not_in_is_not_listed(client, personas, enrolled) -> None:
    assign(debian(personas.tenant), personas.amsterdam, "required", personas.admin)
    assert answer_apps(client, enrolled.credential) == []


def test_the_primary_users_groups_count_through_nesting(client, personas, enrolled) -> None:
    # Anton is in Sales, which is nested in the Amsterdam office.
    ManagedDevice.objects.filter(pk=enrolled.device.pk).update(primary_user=personas.amsterdam_user)
    assign(debian(personas.tenant), personas.amsterdam, "required", personas.admin)
    assert [app["name"] for app in answer_apps(client, enrolled.credential)] == ["VLC"]


def test_removing_the_assignment_removes_the_app_from_the_answer(
    client, personas, enrolled
) -> None:
    from deskside.apps.services import app_assignment_delete

    assignment = assign(debian(personas.tenant), personas.lyon, "required", personas.admin)
    assert len(answer_apps(client, enrolled.credential)) == 1
    app_assignment_delete(assignment=assignment, actor=personas.admin)
    assert answer_apps(client, enrolled.credential) == []


def test_another_tenants_assignment_never_reaches_the_device(client, personas, enrolled) -> None:
    theirs = group_create(tenant=personas.other_tenant, display_name="Lyon office", actor=None)
    assign(debian(personas.other_tenant), theirs, "required", personas.outsider)
    assert answer_apps(client, enrolled.credential) == []
