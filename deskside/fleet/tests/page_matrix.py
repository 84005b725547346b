"""The fleet's portal pages in the page access matrix (core/tests/test_page_access_matrix.py).

Two engineers add here, each under their own comment line, with small edits: the device list,
device page and enrollment administration (fleet portal), and the device actions.
"""

from __future__ import annotations

from collections.abc import Callable

from deskside.fleet.tests import portal_objects as obj

Url = Callable[[object], str]


def _row(url: Url, **statuses: int) -> tuple[Url, dict[str, int]]:
    """Statuses per persona; anonymous goes to sign-in, no-role and unlicensed get a 403 page."""
    return url, {"anon": 302, "nobody": 403, "unlicensed": 403, **statuses}


PAGES: dict[str, tuple[Url, dict[str, int]]] = {
    # device list, device page, enrollment administration (fleet portal)
    **{
        name: _row(url, admin=200, helpdesk=200, reader=200, role_admin=200, outsider=200)
        for name, url in {
            "device list": lambda p: "/devices/",
            "enrollment settings": lambda p: "/enrollment/",
            "enrollment restrictions": lambda p: "/enrollment/restrictions/",
            "bulk enrollment tokens": lambda p: "/enrollment/tokens/",
            "deployment profiles": lambda p: "/enrollment/profiles/",
            "pre-provisioned devices": lambda p: "/enrollment/preprovisioned/",
            "corporate identifiers": lambda p: "/enrollment/corporate/",
            "enrollment failures": lambda p: "/enrollment/failures/",
        }.items()
    },
    "device list export": _row(
        lambda p: "/devices/export.csv",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=200,
    ),
    "device in the help desk's scope": _row(
        lambda p: f"/devices/{obj.amsterdam_device(p).pk}/",
        admin=200,
        helpdesk=200,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "device out of the help desk's scope": _row(
        lambda p: f"/devices/{obj.lyon_device(p).pk}/",
        admin=200,
        helpdesk=404,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "enrollment failure of a user in the help desk's scope": _row(
        lambda p: f"/enrollment/failures/{obj.failure(p, p.amsterdam_user).pk}/",
        admin=200,
        helpdesk=200,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "enrollment failure of a user out of the help desk's scope": _row(
        lambda p: f"/enrollment/failures/{obj.failure(p, p.lyon_user).pk}/",
        admin=200,
        helpdesk=404,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "enrollment failure without a user": _row(
        lambda p: f"/enrollment/failures/{obj.failure(p, None).pk}/",
        admin=200,
        helpdesk=200,
        reader=200,
        role_admin=200,
        outsider=404,
    ),
    "restriction create": _row(
        lambda p: "/enrollment/restrictions/new/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=200,
    ),
    "restriction edit": _row(
        lambda p: f"/enrollment/restrictions/{obj.restriction(p).pk}/edit/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=404,
    ),
    "deployment profile edit": _row(
        lambda p: f"/enrollment/profiles/{obj.profile(p).pk}/edit/",
        admin=200,
        helpdesk=403,
        reader=403,
        role_admin=403,
        outsider=404,
    ),
    # device actions (fleet)
}

COVERED: set[str] = {
    # device list, device page, enrollment administration (fleet portal)
    "fleet:device_list",
    "fleet:device_export",
    "fleet:device_detail",
    "enrollment:settings",
    "enrollment:restriction_list",
    "enrollment:restriction_create",
    "enrollment:restriction_edit",
    "enrollment:token_list",
    "enrollment:profile_list",
    "enrollment:profile_edit",
    "enrollment:preprovisioned_list",
    "enrollment:corporate_list",
    "enrollment:failure_list",
    "enrollment:failure_detail",
    # device actions (fleet)
}

ELSEWHERE: set[str] = {
    # device list, device page, enrollment administration (fleet portal)
    # POST-only: test_enrollment_*_pages.py
    "enrollment:settings_update",
    "enrollment:restriction_default_create",
    "enrollment:restriction_move",
    "enrollment:restriction_delete",
    "enrollment:token_create",
    "enrollment:token_revoke",
    "enrollment:profile_create",
    "enrollment:preprovisioned_add",
    "enrollment:preprovisioned_assign",
    "enrollment:preprovisioned_remove",
    "enrollment:corporate_add",
    "enrollment:corporate_remove",
    # device actions (fleet)
    # POST-only, and a download that needs an uploaded bundle: test_device_action_portal.py,
    # test_diagnostics_download.py
    "device_actions:request",
    "device_actions:cancel",
    "device_actions:diagnostics_download",
}
