"""The benchmark's fleet: one tenant, offices with users, and their enrolled devices, with what a
real tenant assigns to them (a compliance policy, profiles, apps), all made through the services.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from deskside.directory.services import group_create, group_member_add, tenant_create, user_create
from deskside.fleet.enrollment import USER, DeviceFacts, EnrollmentAttempt, device_enroll
from deskside.fleet.models import EnrollmentRestriction, EnrollmentSettings

PLATFORMS = (("Linux", "12.8"), ("Windows", "10.0.22631"), ("macOS", "14.5"))


def facts_of(index: int, operating_system: str, os_version: str) -> dict[str, Any]:
    """The facts device ``index`` reports, as the check-in API takes them."""
    return {
        "deviceName": f"bench-{index:05d}",
        "operatingSystem": operating_system,
        "osVersion": os_version,
        "serialNumber": f"SN-BENCH-{index:05d}",
        "manufacturer": "Contoso",
        "model": "Bench 1",
        "isEncrypted": index % 7 != 0,
        "firewallEnabled": True,
        "screenLockEnabled": True,
        "freeStorageSpaceInBytes": 40_000_000_000,
        "totalStorageSpaceInBytes": 250_000_000_000,
    }


@transaction.atomic
def seed_fleet(*, count: int, progress: IO[str] | None = None) -> list[dict[str, Any]]:
    """Make the tenant and ``count`` enrolled devices; return each device's credential and facts."""
    rng = random.Random(7)
    tenant = tenant_create(name="Bench", domains=["bench.test"])
    EnrollmentSettings.objects.create(
        tenant=tenant,
        management_authority_set=True,
        apple_push_certificate_expires_at=timezone.now() + timedelta(days=365),
    )
    EnrollmentRestriction.objects.create(
        tenant=tenant, name="Default", is_default=True, device_limit=10
    )
    offices = [
        group_create(tenant=tenant, display_name=f"Office {n}", actor=None) for n in range(4)
    ]
    all_staff = group_create(tenant=tenant, display_name="All staff", actor=None)
    for office in offices:
        group_member_add(group=all_staff, member=office, actor=None)
    assign_fleet_content(tenant=tenant, groups=[all_staff, *offices])

    devices: list[dict[str, Any]] = []
    users = max(1, count // 2)
    for index in range(count):
        if index < users:
            user = user_create(
                tenant=tenant,
                email=f"user{index:05d}@bench.test",
                display_name=f"Bench user {index}",
                actor=None,
            )
            group_member_add(group=rng.choice(offices), member=user, actor=None)
        else:
            from deskside.directory.models import User

            user = User.objects.get(email=f"user{index % users:05d}@bench.test")
        operating_system, os_version = PLATFORMS[index % len(PLATFORMS)]
        facts = facts_of(index, operating_system, os_version)
        enrolled = device_enroll(
            attempt=EnrollmentAttempt(
                method=USER,
                agent_version="1.0.0",
                tenant=tenant,
                user=user,
                device=DeviceFacts(
                    device_name=facts["deviceName"],
                    operating_system=operating_system,
                    os_version=os_version,
                    serial_number=facts["serialNumber"],
                    ownership="company",
                ),
            )
        )
        devices.append({"credential": enrolled.credential, "facts": facts})
        if progress is not None and (index + 1) % 100 == 0:
            print(f"seed: {index + 1}/{count} devices", file=progress, flush=True)
    return devices


def assign_fleet_content(*, tenant: Any, groups: list[Any]) -> None:
    """What a tenant assigns to everyone: per platform a compliance policy, a Wi-Fi profile and
    a required app; a VPN profile for Linux. Every check-in evaluates and delivers all of it."""
    from deskside.apps.services import app_assignment_create, mobile_app_create
    from deskside.policies.services import (
        compliance_policy_assign,
        compliance_policy_create,
        profile_assign,
        profile_create,
    )

    everyone = groups[0]
    apps = {
        "Linux": ("debianPackage", {"package_name": "firefox-esr"}),
        "Windows": (
            "windowsMsi",
            {
                "package_name": "{90160000-008C-0000-1000-0000000FF1CE}",
                "url": "https://apps.bench.test/setup.msi",
            },
        ),
        "macOS": (
            "macPkg",
            {"package_name": "com.bench.office", "url": "https://apps.bench.test/office.pkg"},
        ),
    }
    for operating_system, os_version in PLATFORMS:
        policy = compliance_policy_create(
            tenant=tenant,
            actor=None,
            name=f"{operating_system} baseline",
            platform=operating_system,
            os_minimum_version=os_version.split(".")[0],
            require_encryption=True,
            require_firewall=True,
            require_screen_lock=True,
            max_days_since_check_in=14,
            grace_period_days=3,
        )
        compliance_policy_assign(
            policy=policy, include_groups=[everyone], exclude_groups=[], actor=None
        )
        wifi = profile_create(
            tenant=tenant,
            name=f"Office Wi-Fi ({operating_system})",
            platform=operating_system,
            profile_type="wifi",
            settings={"ssid": "Bench", "security": "wpa2Personal", "hidden": False},
            secrets={"passphrase": "bench-passphrase"},
            actor=None,
        )
        profile_assign(profile=wifi, include_groups=[everyone], exclude_groups=[], actor=None)
        app_type, fields = apps[operating_system]
        app = mobile_app_create(
            tenant=tenant,
            display_name=f"Office ({operating_system})",
            platform=operating_system,
            app_type=app_type,
            actor=None,
            **fields,
        )
        app_assignment_create(app=app, group=everyone, intent="required", actor=None)
