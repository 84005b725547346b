"""App protection: registrations reported by protected apps.

There is no mobile SDK: a protected app signs its user in through the portal (OAuth 2.0,
authorization code + PKCE, scope ``managedApps``; see apps/oauth.py) and checks in here. The
input schema forbids unknown fields, so a malformed report is a 422 that names the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field

from deskside.apps.choices import FlaggedReason, ProtectionPlatform
from deskside.apps.models import AppProtectionPolicy
from deskside.apps.oauth import protected_app_user
from deskside.apps.selectors import policies_for_registration
from deskside.apps.services import RegistrationRefused, RegistrationReport, app_protection_check_in
from deskside.apps.validation import APP_IDENTIFIER
from deskside.directory.models import User


class ManagedAppsToken(HttpBearer):
    """A ``managedApps`` access token of an enabled user; ``request.auth`` becomes the user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return protected_app_user(request)


router = Router(tags=["app protection"], auth=ManagedAppsToken())

Platform = Literal["iOS", "Android", "Windows"]
Reason = Literal["rootedDevice", "androidBootloaderUnlocked", "androidFactoryRomModified"]
assert set(Platform.__args__) == set(ProtectionPlatform.values)  # type: ignore[attr-defined]
assert set(Reason.__args__) == set(FlaggedReason.values)  # type: ignore[attr-defined]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class RegistrationIn(Strict):
    appIdentifier: str = Field(min_length=3, max_length=200, pattern=f"^{APP_IDENTIFIER.pattern}$")
    appName: str = Field(min_length=1, max_length=200)
    appVersion: str = Field(default="", max_length=64)
    deviceTag: str = Field(min_length=1, max_length=200)
    deviceName: str = Field(min_length=1, max_length=200)
    deviceType: str = Field(default="", max_length=200)
    platform: Platform
    platformVersion: str = Field(default="", max_length=64)
    managedDeviceId: int | None = None
    flaggedReasons: list[Reason] = Field(default_factory=list, max_length=10)


class PolicyOut(Schema):
    policyId: int
    displayName: str
    platform: str
    targetedAppManagementLevels: str
    pinRequired: bool
    allowedOutboundClipboardSharingLevel: str
    dataBackupBlocked: bool
    minimumRequiredAppVersion: str
    periodOfflineBeforeAccessCheckMinutes: int
    lastModifiedDateTime: datetime


class WipeOrderOut(Schema):
    """Wipe this app's managed data for the user, then report to ``resultUrl``."""

    wipeRequestId: int
    requestedDateTime: datetime
    resultUrl: str


class RegistrationOut(Schema):
    registrationId: int
    lastSyncDateTime: datetime
    policies: list[PolicyOut]
    wipe: WipeOrderOut | None = None


class ErrorOut(Schema):
    detail: str


def _policy_out(policy: AppProtectionPolicy) -> PolicyOut:
    return PolicyOut(
        policyId=policy.pk,
        displayName=policy.display_name,
        platform=policy.platform,
        targetedAppManagementLevels=policy.management_level,
        pinRequired=policy.pin_required,
        allowedOutboundClipboardSharingLevel="managedApps"
        if policy.block_copy_paste_to_unmanaged
        else "allApps",
        dataBackupBlocked=policy.block_backup,
        minimumRequiredAppVersion=policy.minimum_app_version,
        periodOfflineBeforeAccessCheckMinutes=policy.offline_grace_period_minutes,
        lastModifiedDateTime=policy.last_modified_at,
    )


@router.post(
    "/registrations",
    response={
        200: RegistrationOut,
        201: RegistrationOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ErrorOut,
    },
)
def registration_check_in(
    request: HttpRequest, payload: RegistrationIn
) -> tuple[int, RegistrationOut]:
    """A protected app checks in for the signed-in user (the same user, app and device tag
    update one registration) and gets the app protection policies that apply to it, and the
    selective wipe it must carry out if an operator asked for one (``wipe``, else null)."""
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.has_license:
        raise HttpError(403, "The user has no licence: app protection does not apply.")
    report = RegistrationReport(
        app_identifier=payload.appIdentifier,
        app_name=payload.appName,
        app_version=payload.appVersion,
        device_tag=payload.deviceTag,
        device_name=payload.deviceName,
        device_type=payload.deviceType,
        platform=payload.platform,
        platform_version=payload.platformVersion,
        managed_device_id=payload.managedDeviceId,
        flagged_reasons=list(payload.flaggedReasons),
    )
    try:
        registration, created, wipe = app_protection_check_in(
            user=user, report=report, request=request
        )
    except RegistrationRefused as refusal:
        raise HttpError(422, f"{refusal.field}: {refusal.message}") from refusal
    wipe_out = None
    if wipe is not None:
        result_url = reverse("api:app_wipe_report", kwargs={"wipeRequestId": wipe.wipe_request_id})
        wipe_out = WipeOrderOut(
            wipeRequestId=wipe.wipe_request_id,
            requestedDateTime=wipe.requested_at,
            resultUrl=request.build_absolute_uri(result_url),
        )
    answer = RegistrationOut(
        registrationId=registration.pk,
        lastSyncDateTime=registration.last_sync_at,
        policies=[_policy_out(p) for p in policies_for_registration(registration=registration)],
        wipe=wipe_out,
    )
    return (201 if created else 200), answer
