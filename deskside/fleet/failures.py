"""The enrollment failure reasons (shared/reference/enrollment-failures.md): stable codes for
the API and the agent, with a title, details, remediation steps and links, all translated.

The fleet part stores the code on each failure event; pages and API answers look the rest up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FailureReason(models.TextChoices):
    ENROLLMENT_SESSION_TIMEOUT = "EnrollmentSessionTimeout", _("Enrollment timed out")
    USER_NOT_LICENSED = "UserNotLicensed", _("User not licensed")
    DEVICE_ALREADY_ENROLLED = "DeviceAlreadyEnrolled", _("Device already enrolled")
    TENANT_NOT_ONBOARDED = "TenantNotOnboarded", _("Tenant not set up for device management")
    ENROLLMENT_AUTHORIZATION_FAILED = (
        "EnrollmentAuthorizationFailed",
        _("Agent version too old"),
    )
    DEVICE_NOT_SUPPORTED = "DeviceNotSupported", _("Device not supported")
    ENROLLMENT_RESTRICTIONS_NOT_MET = (
        "EnrollmentRestrictionsNotMet",
        _("Enrollment restrictions not met"),
    )
    OS_VERSION_TOO_LOW = "OsVersionTooLow", _("OS version too low")
    OS_VERSION_TOO_HIGH = "OsVersionTooHigh", _("OS version too high")
    PERSONAL_DEVICE_BLOCKED = "PersonalDeviceBlocked", _("Personal devices blocked")
    PLATFORM_BLOCKED = "PlatformBlocked", _("Platform blocked")
    BULK_TOKEN_EXPIRED = "BulkTokenExpired", _("Bulk enrollment token expired")
    AUTOPILOT_DEVICE_NOT_FOUND = "AutopilotDeviceNotFound", _("Device not pre-provisioned")
    AUTOPILOT_PROFILE_NOT_ASSIGNED = (
        "AutopilotProfileNotAssigned",
        _("No deployment profile assigned"),
    )
    AUTOPILOT_UNEXPECTED_METHOD = "AutopilotUnexpectedMethod", _("Enrollment method not allowed")
    AUTOPILOT_DEVICE_DELETED = "AutopilotDeviceDeleted", _("Device removed from pre-provisioning")
    DEVICE_LIMIT_REACHED = "DeviceLimitReached", _("Device limit reached")
    APPLE_ONBOARDING = "AppleOnboarding", _("Apple push certificate missing or expired")
    DEVICE_NOT_PREREGISTERED = "DeviceNotPreregistered", _("Device not pre-registered")
    FEATURE_NOT_SUPPORTED = "FeatureNotSupported", _("Enrollment method not supported")


@dataclass(frozen=True)
class Link:
    """Where the fix is made: a portal page, by URL name. The fleet's own pages (restrictions,
    tokens, pre-provisioning, corporate identifiers, devices) link here once they exist."""

    label: Promise
    url_name: str


@dataclass(frozen=True)
class FailureHelp:
    details: Promise
    remediation: tuple[Promise, ...]
    links: tuple[Link, ...] = ()


USERS = Link(_("Users"), url_name="directory:user_list")

HELP: dict[str, FailureHelp] = {
    FailureReason.ENROLLMENT_SESSION_TIMEOUT: FailureHelp(
        _(
            "The enrollment began but was not finished in time: the user did not complete the "
            "sign-in, or the device lost its connection before the last step."
        ),
        (
            _("Ask the user to start the enrollment again and finish it without pausing."),
            _("Check that the device stays connected to the network during enrollment."),
        ),
    ),
    FailureReason.USER_NOT_LICENSED: FailureHelp(
        _("The user who enrolled has no licence, or no longer exists in the tenant."),
        (
            _("Assign a licence to the user on their user page."),
            _("If the user was deleted, enroll the device with another account."),
        ),
        (USERS,),
    ),
    FailureReason.DEVICE_ALREADY_ENROLLED: FailureHelp(
        _("The device is still enrolled under another user."),
        (
            _("Retire or delete the device's existing record, then enroll again."),
            _("If the device changed hands, have the previous user's record removed first."),
        ),
    ),
    FailureReason.TENANT_NOT_ONBOARDED: FailureHelp(
        _("The tenant has not finished its set-up: no device management authority is configured."),
        (_("An administrator sets the device management authority in the tenant's settings."),),
    ),
    FailureReason.ENROLLMENT_AUTHORIZATION_FAILED: FailureHelp(
        _("The agent on the device is older than the minimum version the server accepts."),
        (_("Update the Deskside agent on the device, then enroll again."),),
    ),
    FailureReason.DEVICE_NOT_SUPPORTED: FailureHelp(
        _("The device does not meet the minimum requirements for enrollment."),
        (_("Check the device's platform and OS version against the supported ones."),),
    ),
    FailureReason.ENROLLMENT_RESTRICTIONS_NOT_MET: FailureHelp(
        _("An enrollment restriction set by an administrator blocked this device."),
        (
            _(
                "Review the restriction that applies to the user and change it if the device "
                "should enroll."
            ),
        ),
    ),
    FailureReason.OS_VERSION_TOO_LOW: FailureHelp(
        _("A restriction requires a newer OS version than the device has."),
        (
            _("Update the device's operating system, then enroll again."),
            _("Or lower the minimum OS version of the restriction that applies to the user."),
        ),
    ),
    FailureReason.OS_VERSION_TOO_HIGH: FailureHelp(
        _("A restriction requires an older OS version than the device has."),
        (_("Raise or remove the maximum OS version of the restriction that applies to the user."),),
    ),
    FailureReason.PERSONAL_DEVICE_BLOCKED: FailureHelp(
        _("Personal devices may not enroll, and this device is not declared as corporate."),
        (
            _("Add the device's serial number as a corporate identifier, then enroll again."),
            _("Or allow personally owned devices in the restriction that applies to the user."),
        ),
    ),
    FailureReason.PLATFORM_BLOCKED: FailureHelp(
        _("A restriction blocks the device's platform."),
        (
            _(
                "Allow the platform in the restriction that applies to the user, if it should "
                "enroll."
            ),
        ),
    ),
    FailureReason.BULK_TOKEN_EXPIRED: FailureHelp(
        _("The bulk enrollment token used by the device has expired."),
        (_("Create a new bulk enrollment token and provision the device with it."),),
    ),
    FailureReason.AUTOPILOT_DEVICE_NOT_FOUND: FailureHelp(
        _("The device tried pre-provisioned enrollment, but its hardware id is not registered."),
        (_("Register the device's hardware id in pre-provisioned devices, then restart it."),),
    ),
    FailureReason.AUTOPILOT_PROFILE_NOT_ASSIGNED: FailureHelp(
        _("The registered device has no active deployment profile."),
        (_("Assign a deployment profile to the device and wait for it to be active."),),
    ),
    FailureReason.AUTOPILOT_UNEXPECTED_METHOD: FailureHelp(
        _("The registered device used an enrollment method its deployment profile does not allow."),
        (
            _("Enroll the device with the method its profile allows."),
            _("Or change the allowed methods of its deployment profile."),
        ),
    ),
    FailureReason.AUTOPILOT_DEVICE_DELETED: FailureHelp(
        _("The device was removed from pre-provisioning for this tenant."),
        (_("Register the device's hardware id again if it should enroll."),),
    ),
    FailureReason.DEVICE_LIMIT_REACHED: FailureHelp(
        _("The user already has as many devices as the restriction that applies to them allows."),
        (
            _("Retire or delete one of the user's devices that is no longer used."),
            _("Or raise the device limit of the restriction that applies to the user."),
        ),
    ),
    FailureReason.APPLE_ONBOARDING: FailureHelp(
        _(
            "The tenant's Apple push certificate is missing or expired, so iOS and iPadOS "
            "devices cannot enroll."
        ),
        (_("An administrator renews the Apple push certificate in the tenant's settings."),),
    ),
    FailureReason.DEVICE_NOT_PREREGISTERED: FailureHelp(
        _("Personal devices may not enroll, and this device was not pre-registered as corporate."),
        (_("Pre-register the device (serial number or hardware id), then enroll again."),),
    ),
    FailureReason.FEATURE_NOT_SUPPORTED: FailureHelp(
        _("The user tried an enrollment method that the tenant's configuration does not support."),
        (),
    ),
}
