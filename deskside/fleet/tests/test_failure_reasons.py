"""The 20 enrollment failure reasons: stable codes, each with a title, details, remediation steps
and links that resolve, in English, Dutch and French."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from deskside.fleet.failures import HELP, FailureReason

CODES = {
    "EnrollmentSessionTimeout",
    "UserNotLicensed",
    "DeviceAlreadyEnrolled",
    "TenantNotOnboarded",
    "EnrollmentAuthorizationFailed",
    "DeviceNotSupported",
    "EnrollmentRestrictionsNotMet",
    "OsVersionTooLow",
    "OsVersionTooHigh",
    "PersonalDeviceBlocked",
    "PlatformBlocked",
    "BulkTokenExpired",
    "AutopilotDeviceNotFound",
    "AutopilotProfileNotAssigned",
    "AutopilotUnexpectedMethod",
    "AutopilotDeviceDeleted",
    "DeviceLimitReached",
    "AppleOnboarding",
    "DeviceNotPreregistered",
    "FeatureNotSupported",
}


def test_the_codes_are_exactly_the_twenty_of_the_reference() -> None:
    assert set(FailureReason.values) == CODES
    assert set(HELP) == CODES


def test_every_reason_but_one_has_remediation_steps() -> None:
    without = {code for code, help_ in HELP.items() if not help_.remediation}
    assert without == {"FeatureNotSupported"}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_title_detail_and_step_is_translated(language: str) -> None:
    for code, help_ in HELP.items():
        texts = [FailureReason(code).label, help_.details, *help_.remediation]
        with translation.override("en"):
            english = [str(text) for text in texts]
        with translation.override(language):
            translated = [str(text) for text in texts]
        unchanged = [e for e, t in zip(english, translated, strict=True) if e == t]
        assert unchanged == [], code


def test_every_link_resolves_to_a_portal_page() -> None:
    for help_ in HELP.values():
        for link in help_.links:
            assert reverse(link.url_name).startswith("/")
