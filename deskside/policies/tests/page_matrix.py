"""The policies part's portal pages for the page access matrix
(deskside/core/tests/test_page_access_matrix.py): every persona, every page."""

from __future__ import annotations

from collections.abc import Callable

from deskside.policies.models import CompliancePolicy, ConfigurationProfile

Url = Callable[[object], str]


def _row(url: Url, **statuses: int) -> tuple[Url, dict[str, int]]:
    """Statuses per persona; anonymous goes to sign-in, no-role and unlicensed get a 403 page."""
    return url, {"anon": 302, "nobody": 403, "unlicensed": 403, **statuses}


def _policy(p: object) -> int:
    policy, _created = CompliancePolicy.objects.get_or_create(
        tenant=p.tenant,  # type: ignore[attr-defined]
        name="Matrix policy",
        defaults={"platform": "Linux", "require_encryption": True},
    )
    return policy.pk


def _profile(p: object) -> int:
    profile, _created = ConfigurationProfile.objects.get_or_create(
        tenant=p.tenant,  # type: ignore[attr-defined]
        name="Matrix Wi-Fi",
        defaults={
            "platform": "Linux",
            "profile_type": "wifi",
            "settings": {"ssid": "Matrix", "security": "wpa2Personal", "hidden": False},
            "secret_settings": {"passphrase": "matrix-passphrase"},
        },
    )
    return profile.pk


_READERS = {"admin": 200, "helpdesk": 200, "reader": 200, "role_admin": 200}
_WRITERS = {"admin": 200, "helpdesk": 403, "reader": 403, "role_admin": 403}

PAGES = {
    "compliance policy list": _row(lambda p: "/policies/compliance/", **_READERS, outsider=200),
    "compliance policy detail": _row(
        lambda p: f"/policies/compliance/{_policy(p)}/", **_READERS, outsider=404
    ),
    "compliance policy create": _row(
        lambda p: "/policies/compliance/new/", **_WRITERS, outsider=200
    ),
    "compliance policy edit": _row(
        lambda p: f"/policies/compliance/{_policy(p)}/edit/", **_WRITERS, outsider=404
    ),
    "compliance policy assign": _row(
        lambda p: f"/policies/compliance/{_policy(p)}/assign/", **_WRITERS, outsider=404
    ),
    "compliance settings": _row(
        lambda p: "/policies/compliance/settings/", **_WRITERS, outsider=200
    ),
    "configuration profile list": _row(lambda p: "/policies/profiles/", **_READERS, outsider=200),
    "configuration profile detail": _row(
        lambda p: f"/policies/profiles/{_profile(p)}/", **_READERS, outsider=404
    ),
    "configuration profile create": _row(
        lambda p: "/policies/profiles/new/wifi/", **_WRITERS, outsider=200
    ),
    "configuration profile edit": _row(
        lambda p: f"/policies/profiles/{_profile(p)}/edit/", **_WRITERS, outsider=404
    ),
    "configuration profile assign": _row(
        lambda p: f"/policies/profiles/{_profile(p)}/assign/", **_WRITERS, outsider=404
    ),
}

COVERED = {
    "policies:compliance_list",
    "policies:compliance_detail",
    "policies:compliance_create",
    "policies:compliance_edit",
    "policies:compliance_assign",
    "policies:compliance_settings",
    "policies:profile_list",
    "policies:profile_detail",
    "policies:profile_create",
    "policies:profile_edit",
    "policies:profile_assign",
}

# POST-only: deskside/policies/tests/test_compliance_policy_pages.py and test_profile_pages.py.
ELSEWHERE = {"policies:compliance_delete", "policies:profile_delete"}
