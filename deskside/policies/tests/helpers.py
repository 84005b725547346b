"""Helpers for the policies tests: policies and profiles made through the services."""

from __future__ import annotations

from typing import Any

from deskside.directory.models import Group, Tenant
from deskside.policies.models import CompliancePolicy, ConfigurationProfile
from deskside.policies.services import (
    compliance_policy_assign,
    compliance_policy_create,
    profile_assign,
    profile_create,
)

PASSPHRASE = "correct-horse-battery"
PEER_KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="


def policy(
    tenant: Tenant,
    groups: list[Group],
    *,
    name: str = "Baseline",
    exclude: list[Group] | None = None,
    **rules: Any,
) -> CompliancePolicy:
    """A Linux compliance policy with ``rules``, assigned to ``groups``."""
    rules.setdefault("platform", "Linux")
    made = compliance_policy_create(tenant=tenant, name=name, actor=None, **rules)
    if groups or exclude:
        admin = None
        compliance_policy_assign(
            policy=made,
            include_groups=groups,
            exclude_groups=exclude or [],
            actor=admin,  # type: ignore[arg-type]
        )
    return made


def wifi(
    tenant: Tenant,
    groups: list[Group],
    *,
    name: str = "Office Wi-Fi",
    ssid: str = "Lakeside",
    passphrase: str = PASSPHRASE,
    security: str = "wpa2Personal",
    platform: str = "Linux",
    hidden: bool = False,
) -> ConfigurationProfile:
    made = profile_create(
        tenant=tenant,
        name=name,
        platform=platform,
        profile_type="wifi",
        settings={"ssid": ssid, "security": security, "hidden": hidden},
        secrets={"passphrase": passphrase},
        actor=None,
    )
    if groups:
        profile_assign(profile=made, include_groups=groups, actor=None)  # type: ignore[arg-type]
    return made


def custom(
    tenant: Tenant,
    groups: list[Group],
    settings: dict[str, str],
    *,
    name: str = "Custom",
    platform: str = "Linux",
) -> ConfigurationProfile:
    made = profile_create(
        tenant=tenant,
        name=name,
        platform=platform,
        profile_type="custom",
        settings=settings,
        actor=None,
    )
    if groups:
        profile_assign(profile=made, include_groups=groups, actor=None)  # type: ignore[arg-type]
    return made


def checked_in(client: Any, credential: str, **changes: Any) -> dict[str, Any]:
    """Check in through the API with the default facts changed by ``facts=`` and the report's
    other keys; the answer, which must be a 200."""
    from deskside.fleet.tests.checkins import check_in, facts, report

    body = report(facts=facts(**changes.pop("facts", {})), **changes)
    response = check_in(client, credential, body)
    assert response.status_code == 200, response.content
    return dict(response.json())
