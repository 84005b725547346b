"""The apps part's rows of the portal page matrix (deskside/core/tests/test_page_access_matrix.py).

Help desk (scope: Amsterdam office) reads apps and app protection and may assign apps; the
read-only operator and the role administrator read; only administrators (and the outsider, in
their own tenant) create and edit. Objects of this tenant are a 404 for the outsider.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from deskside.apps.models import AppProtectionPolicy, AppRegistration, MobileApp
from deskside.apps.services import mobile_app_create, protection_policy_create
from deskside.fleet.models import ManagedDevice

Url = Callable[[object], str]


def _row(url: Url, **statuses: int) -> tuple[Url, dict[str, int]]:
    """Statuses per persona; anonymous goes to sign-in, no-role and unlicensed get a 403 page."""
    return url, {"anon": 302, "nobody": 403, "unlicensed": 403, **statuses}


def _app(p) -> MobileApp:  # type: ignore[no-untyped-def]
    return MobileApp.objects.filter(tenant=p.tenant).first() or mobile_app_create(
        tenant=p.tenant,
        display_name="VLC",
        platform="Linux",
        app_type="debianPackage",
        package_name="vlc",
        actor=None,
    )


def _policy(p) -> AppProtectionPolicy:  # type: ignore[no-untyped-def]
    return AppProtectionPolicy.objects.filter(tenant=p.tenant).first() or protection_policy_create(
        tenant=p.tenant,
        display_name="Outlook protection",
        platform="iOS",
        apps=["com.microsoft.Office.Outlook"],
        actor=None,
    )


def _registration(p) -> AppRegistration:  # type: ignore[no-untyped-def]
    registration, _ = AppRegistration.objects.get_or_create(
        tenant=p.tenant,
        user=p.amsterdam_user,
        app_identifier="com.microsoft.outlook",
        device_tag="tag-anton-pixel",
        defaults={
            "app_name": "Outlook",
            "device_name": "Anton's Pixel",
            "platform": "Android",
            "last_sync_at": timezone.now(),
        },
    )
    return registration


def _wipe_confirm(p) -> str:  # type: ignore[no-untyped-def]
    registration = _registration(p)
    return (
        f"/apps/protection/wipe-requests/new/?user={registration.user_id}"
        f"&device={registration.device_tag}"
    )


def _device(p, user) -> ManagedDevice:  # type: ignore[no-untyped-def]
    device, _ = ManagedDevice.objects.get_or_create(
        tenant=p.tenant,
        device_name=f"{user.display_name} laptop",
        defaults={"operating_system": "Linux", "primary_user": user},
    )
    return device


_READERS = {"admin": 200, "helpdesk": 200, "reader": 200, "role_admin": 200}
_WRITERS = {"admin": 200, "helpdesk": 403, "reader": 403, "role_admin": 403}

PAGES = {
    "app list": _row(lambda p: "/apps/", **_READERS, outsider=200),
    "app detail": _row(lambda p: f"/apps/{_app(p).pk}/", **_READERS, outsider=404),
    "app detail of one state": _row(
        lambda p: f"/apps/{_app(p).pk}/?state=failed", **_READERS, outsider=404
    ),
    "app create": _row(lambda p: "/apps/new/", **_WRITERS, outsider=200),
    "app edit": _row(lambda p: f"/apps/{_app(p).pk}/edit/", **_WRITERS, outsider=404),
    "device inventory in the help desk's scope": _row(
        lambda p: f"/apps/devices/{_device(p, p.amsterdam_user).pk}/inventory/",
        **_READERS,
        outsider=404,
    ),
    "device inventory out of the help desk's scope": _row(
        lambda p: f"/apps/devices/{_device(p, p.lyon_user).pk}/inventory/",
        **{**_READERS, "helpdesk": 404},
        outsider=404,
    ),
    "app protection policy list": _row(lambda p: "/apps/protection/", **_READERS, outsider=200),
    "app protection policy create": _row(
        lambda p: "/apps/protection/new/", **_WRITERS, outsider=200
    ),
    "app protection policy detail": _row(
        lambda p: f"/apps/protection/{_policy(p).pk}/", **_READERS, outsider=404
    ),
    "app protection policy edit": _row(
        lambda p: f"/apps/protection/{_policy(p).pk}/edit/", **_WRITERS, outsider=404
    ),
    "app registrations": _row(
        lambda p: "/apps/protection/registrations/", **_READERS, outsider=200
    ),
    "selective wipes": _row(lambda p: "/apps/protection/wipe-requests/", **_READERS, outsider=200),
    "selective wipe confirmation": _row(_wipe_confirm, **_WRITERS, outsider=404),
}

COVERED = {
    "apps:app_list",
    "apps:app_detail",
    "apps:app_create",
    "apps:app_edit",
    "apps:device_inventory",
    "apps:protection_list",
    "apps:protection_create",
    "apps:protection_detail",
    "apps:protection_edit",
    "apps:registration_list",
    "apps:wipe_list",
    "apps:wipe_create",
}

# POST-only endpoints, proven by test_app_pages.py, test_app_assignment_pages.py and
# test_app_protection_pages.py.
ELSEWHERE = {
    "apps:app_delete",
    "apps:app_assignment_add",
    "apps:app_assignment_update",
    "apps:app_assignment_remove",
    "apps:protection_delete",
    "apps:protection_assign",
    "apps:protection_unassign",
    "apps:wipe_cancel",  # test_selective_wipe_pages.py
}
