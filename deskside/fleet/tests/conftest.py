from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from deskside.fleet.enrollment import token_hash
from deskside.fleet.models import (
    BulkEnrollmentToken,
    DeploymentProfile,
    DeviceMembership,
    EnrollmentRestriction,
    EnrollmentSettings,
    ManagedDevice,
    PreprovisionedDevice,
)
from deskside.fleet.tests.portal_objects import device

TOKEN = "bulk-token-for-the-tests-0123456789"


@dataclass
class Enrollment:
    settings: EnrollmentSettings
    default: EnrollmentRestriction
    token: BulkEnrollmentToken
    profile: DeploymentProfile
    registered: PreprovisionedDevice


@pytest.fixture
def enrollment(personas) -> Enrollment:  # type: ignore[no-untyped-def]
    """The personas' tenant, onboarded: a default restriction, a valid bulk token, a deployment
    profile that allows pre-provisioned enrollment, and one registered hardware id."""
    tenant = personas.tenant
    profile = DeploymentProfile.objects.create(
        tenant=tenant, name="Kiosks", allowed_methods=["preProvisioned"]
    )
    return Enrollment(
        settings=EnrollmentSettings.objects.create(
            tenant=tenant,
            management_authority_set=True,
            apple_push_certificate_expires_at=timezone.now() + timedelta(days=90),
        ),
        default=EnrollmentRestriction.objects.create(
            tenant=tenant, name="Default", is_default=True
        ),
        token=BulkEnrollmentToken.objects.create(
            tenant=tenant,
            name="Warehouse scanners",
            token_hash=token_hash(TOKEN),
            expires_at=timezone.now() + timedelta(days=30),
        ),
        profile=profile,
        registered=PreprovisionedDevice.objects.create(
            tenant=tenant, hardware_id="HW-KIOSK-1", serial_number="SN-KIOSK-1", profile=profile
        ),
    )


@pytest.fixture
def fleet(personas):  # type: ignore[no-untyped-def]
    """Devices of an Amsterdam user, a Lyon user, one without a user in the Amsterdam group,
    one without a user or group, and one of the other tenant."""
    device(
        personas,
        "AMS-01",
        personas.amsterdam_user,
        serial_number="PF-AMS-01",
        compliance_state="compliant",
        owner_type="company",
    )
    device(
        personas,
        "LYON-01",
        personas.lyon_user,
        operating_system="Windows",
        os_version="10.0.22631",
        compliance_state="noncompliant",
        owner_type="personal",
    )
    kiosk = device(personas, "AMS-KIOSK", None, enrollment_method="bulkToken")
    DeviceMembership.objects.create(group=personas.amsterdam, device=kiosk)
    device(personas, "WAREHOUSE-SCANNER", None, enrollment_method="bulkToken")
    ManagedDevice.objects.create(
        tenant=personas.other_tenant,
        device_name="ELSEWHERE-01",
        operating_system="Linux",
        primary_user=personas.outsider_user,
    )
    return personas
