"""The checks that need the enrolling user, on the enrollment service itself (the HTTP path with
the agent's OAuth sign-in is in test_user_enrollment_oauth.py): restriction priority, corporate
identifiers, re-enrollment by the same user."""

from __future__ import annotations

import pytest

from deskside.directory.models import User
from deskside.fleet.enrollment import (
    DeviceFacts,
    EnrollmentAttempt,
    EnrollmentRefused,
    device_enroll,
)
from deskside.fleet.models import (
    CorporateIdentifier,
    EnrollmentFailure,
    EnrollmentRestriction,
    ManagedDevice,
)


def _attempt(personas, user: User, **device: str) -> EnrollmentAttempt:  # type: ignore[no-untyped-def]
    facts = {
        "device_name": "LAPTOP",
        "operating_system": "macOS",
        "os_version": "14.5",
        "serial_number": "C02-TEST",
        **device,
    }
    return EnrollmentAttempt(
        method="user",
        agent_version="1.2.0",
        tenant=personas.tenant,
        user=user,
        device=DeviceFacts(**facts),
    )


def _reason(attempt: EnrollmentAttempt) -> str:
    with pytest.raises(EnrollmentRefused) as refused:
        device_enroll(attempt=attempt)
    assert EnrollmentFailure.objects.filter(reason=refused.value.reason).exists()
    return str(refused.value.reason)


def test_an_unlicensed_user_cannot_enroll(personas, enrollment) -> None:
    assert _reason(_attempt(personas, personas.unlicensed)) == "UserNotLicensed"
    assert EnrollmentFailure.objects.get().user == personas.unlicensed


def test_the_user_enrolls_a_personal_device(personas, enrollment) -> None:
    enrolled = device_enroll(
        attempt=_attempt(personas, personas.amsterdam_user, ownership="personal")
    )
    assert (enrolled.device.primary_user, enrolled.device.owner_type) == (
        personas.amsterdam_user,
        "personal",
    )


def test_the_device_limit_of_the_users_restriction(personas, enrollment) -> None:
    sales_rule = EnrollmentRestriction.objects.create(
        tenant=personas.tenant, name="Sales", priority=1, device_limit=1
    )
    sales_rule.groups.add(personas.sales)
    device_enroll(attempt=_attempt(personas, personas.amsterdam_user, serial_number="ONE"))
    reason = _reason(_attempt(personas, personas.amsterdam_user, serial_number="TWO"))
    assert reason == "DeviceLimitReached"
    assert EnrollmentFailure.objects.get().details == "1 of 1 (Sales)"


def test_personal_devices_blocked_unless_corporate(personas, enrollment) -> None:
    enrollment.default.block_personal = True
    enrollment.default.save()
    user = personas.lyon_user
    assert _reason(_attempt(personas, user, ownership="personal")) == "PersonalDeviceBlocked"
    assert _reason(_attempt(personas, user, ownership="unknown")) == "DeviceNotPreregistered"
    CorporateIdentifier.objects.create(tenant=personas.tenant, serial_number="C02-TEST")
    enrolled = device_enroll(attempt=_attempt(personas, user, ownership="personal"))
    assert enrolled.device.owner_type == "company"


def test_the_highest_priority_restriction_of_the_users_groups_applies(personas, enrollment) -> None:
    for priority, name, blocked in [(2, "Office", []), (1, "Sales", ["macOS"])]:
        rule = EnrollmentRestriction.objects.create(
            tenant=personas.tenant, name=name, priority=priority, blocked_platforms=blocked
        )
        rule.groups.add(personas.amsterdam)
    assert _reason(_attempt(personas, personas.amsterdam_user)) == "PlatformBlocked"
    assert "(Sales)" in EnrollmentFailure.objects.get().details
    # Louise is in neither group: the tenant default lets her enroll.
    assert device_enroll(attempt=_attempt(personas, personas.lyon_user)).device.pk


def test_the_same_user_may_enroll_their_device_again(personas, enrollment) -> None:
    device_enroll(attempt=_attempt(personas, personas.amsterdam_user))
    reason = _reason(_attempt(personas, personas.lyon_user))
    assert reason == "DeviceAlreadyEnrolled"
    assert ManagedDevice.objects.count() == 1
