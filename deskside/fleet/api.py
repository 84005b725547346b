"""Agents' enrollment endpoints. Input schemas forbid unknown fields; a malformed request is a 422
that names the field; a refused enrollment is a 403 with the reason's code and its translated
title, details and remediation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from deskside.directory.selectors import tenant_for_email
from deskside.fleet.choices import OperatingSystem, OwnerType
from deskside.fleet.enrollment import (
    BULK_TOKEN,
    USER,
    DeviceFacts,
    EnrollmentAttempt,
    EnrollmentRefused,
    device_enroll,
    enrollment_session_start,
    minimum_agent_version,
    token_hash,
)
from deskside.fleet.failures import HELP, FailureReason
from deskside.fleet.models import BulkEnrollmentToken
from deskside.fleet.oauth import enrolling_user

router = Router(tags=["enrollment"])

Platform = Literal["Windows", "macOS", "iOS", "Android", "Linux"]
Ownership = Literal["company", "personal", "unknown"]
assert set(Platform.__args__) == set(OperatingSystem.values)  # type: ignore[attr-defined]
assert set(Ownership.__args__) == set(OwnerType.values)  # type: ignore[attr-defined]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class SessionIn(Strict):
    tenantDomain: str = Field(min_length=1, max_length=253)


class SessionOut(Schema):
    sessionId: uuid.UUID
    expiresDateTime: datetime


class DeviceIn(Strict):
    deviceName: str = Field(min_length=1, max_length=200)
    operatingSystem: Platform
    osVersion: str = Field(min_length=1, max_length=64)
    serialNumber: str = Field(default="", max_length=128)
    hardwareId: str = Field(default="", max_length=200)
    manufacturer: str = Field(default="", max_length=128)
    model: str = Field(default="", max_length=128)
    ownership: Ownership = "unknown"


class EnrollIn(Strict):
    # user: the agent signed the user in (OAuth 2.0, see fleet/oauth.py) and sends
    # "Authorization: Bearer <access token>"; bulkToken: the token; preProvisioned: tenantDomain.
    method: Literal["user", "bulkToken", "preProvisioned"]
    agentVersion: str = Field(min_length=1, max_length=32)
    device: DeviceIn
    bulkToken: str = Field(default="", max_length=200)
    tenantDomain: str = Field(default="", max_length=253)
    sessionId: uuid.UUID | None = None


class EnrolledOut(Schema):
    deviceId: int
    deviceCredential: str


class RefusalOut(Schema):
    code: str
    title: str
    details: str
    remediation: list[str]
    minimumAgentVersion: str | None = None


class ErrorOut(Schema):
    detail: str


def _tenant_of(domain: str):  # type: ignore[no-untyped-def]
    tenant = tenant_for_email(email=f"x@{domain}")
    if tenant is None:
        raise HttpError(401, "Unknown tenant domain.")
    return tenant


@router.post("/sessions", response={201: SessionOut, 401: ErrorOut}, auth=None)
def session_start(request: HttpRequest, payload: SessionIn) -> tuple[int, SessionOut]:
    """Begin an enrollment; finish it within 30 minutes or it fails as EnrollmentSessionTimeout."""
    session = enrollment_session_start(tenant=_tenant_of(payload.tenantDomain))
    return 201, SessionOut(sessionId=session.id, expiresDateTime=session.expires_at)


@router.post("", response={201: EnrolledOut, 401: ErrorOut, 403: RefusalOut}, auth=None)
def enroll(request: HttpRequest, payload: EnrollIn) -> tuple[int, EnrolledOut | RefusalOut]:
    """Enroll a device: for its signed-in user, with a bulk enrollment token, or pre-provisioned."""
    token = None
    user = None
    if payload.method == USER:
        user = enrolling_user(request)
        if user is None:
            raise HttpError(401, "Sign the user in again: the access token is missing or invalid.")
        tenant = user.tenant
    elif payload.method == BULK_TOKEN:
        token = (
            BulkEnrollmentToken.objects.select_related("tenant")
            .filter(token_hash=token_hash(payload.bulkToken))
            .first()
        )
        if token is None:
            raise HttpError(401, "Unknown bulk enrollment token.")
        tenant = token.tenant
    else:
        tenant = _tenant_of(payload.tenantDomain)
    device = payload.device
    attempt = EnrollmentAttempt(
        method=payload.method,
        agent_version=payload.agentVersion,
        tenant=tenant,
        user=user,
        token=token,
        session_id=payload.sessionId,
        device=DeviceFacts(
            device_name=device.deviceName,
            operating_system=device.operatingSystem,
            os_version=device.osVersion,
            serial_number=device.serialNumber,
            hardware_id=device.hardwareId,
            manufacturer=device.manufacturer,
            model=device.model,
            ownership=device.ownership,
        ),
    )
    try:
        enrolled = device_enroll(attempt=attempt)
    except EnrollmentRefused as refusal:
        return 403, _refusal(refusal.reason)
    return 201, EnrolledOut(deviceId=enrolled.device.pk, deviceCredential=enrolled.credential)


def _refusal(reason: FailureReason) -> RefusalOut:
    """The reason in the request's language (Accept-Language), with what to do about it."""
    help_ = HELP[reason]
    outdated = reason == FailureReason.ENROLLMENT_AUTHORIZATION_FAILED
    return RefusalOut(
        code=reason.value,
        title=str(reason.label),
        details=str(help_.details),
        remediation=[str(step) for step in help_.remediation],
        minimumAgentVersion=minimum_agent_version() if outdated else None,
    )
