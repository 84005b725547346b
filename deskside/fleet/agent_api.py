"""The agents' API after enrollment: check-in and diagnostics uploads (docs/agent-protocol.md).

Agents authenticate with their device credential (``Authorization: Bearer``); an unknown, revoked
or retired device's credential is a 401. Input schemas forbid unknown fields, so a malformed or
partial report is a 422 that names the field, and nothing of it is stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field

from deskside.fleet.checkin import CheckInRefused, device_check_in
from deskside.fleet.diagnostics import DiagnosticsRefused, diagnostics_bundle_upload
from deskside.fleet.models import ManagedDevice
from deskside.fleet.reports import (
    ActionResult,
    AppResult,
    CheckInReport,
    Facts,
    InventoryItem,
    ProfileResult,
)
from deskside.fleet.selectors import device_for_credential


class DeviceCredential(HttpBearer):
    """The device credential issued at enrollment; ``request.auth`` becomes the device."""

    def authenticate(self, request: HttpRequest, token: str) -> ManagedDevice | None:
        return device_for_credential(credential=token)


router = Router(tags=["agent"], auth=DeviceCredential())

Platform = Literal["Windows", "macOS", "iOS", "Android", "Linux"]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class FactsIn(Strict):
    deviceName: str = Field(min_length=1, max_length=200)
    operatingSystem: Platform
    osVersion: str = Field(min_length=1, max_length=64)
    serialNumber: str = Field(default="", max_length=128)
    manufacturer: str = Field(default="", max_length=128)
    model: str = Field(default="", max_length=128)
    isEncrypted: bool | None
    firewallEnabled: bool | None
    screenLockEnabled: bool | None
    freeStorageSpaceInBytes: int | None = Field(ge=0)
    totalStorageSpaceInBytes: int | None = Field(ge=0)


class InventoryItemIn(Strict):
    name: str = Field(min_length=1, max_length=300)
    version: str = Field(default="", max_length=100)
    publisher: str = Field(default="", max_length=200)


class ProfileResultIn(Strict):
    profileId: int
    version: int = Field(ge=1)
    state: Literal["succeeded", "failed", "notApplicable"]
    detail: str = Field(default="", max_length=1000)


class AppResultIn(Strict):
    appId: int
    installState: Literal["installed", "failed", "notInstalled", "uninstallFailed", "notApplicable"]
    errorCode: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=1000)
    version: str = Field(default="", max_length=100)


class ActionResultIn(Strict):
    actionId: int
    state: Literal["done", "failed", "notSupported"]
    detail: str = Field(default="", max_length=1000)


class CheckInIn(Strict):
    reportId: uuid.UUID
    agentVersion: str = Field(min_length=1, max_length=32)
    facts: FactsIn
    inventory: list[InventoryItemIn] | None = Field(default=None, max_length=5000)
    profileResults: list[ProfileResultIn] = Field(default_factory=list, max_length=500)
    appResults: list[AppResultIn] = Field(default_factory=list, max_length=500)
    actionResults: list[ActionResultIn] = Field(default_factory=list, max_length=100)


class CheckInOut(Schema):
    deviceId: int
    deviceName: str
    complianceState: str
    checkInIntervalSeconds: int
    minimumAgentVersion: str
    actions: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    apps: list[dict[str, Any]]


class ErrorOut(Schema):
    detail: str


def _report(payload: CheckInIn) -> CheckInReport:
    facts = payload.facts
    return CheckInReport(
        report_id=payload.reportId,
        agent_version=payload.agentVersion,
        facts=Facts(
            device_name=facts.deviceName,
            operating_system=facts.operatingSystem,
            os_version=facts.osVersion,
            serial_number=facts.serialNumber,
            manufacturer=facts.manufacturer,
            model=facts.model,
            is_encrypted=facts.isEncrypted,
            firewall_enabled=facts.firewallEnabled,
            screen_lock_enabled=facts.screenLockEnabled,
            free_storage_bytes=facts.freeStorageSpaceInBytes,
            total_storage_bytes=facts.totalStorageSpaceInBytes,
        ),
        inventory=None
        if payload.inventory is None
        else [InventoryItem(i.name, i.version, i.publisher) for i in payload.inventory],
        profile_results=[
            ProfileResult(r.profileId, r.version, r.state, r.detail) for r in payload.profileResults
        ],
        app_results=[
            AppResult(r.appId, r.installState, r.errorCode, r.detail, r.version)
            for r in payload.appResults
        ],
        action_results=[ActionResult(r.actionId, r.state, r.detail) for r in payload.actionResults],
    )


@router.post("/checkin", response={200: CheckInOut, 401: ErrorOut, 422: ErrorOut})
def check_in(request: HttpRequest, payload: CheckInIn) -> JsonResponse:
    """Report facts, inventory and results; get the actions, profiles and apps to apply."""
    device: ManagedDevice = request.auth  # type: ignore[attr-defined]
    try:
        answer = device_check_in(device=device, report=_report(payload))
    except CheckInRefused as refusal:
        raise HttpError(422, f"{refusal.field}: {refusal.message}") from refusal
    except ManagedDevice.DoesNotExist as gone:  # deleted while this request was on its way
        raise HttpError(401, "Unauthorized") from gone
    # Rendered as it is: the service builds the answer in CheckInOut's shape (a test holds it to
    # the schema), and validating it again on every check-in cost a tenth of the request's time.
    return JsonResponse(answer, encoder=NinjaJSONEncoder)


class DiagnosticsOut(Schema):
    bundleId: int
    sizeInBytes: int
    sha256: str
    expiresDateTime: datetime


_GZIP_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/actions/{actionId}/diagnostics",
    response={
        201: DiagnosticsOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
    },
    openapi_extra=_GZIP_BODY,
)
def diagnostics_upload(request: HttpRequest, actionId: int) -> tuple[int, DiagnosticsOut]:
    """Upload the diagnostics bundle (a tar.gz) of an unfinished collectDiagnostics action."""
    device: ManagedDevice = request.auth  # type: ignore[attr-defined]
    if request.content_type != "application/gzip":
        raise HttpError(415, "Content-Type: the body must be application/gzip.")
    declared = request.headers.get("Content-Length")
    if declared is not None and not declared.isdigit():
        raise HttpError(400, "Content-Length: not a number of bytes.")
    try:
        bundle = diagnostics_bundle_upload(
            device=device,
            action_id=actionId,
            stream=request,
            content_length=None if declared is None else int(declared),
        )
    except DiagnosticsRefused as refusal:
        raise HttpError(refusal.status, refusal.message) from refusal
    return 201, DiagnosticsOut(
        bundleId=bundle.pk,
        sizeInBytes=bundle.size_bytes,
        sha256=bundle.sha256,
        expiresDateTime=bundle.expires_at,
    )
