"""Enrollment: who may enroll which device, checked in a fixed order (docs/enrollment.md).

``device_enroll`` either creates the managed device and its credential, or raises
``EnrollmentRefused`` after storing an ``EnrollmentFailure`` (in a transaction of its own, so the
failure stays recorded while the refused attempt writes nothing else).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.directory.models import Tenant, User
from deskside.directory.selectors import group_ids_of_user_query
from deskside.fleet.choices import ManagementAgent, ManagementState, OperatingSystem, OwnerType
from deskside.fleet.failures import FailureReason
from deskside.fleet.models import (
    BulkEnrollmentToken,
    CorporateIdentifier,
    EnrollmentFailure,
    EnrollmentRestriction,
    EnrollmentSession,
    EnrollmentSettings,
    ManagedDevice,
    PreprovisionedDevice,
)

USER = "user"
BULK_TOKEN = "bulkToken"  # noqa: S105 (a method name, not a secret)
PREPROVISIONED = "preProvisioned"
METHODS = (USER, BULK_TOKEN, PREPROVISIONED)

# The oldest OS each platform may enroll with at all (DeviceNotSupported below these).
SUPPORTED_FLOOR: dict[str, tuple[int, ...]] = {
    OperatingSystem.WINDOWS: (10,),
    OperatingSystem.MACOS: (12,),
    OperatingSystem.IOS: (15,),
    OperatingSystem.ANDROID: (10,),
    OperatingSystem.LINUX: (0,),
}
SESSION_MINUTES = 30
_VERSION = re.compile(r"^\d+(\.\d+)*")


def version_tuple(text: str) -> tuple[int, ...] | None:
    """The leading dotted numbers of a version ("17.4.1", "10.0.19045", "12"), or None."""
    match = _VERSION.match(text.strip())
    return tuple(int(part) for part in match.group(0).split(".")) if match else None


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class DeviceFacts:
    device_name: str
    operating_system: str
    os_version: str
    serial_number: str = ""
    hardware_id: str = ""
    manufacturer: str = ""
    model: str = ""
    ownership: str = OwnerType.UNKNOWN


@dataclass(frozen=True)
class EnrollmentAttempt:
    method: str
    agent_version: str
    device: DeviceFacts
    tenant: Tenant
    user: User | None = None
    token: BulkEnrollmentToken | None = None
    session_id: uuid.UUID | None = None
    started_at: datetime = field(default_factory=timezone.now)


class EnrollmentRefused(Exception):
    """The enrollment is refused for ``reason``; ``details`` says what the server saw."""

    def __init__(self, reason: FailureReason, details: str = "") -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Enrolled:
    device: ManagedDevice
    credential: str


def minimum_agent_version() -> str:
    return str(settings.DESKSIDE_MIN_AGENT_VERSION)


@transaction.atomic
def enrollment_session_start(*, tenant: Tenant) -> EnrollmentSession:
    """Begin an enrollment; it must finish within ``SESSION_MINUTES``."""
    now = timezone.now()
    return EnrollmentSession.objects.create(
        id=uuid.uuid4(),
        tenant=tenant,
        started_at=now,
        expires_at=now + timedelta(minutes=SESSION_MINUTES),
    )


def device_enroll(*, attempt: EnrollmentAttempt) -> Enrolled:
    """Check the attempt in the documented order; enroll the device or record the refusal."""
    try:
        with transaction.atomic():
            return _enroll(attempt)
    except EnrollmentRefused as refusal:
        _failure_record(attempt, refusal)
        raise


def _failure_record(attempt: EnrollmentAttempt, refusal: EnrollmentRefused) -> None:
    EnrollmentFailure.objects.create(
        tenant=attempt.tenant,
        user=attempt.user,
        started_at=attempt.started_at,
        operating_system=attempt.device.operating_system,
        os_version=attempt.device.os_version,
        reason=refusal.reason,
        details=refusal.details[:500],
        method=attempt.method,
        device_facts=asdict(attempt.device),
    )


def _enroll(attempt: EnrollmentAttempt) -> Enrolled:
    _check_agent_and_tenant(attempt)
    session = _check_session(attempt)
    _check_method(attempt)
    _check_device_supported(attempt)
    _check_not_enrolled_elsewhere(attempt)
    corporate = _check_restrictions(attempt)
    credential = secrets.token_urlsafe(32)
    device = ManagedDevice.objects.create(
        tenant=attempt.tenant,
        device_name=attempt.device.device_name,
        operating_system=attempt.device.operating_system,
        os_version=attempt.device.os_version,
        serial_number=attempt.device.serial_number,
        hardware_id=attempt.device.hardware_id,
        manufacturer=attempt.device.manufacturer,
        model=attempt.device.model,
        primary_user=attempt.user,
        owner_type=OwnerType.COMPANY if corporate else _declared(attempt),
        management_agent=ManagementAgent.AGENT,
        management_state=ManagementState.MANAGED,
        agent_version=attempt.agent_version,
        enrollment_method=attempt.method,
        credential_hash=token_hash(credential),
        enrolled_at=timezone.now(),
    )
    if session is not None:
        session.completed_at = timezone.now()
        session.save(update_fields=["completed_at"])
    audit_record(
        action=Action.DEVICE_ENROLLED,
        tenant=attempt.tenant,
        actor=attempt.user,
        target=device,
        details={"method": attempt.method, "os": device.operating_system},
    )
    return Enrolled(device=device, credential=credential)


def _declared(attempt: EnrollmentAttempt) -> str:
    return attempt.device.ownership if attempt.device.ownership in OwnerType.values else "unknown"


def _check_agent_and_tenant(attempt: EnrollmentAttempt) -> None:
    agent = version_tuple(attempt.agent_version)
    if agent is None or agent < (version_tuple(minimum_agent_version()) or (0,)):
        raise EnrollmentRefused(
            FailureReason.ENROLLMENT_AUTHORIZATION_FAILED,
            f"agent {attempt.agent_version}, minimum {minimum_agent_version()}",
        )
    settings_ = EnrollmentSettings.objects.filter(tenant=attempt.tenant).first()
    if settings_ is None or not settings_.management_authority_set:
        raise EnrollmentRefused(FailureReason.TENANT_NOT_ONBOARDED)
    allowed = {
        USER: settings_.allow_user_enrollment,
        BULK_TOKEN: settings_.allow_bulk_enrollment,
        PREPROVISIONED: settings_.allow_preprovisioned_enrollment,
    }
    if not allowed.get(attempt.method, False):
        raise EnrollmentRefused(FailureReason.FEATURE_NOT_SUPPORTED, f"method {attempt.method}")
    if attempt.device.operating_system == OperatingSystem.IOS:
        expires = settings_.apple_push_certificate_expires_at
        if expires is None or expires <= timezone.now():
            raise EnrollmentRefused(FailureReason.APPLE_ONBOARDING)


def _check_session(attempt: EnrollmentAttempt) -> EnrollmentSession | None:
    if attempt.session_id is None:
        return None
    session = (
        EnrollmentSession.objects.select_for_update()
        .filter(id=attempt.session_id, tenant=attempt.tenant, completed_at__isnull=True)
        .first()
    )
    if session is None or session.expires_at <= timezone.now():
        raise EnrollmentRefused(
            FailureReason.ENROLLMENT_SESSION_TIMEOUT, f"session {attempt.session_id}"
        )
    return session


def _preprovisioned(attempt: EnrollmentAttempt) -> PreprovisionedDevice | None:
    if not attempt.device.hardware_id:
        return None
    return (
        PreprovisionedDevice.objects.select_related("profile")
        .filter(tenant=attempt.tenant, hardware_id=attempt.device.hardware_id)
        .first()
    )


def _check_method(attempt: EnrollmentAttempt) -> None:
    """Method-specific checks: the token, the pre-provisioned registration, the user's licence."""
    registered = _preprovisioned(attempt)
    if attempt.method == BULK_TOKEN:
        assert attempt.token is not None
        if attempt.token.expires_at <= timezone.now():
            raise EnrollmentRefused(FailureReason.BULK_TOKEN_EXPIRED, attempt.token.name)
    if attempt.method == PREPROVISIONED:
        if registered is None:
            raise EnrollmentRefused(
                FailureReason.AUTOPILOT_DEVICE_NOT_FOUND, attempt.device.hardware_id
            )
        if registered.deleted_at is not None:
            raise EnrollmentRefused(FailureReason.AUTOPILOT_DEVICE_DELETED, registered.hardware_id)
    if registered is not None and registered.deleted_at is None:
        if registered.profile is None or not registered.profile.active:
            raise EnrollmentRefused(
                FailureReason.AUTOPILOT_PROFILE_NOT_ASSIGNED, registered.hardware_id
            )
        if attempt.method not in registered.profile.allowed_methods:
            raise EnrollmentRefused(
                FailureReason.AUTOPILOT_UNEXPECTED_METHOD,
                f"{attempt.method} not in {registered.profile.name}",
            )
    if attempt.method == USER and (
        attempt.user is None
        or attempt.user.tenant_id != attempt.tenant.pk
        or not attempt.user.has_license
    ):
        raise EnrollmentRefused(FailureReason.USER_NOT_LICENSED)


def _check_device_supported(attempt: EnrollmentAttempt) -> None:
    platform = attempt.device.operating_system
    version = version_tuple(attempt.device.os_version)
    if platform not in SUPPORTED_FLOOR or version is None or version < SUPPORTED_FLOOR[platform]:
        raise EnrollmentRefused(
            FailureReason.DEVICE_NOT_SUPPORTED, f"{platform} {attempt.device.os_version}"
        )


def _check_not_enrolled_elsewhere(attempt: EnrollmentAttempt) -> None:
    same = Q()
    if attempt.device.serial_number:
        same |= Q(serial_number=attempt.device.serial_number)
    if attempt.device.hardware_id:
        same |= Q(hardware_id=attempt.device.hardware_id)
    if not same:
        return
    existing = (
        ManagedDevice.objects.filter(tenant=attempt.tenant)
        .filter(same)
        .exclude(management_state=ManagementState.UNENROLLED)
        .first()
    )
    if existing is not None and (
        attempt.user is None or existing.primary_user_id != attempt.user.pk
    ):
        raise EnrollmentRefused(FailureReason.DEVICE_ALREADY_ENROLLED, existing.device_name)


def restriction_for(*, tenant: Tenant, user: User | None) -> EnrollmentRestriction | None:
    """The restriction that applies: the highest priority among the user's groups, else default."""
    restrictions = EnrollmentRestriction.objects.filter(tenant=tenant)
    if user is not None:
        assigned = (
            restrictions.filter(
                is_default=False, groups__in=group_ids_of_user_query(user_id=user.pk)
            )
            .order_by("priority")
            .first()
        )
        if assigned is not None:
            return assigned
    return restrictions.filter(is_default=True).first()


def _check_restrictions(attempt: EnrollmentAttempt) -> bool:
    """Apply the restriction; return whether the device counts as corporate."""
    device = attempt.device
    corporate = attempt.method in (BULK_TOKEN, PREPROVISIONED) or (
        bool(device.serial_number)
        and CorporateIdentifier.objects.filter(
            tenant=attempt.tenant, serial_number=device.serial_number
        ).exists()
    )
    restriction = restriction_for(tenant=attempt.tenant, user=attempt.user)
    if restriction is None:
        return corporate
    platform = device.operating_system
    version = version_tuple(device.os_version) or (0,)
    if platform in restriction.blocked_platforms:
        raise EnrollmentRefused(FailureReason.PLATFORM_BLOCKED, f"{platform} ({restriction.name})")
    low = version_tuple(restriction.min_os_versions.get(platform, ""))
    if low is not None and version < low:
        raise EnrollmentRefused(
            FailureReason.OS_VERSION_TOO_LOW,
            f"{device.os_version} < {restriction.min_os_versions[platform]} ({restriction.name})",
        )
    high = version_tuple(restriction.max_os_versions.get(platform, ""))
    if high is not None and version > high:
        raise EnrollmentRefused(
            FailureReason.OS_VERSION_TOO_HIGH,
            f"{device.os_version} > {restriction.max_os_versions[platform]} ({restriction.name})",
        )
    if restriction.block_personal and not corporate:
        reason = (
            FailureReason.PERSONAL_DEVICE_BLOCKED
            if device.ownership == OwnerType.PERSONAL
            else FailureReason.DEVICE_NOT_PREREGISTERED
        )
        raise EnrollmentRefused(reason, restriction.name)
    blocked = {name.lower() for name in restriction.blocked_manufacturers}
    if device.manufacturer.lower() in blocked:
        raise EnrollmentRefused(
            FailureReason.ENROLLMENT_RESTRICTIONS_NOT_MET,
            f"manufacturer {device.manufacturer} ({restriction.name})",
        )
    if attempt.user is not None:
        count = (
            ManagedDevice.objects.filter(tenant=attempt.tenant, primary_user=attempt.user)
            .exclude(management_state=ManagementState.UNENROLLED)
            .count()
        )
        if count >= restriction.device_limit:
            raise EnrollmentRefused(
                FailureReason.DEVICE_LIMIT_REACHED,
                f"{count} of {restriction.device_limit} ({restriction.name})",
            )
    return corporate
