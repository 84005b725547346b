"""What each app type needs: a Debian package's name and version follow Debian Policy, a script
needs its script and a detection rule, store apps their store's URL and ids; a wrong field is
named; the fields a type does not use are not kept; platform and type stay fixed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from deskside.apps.models import MobileApp
from deskside.apps.services import mobile_app_create, mobile_app_update
from deskside.apps.tests.helpers import debian, script

GOOD: dict[str, tuple[str, dict[str, Any]]] = {
    "debianPackage": ("Linux", {"package_name": "libreoffice-writer", "version": "4:7.4.7-1"}),
    "script": (
        "Linux",
        {
            "install_script": "#!/bin/sh\ntrue\n",
            "detection": {"type": "commandSucceeds", "command": "dpkg -s zoom"},
        },
    ),
    "windowsMsi": (
        "Windows",
        {
            "package_name": "{23170F69-40C1-2702-2301-000001000000}",
            "url": "https://downloads.example.test/7z.msi",
        },
    ),
    "macPkg": (
        "macOS",
        {"package_name": "org.videolan.vlc", "url": "https://downloads.example.test/vlc.pkg"},
    ),
    "iosStore": ("iOS", {"url": "https://apps.apple.com/app/id951937596"}),
    "androidStore": ("Android", {"package_name": "com.microsoft.office.outlook"}),
    "webLink": ("Android", {"url": "http://intranet.lakeside.test/"}),
}


@pytest.mark.parametrize("app_type", sorted(GOOD))
def test_each_type_is_accepted_with_its_fields(personas, app_type) -> None:
    platform, fields = GOOD[app_type]
    app = mobile_app_create(
        tenant=personas.tenant,
        display_name=f"A {app_type}",
        platform=platform,
        app_type=app_type,
        actor=personas.admin,
        **fields,
    )
    for name, value in fields.items():
        assert getattr(app, name) == value


BAD = [
    ("debianPackage", "Linux", {"package_name": "VLC"}, "package_name"),
    ("debianPackage", "Linux", {"package_name": "v"}, "package_name"),
    ("debianPackage", "Linux", {"package_name": "-vlc"}, "package_name"),
    ("debianPackage", "Linux", {"package_name": "vlc player"}, "package_name"),
    ("debianPackage", "Linux", {"package_name": ""}, "package_name"),
    ("debianPackage", "Linux", {"package_name": "vlc", "version": "latest"}, "version"),
    ("debianPackage", "Linux", {"package_name": "vlc", "version": "3.0-"}, "version"),
    ("debianPackage", "Windows", {"package_name": "vlc"}, "platform"),
    ("script", "Linux", {"detection": {"type": "fileExists", "path": "/x"}}, "install_script"),
    ("script", "Linux", {"install_script": "true"}, "detection"),
    (
        "script",
        "Linux",
        {"install_script": "true", "detection": {"type": "fileExists", "path": "relative/x"}},
        "detection",
    ),
    (
        "script",
        "Linux",
        {"install_script": "true", "detection": {"type": "registryKey", "path": "/x"}},
        "detection",
    ),
    (
        "script",
        "Linux",
        {"install_script": "true", "detection": {"type": "fileExists", "command": "true"}},
        "detection",
    ),
    ("script", "iOS", {"install_script": "true"}, "platform"),
    (
        "windowsMsi",
        "Windows",
        {"package_name": "7zip", "url": "https://x.test/a.msi"},
        "package_name",
    ),
    (
        "windowsMsi",
        "Windows",
        {"package_name": "{23170F69-40C1-2702-2301-000001000000}", "url": "http://x.test/a.msi"},
        "url",
    ),
    ("macPkg", "macOS", {"package_name": "vlc", "url": "https://x.test/a.pkg"}, "package_name"),
    ("iosStore", "iOS", {"url": "https://play.google.com/store/apps/details?id=x"}, "url"),
    ("iosStore", "iOS", {"url": ""}, "url"),
    ("androidStore", "Android", {"package_name": "outlook"}, "package_name"),
    ("androidStore", "Android", {"package_name": "com.x.y", "url": "https://x.test/"}, "url"),
    ("webLink", "Linux", {"url": "ftp://files.example.test/"}, "url"),
    ("webLink", "Linux", {"url": "not a url"}, "url"),
    ("flatpak", "Linux", {}, "app_type"),
]


@pytest.mark.parametrize(("app_type", "platform", "fields", "field"), BAD)
def test_a_wrong_field_is_named(personas, app_type, platform, fields, field) -> None:
    with pytest.raises(ValidationError) as caught:
        mobile_app_create(
            tenant=personas.tenant,
            display_name="Broken",
            platform=platform,
            app_type=app_type,
            actor=personas.admin,
            **fields,
        )
    assert set(caught.value.message_dict) == {field}
    assert not MobileApp.objects.exists()


def test_fields_the_type_does_not_use_are_not_kept(personas) -> None:
    app = debian(personas.tenant, install_script="rm -rf /", url="https://x.test/")
    assert (app.install_script, app.url, app.detection) == ("", "", None)


def test_a_name_is_required_and_unique_per_platform(personas) -> None:
    debian(personas.tenant)
    with pytest.raises(ValidationError) as caught:
        debian(personas.tenant, package="vlc-bin")
    assert "display_name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        debian(personas.tenant, name="  ")
    assert "display_name" in caught.value.message_dict
    mobile_app_create(
        tenant=personas.tenant,
        display_name="VLC",
        platform="macOS",
        app_type="macPkg",
        package_name="org.videolan.vlc",
        url="https://x.test/vlc.pkg",
        actor=None,
    )


def test_platform_and_type_cannot_change(personas) -> None:
    app = debian(personas.tenant)
    with pytest.raises(ValidationError) as caught:
        mobile_app_update(app=app, actor=personas.admin, platform="Windows")
    assert "platform" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        mobile_app_update(app=app, actor=personas.admin, app_type="script")
    assert "app_type" in caught.value.message_dict


def test_an_uninstall_assignment_keeps_the_uninstall_script(personas) -> None:
    from deskside.apps.services import app_assignment_create

    app = script(personas.tenant)
    app_assignment_create(app=app, group=personas.lyon, intent="uninstall", actor=personas.admin)
    with pytest.raises(ValidationError) as caught:
        mobile_app_update(app=app, actor=personas.admin, uninstall_script="")
    assert "uninstall_script" in caught.value.message_dict
