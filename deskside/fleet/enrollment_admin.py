"""Administrators' writes to the enrollment set-up: the tenant's settings, enrollment restrictions,
bulk enrollment tokens, deployment profiles, pre-provisioned hardware ids and corporate
identifiers. Each is one transaction with its audit event; bad input is a ValidationError whose
keys name the field (docs/enrollment.md, "Administration")."""

from __future__ import annotations

import csv
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.directory.models import Group, Tenant, User
from deskside.fleet.choices import OperatingSystem
from deskside.fleet.enrollment import METHODS, token_hash
from deskside.fleet.models import (
    BulkEnrollmentToken,
    CorporateIdentifier,
    DeploymentProfile,
    EnrollmentRestriction,
    EnrollmentSettings,
    PreprovisionedDevice,
)

DOTTED_VERSION = re.compile(r"^\d{1,9}(\.\d{1,9}){0,5}$")
DEVICE_LIMIT_MAX = 15
TOKEN_DAYS_MAX = 365
PASTE_ROWS_MAX = 5000
HARDWARE_ID_MAX = 200
SERIAL_MAX = 128
NAME_MAX = 200


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _name(value: str, *, key: str = "name") -> str:
    name = value.strip()
    if not name:
        raise ValidationError({key: _("A name is required.")})
    if len(name) > NAME_MAX:
        raise ValidationError({key: _("At most %(count)d characters.") % {"count": NAME_MAX}})
    return name


# Settings


@dataclass(frozen=True)
class SettingsFields:
    """The administrator's choices on the enrollment settings page."""

    management_authority_set: bool
    allow_user_enrollment: bool
    allow_bulk_enrollment: bool
    allow_preprovisioned_enrollment: bool
    apple_push_certificate_expires_at: datetime | None


@transaction.atomic
def enrollment_settings_update(
    *,
    tenant: Tenant,
    fields: SettingsFields,
    actor: User,
    request: HttpRequest | None = None,
) -> EnrollmentSettings:
    """Save the tenant's enrollment settings (made on first save); audit which fields changed."""
    current, created = EnrollmentSettings.objects.select_for_update().get_or_create(tenant=tenant)
    changed = []
    for name, value in vars(fields).items():
        if getattr(current, name) != value:
            setattr(current, name, value)
            changed.append(name)
    if changed or created:
        current.save()
        audit_record(
            action=Action.ENROLLMENT_SETTINGS_UPDATED,
            tenant=tenant,
            actor=actor,
            target=current,
            target_label=tenant.name,
            request=request,
            details={"fields": sorted(changed)},
        )
    return current


# Restrictions


@dataclass(frozen=True)
class RestrictionFields:
    """What an enrollment restriction limits (``groups`` is ignored for the default one)."""

    name: str
    blocked_platforms: list[str] = field(default_factory=list)
    min_os_versions: dict[str, str] = field(default_factory=dict)
    max_os_versions: dict[str, str] = field(default_factory=dict)
    block_personal: bool = False
    blocked_manufacturers: list[str] = field(default_factory=list)
    device_limit: int = 5
    groups: list[Group] = field(default_factory=list)


def version_field(bound: str, platform: str) -> str:
    """The form field that holds a restriction's minimum or maximum version for a platform."""
    return f"{bound}_{platform.lower()}"


def _clean_restriction(tenant: Tenant, fields: RestrictionFields) -> RestrictionFields:
    platforms = set(OperatingSystem.values)
    unknown = sorted(set(fields.blocked_platforms) - platforms)
    if unknown:
        raise ValidationError(
            {"blocked_platforms": _("Unknown platform: %(name)s.") % {"name": ", ".join(unknown)}}
        )
    for bound, versions in (("min", fields.min_os_versions), ("max", fields.max_os_versions)):
        for platform, version in versions.items():
            if platform not in platforms:
                raise ValidationError({f"{bound}_os_versions": _("Unknown platform.")})
            if not DOTTED_VERSION.match(version):
                raise ValidationError(
                    {
                        version_field(bound, platform): _(
                            "%(platform)s: enter a dotted version such as 10.0.19045."
                        )
                        % {"platform": platform}
                    }
                )
    for platform, low in fields.min_os_versions.items():
        high = fields.max_os_versions.get(platform)
        if high is not None and _version(low) > _version(high):
            raise ValidationError(
                {
                    version_field("max", platform): _(
                        "%(platform)s: the maximum version is below the minimum."
                    )
                    % {"platform": platform}
                }
            )
    if not 1 <= fields.device_limit <= DEVICE_LIMIT_MAX:
        raise ValidationError(
            {"device_limit": _("Between 1 and %(max)d.") % {"max": DEVICE_LIMIT_MAX}}
        )
    if any(group.tenant_id != tenant.pk for group in fields.groups):
        raise ValidationError({"groups": _("A group belongs to another tenant.")})
    manufacturers = list(
        dict.fromkeys(name.strip() for name in fields.blocked_manufacturers if name.strip())
    )
    if any(len(name) > NAME_MAX for name in manufacturers):
        raise ValidationError({"blocked_manufacturers": _("A manufacturer's name is too long.")})
    return RestrictionFields(
        name=_name(fields.name),
        blocked_platforms=sorted(set(fields.blocked_platforms)),
        min_os_versions=dict(sorted(fields.min_os_versions.items())),
        max_os_versions=dict(sorted(fields.max_os_versions.items())),
        block_personal=fields.block_personal,
        blocked_manufacturers=manufacturers,
        device_limit=fields.device_limit,
        groups=list(fields.groups),
    )


def _restriction_details(
    restriction: EnrollmentRestriction, groups: list[Group]
) -> dict[str, object]:
    return {
        "priority": restriction.priority,
        "default": restriction.is_default,
        "blockedPlatforms": restriction.blocked_platforms,
        "minOsVersions": restriction.min_os_versions,
        "maxOsVersions": restriction.max_os_versions,
        "blockPersonal": restriction.block_personal,
        "blockedManufacturers": restriction.blocked_manufacturers,
        "deviceLimit": restriction.device_limit,
        "groups": [group.display_name for group in groups],
    }


def _lock_restrictions(tenant: Tenant) -> list[EnrollmentRestriction]:
    """The tenant's restrictions, locked (and the tenant's row, for its first one), so that
    priority changes do not interleave."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    return list(
        EnrollmentRestriction.objects.select_for_update()
        .filter(tenant=tenant)
        .order_by("is_default", "priority", "pk")
    )


def _check_name_free(tenant: Tenant, name: str, exclude_id: int | None = None) -> None:
    clash = EnrollmentRestriction.objects.filter(tenant=tenant, name=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ValidationError({"name": _("A restriction with this name already exists.")})


def _apply(restriction: EnrollmentRestriction, fields: RestrictionFields) -> None:
    restriction.name = fields.name
    restriction.blocked_platforms = fields.blocked_platforms
    restriction.min_os_versions = fields.min_os_versions
    restriction.max_os_versions = fields.max_os_versions
    restriction.block_personal = fields.block_personal
    restriction.blocked_manufacturers = fields.blocked_manufacturers
    restriction.device_limit = fields.device_limit


@transaction.atomic
def enrollment_restriction_create(
    *,
    tenant: Tenant,
    fields: RestrictionFields,
    actor: User,
    request: HttpRequest | None = None,
    is_default: bool = False,
) -> EnrollmentRestriction:
    """A new restriction at the lowest priority (the last before the default), or the tenant's
    default one (``is_default``: no priority, no groups; at most one)."""
    fields = _clean_restriction(tenant, fields)
    existing = _lock_restrictions(tenant)
    if is_default and any(item.is_default for item in existing):
        raise ValidationError(_("The tenant already has a default restriction."))
    _check_name_free(tenant, fields.name)
    restriction = EnrollmentRestriction(tenant=tenant, is_default=is_default)
    _apply(restriction, fields)
    if not is_default:
        highest = max((item.priority or 0 for item in existing if not item.is_default), default=0)
        restriction.priority = highest + 1
    restriction.save()
    groups = [] if is_default else fields.groups
    restriction.groups.set(groups)
    audit_record(
        action=Action.ENROLLMENT_RESTRICTION_CREATED,
        tenant=tenant,
        actor=actor,
        target=restriction,
        request=request,
        details=_restriction_details(restriction, groups),
    )
    return restriction


@transaction.atomic
def enrollment_restriction_update(
    *,
    restriction: EnrollmentRestriction,
    fields: RestrictionFields,
    actor: User,
    request: HttpRequest | None = None,
) -> EnrollmentRestriction:
    """Change a restriction's limits and (except for the default) its groups."""
    tenant = restriction.tenant
    fields = _clean_restriction(tenant, fields)
    _lock_restrictions(tenant)
    _check_name_free(tenant, fields.name, exclude_id=restriction.pk)
    _apply(restriction, fields)
    restriction.save()
    groups = [] if restriction.is_default else fields.groups
    restriction.groups.set(groups)
    audit_record(
        action=Action.ENROLLMENT_RESTRICTION_UPDATED,
        tenant=tenant,
        actor=actor,
        target=restriction,
        request=request,
        details=_restriction_details(restriction, groups),
    )
    return restriction


def _renumber(ordered: list[EnrollmentRestriction]) -> None:
    """Give ``ordered`` the priorities 1..n. Clearing them first keeps the (tenant, priority)
    constraint satisfied at every row, which PostgreSQL checks row by row."""
    ids = [item.pk for item in ordered]
    EnrollmentRestriction.objects.filter(pk__in=ids).update(priority=None)
    for number, item in enumerate(ordered, start=1):
        item.priority = number
    EnrollmentRestriction.objects.bulk_update(ordered, ["priority"])


@transaction.atomic
def enrollment_restriction_move(
    *,
    restriction: EnrollmentRestriction,
    priority: int,
    actor: User,
    request: HttpRequest | None = None,
) -> EnrollmentRestriction:
    """Move a restriction to ``priority`` (1 is applied first); the others keep their order."""
    if restriction.is_default:
        raise ValidationError({"priority": _("The default restriction always applies last.")})
    ordered = [item for item in _lock_restrictions(restriction.tenant) if not item.is_default]
    if not 1 <= priority <= len(ordered):
        raise ValidationError({"priority": _("Between 1 and %(max)d.") % {"max": len(ordered)}})
    moving = next(item for item in ordered if item.pk == restriction.pk)
    before = moving.priority
    ordered.remove(moving)
    ordered.insert(priority - 1, moving)
    _renumber(ordered)
    if before != moving.priority:
        audit_record(
            action=Action.ENROLLMENT_RESTRICTION_PRIORITY_CHANGED,
            tenant=restriction.tenant,
            actor=actor,
            target=moving,
            request=request,
            details={"from": before, "to": moving.priority},
        )
    return moving


@transaction.atomic
def enrollment_restriction_delete(
    *, restriction: EnrollmentRestriction, actor: User, request: HttpRequest | None = None
) -> None:
    """Delete a restriction (never the default); the ones after it move up one priority."""
    if restriction.is_default:
        raise ValidationError(_("The default restriction cannot be deleted."))
    tenant = restriction.tenant
    remaining = [
        item
        for item in _lock_restrictions(tenant)
        if not item.is_default and item.pk != restriction.pk
    ]
    audit_record(
        action=Action.ENROLLMENT_RESTRICTION_DELETED,
        tenant=tenant,
        actor=actor,
        target=restriction,
        request=request,
        details={"priority": restriction.priority},
    )
    restriction.delete()
    _renumber(remaining)


# Bulk enrollment tokens


@dataclass(frozen=True)
class CreatedToken:
    """A new token and its secret: the secret is shown once and never stored."""

    token: BulkEnrollmentToken
    secret: str


@transaction.atomic
def bulk_token_create(
    *,
    tenant: Tenant,
    name: str,
    expires_at: datetime,
    actor: User,
    request: HttpRequest | None = None,
) -> CreatedToken:
    """Make a bulk enrollment token valid until ``expires_at`` (at most a year ahead); only the
    SHA-256 hash of the secret is stored, and the audit event holds neither."""
    name = _name(name)
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if expires_at > now + timedelta(days=TOKEN_DAYS_MAX):
        raise ValidationError(
            {"expires_at": _("At most %(days)d days ahead.") % {"days": TOKEN_DAYS_MAX}}
        )
    secret = secrets.token_urlsafe(32)
    token = BulkEnrollmentToken.objects.create(
        tenant=tenant, name=name, token_hash=token_hash(secret), expires_at=expires_at
    )
    audit_record(
        action=Action.BULK_TOKEN_CREATED,
        tenant=tenant,
        actor=actor,
        target=token,
        request=request,
        details={"expires": expires_at.isoformat()},
    )
    return CreatedToken(token=token, secret=secret)


@transaction.atomic
def bulk_token_revoke(
    *, token: BulkEnrollmentToken, actor: User, request: HttpRequest | None = None
) -> None:
    """Revoke a token: it is deleted, so a device presenting it is refused as unknown (401)."""
    audit_record(
        action=Action.BULK_TOKEN_REVOKED,
        tenant=token.tenant,
        actor=actor,
        target=token,
        request=request,
        details={"expires": token.expires_at.isoformat()},
    )
    token.delete()


# Deployment profiles


def _clean_methods(methods: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(methods))
    if not chosen:
        raise ValidationError({"allowed_methods": _("Choose at least one method.")})
    unknown = sorted(set(chosen) - set(METHODS))
    if unknown:
        raise ValidationError(
            {"allowed_methods": _("Unknown method: %(name)s.") % {"name": ", ".join(unknown)}}
        )
    return [method for method in METHODS if method in chosen]


def _check_profile_name(tenant: Tenant, name: str, exclude_id: int | None = None) -> None:
    clash = DeploymentProfile.objects.filter(tenant=tenant, name=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ValidationError({"name": _("A profile with this name already exists.")})


@transaction.atomic
def deployment_profile_create(
    *,
    tenant: Tenant,
    name: str,
    allowed_methods: list[str],
    active: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> DeploymentProfile:
    """A deployment profile: the enrollment methods its pre-provisioned devices may use."""
    name = _name(name)
    methods = _clean_methods(allowed_methods)
    _check_profile_name(tenant, name)
    profile = DeploymentProfile.objects.create(
        tenant=tenant, name=name, allowed_methods=methods, active=active
    )
    audit_record(
        action=Action.DEPLOYMENT_PROFILE_CREATED,
        tenant=tenant,
        actor=actor,
        target=profile,
        request=request,
        details={"allowedMethods": methods, "active": active},
    )
    return profile


@transaction.atomic
def deployment_profile_update(
    *,
    profile: DeploymentProfile,
    name: str,
    allowed_methods: list[str],
    active: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> DeploymentProfile:
    """Change a profile's name, methods or whether it is active."""
    name = _name(name)
    methods = _clean_methods(allowed_methods)
    _check_profile_name(profile.tenant, name, exclude_id=profile.pk)
    profile.name, profile.allowed_methods, profile.active = name, methods, active
    profile.save(update_fields=["name", "allowed_methods", "active"])
    audit_record(
        action=Action.DEPLOYMENT_PROFILE_UPDATED,
        tenant=profile.tenant,
        actor=actor,
        target=profile,
        request=request,
        details={"allowedMethods": methods, "active": active},
    )
    return profile


# Pre-provisioned devices


@dataclass(frozen=True)
class HardwareRow:
    """One line of a pasted ``hardwareId,serialNumber`` list."""

    line: int
    hardware_id: str
    serial_number: str = ""


def hardware_rows_parse(text: str) -> list[HardwareRow]:
    """Parse pasted CSV lines ``hardwareId,serialNumber`` (serial optional; a first line that
    is the header is skipped; empty lines too). Any bad line refuses the whole paste, naming the
    line, so that nothing is half-registered."""
    lines = text.splitlines()
    if len(lines) > PASTE_ROWS_MAX:
        raise ValidationError({"rows": _("At most %(count)d lines.") % {"count": PASTE_ROWS_MAX}})
    rows: list[HardwareRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == "hardwareid":
            continue
        if len(cells) > 2:
            raise _line_error(number, _("expected hardwareId,serialNumber"))
        hardware_id = cells[0]
        serial = cells[1] if len(cells) > 1 else ""
        if not hardware_id:
            raise _line_error(number, _("the hardware id is empty"))
        if len(hardware_id) > HARDWARE_ID_MAX or len(serial) > SERIAL_MAX:
            raise _line_error(number, _("a value is too long"))
        if hardware_id in seen:
            raise _line_error(
                number,
                _("the hardware id is already on line %(line)d") % {"line": seen[hardware_id]},
            )
        seen[hardware_id] = number
        rows.append(HardwareRow(line=number, hardware_id=hardware_id, serial_number=serial))
    if not rows:
        raise ValidationError({"rows": _("Paste at least one hardware id.")})
    return rows


def _line_error(number: int, reason: str) -> ValidationError:
    return ValidationError(
        {"rows": _("Line %(line)d: %(reason)s.") % {"line": number, "reason": reason}}
    )


@dataclass(frozen=True)
class RegistrationReport:
    """What registering a list of hardware ids did."""

    added: int
    restored: int
    unchanged: int


def _check_profile(tenant: Tenant, profile: DeploymentProfile | None) -> None:
    if profile is not None and profile.tenant_id != tenant.pk:
        raise ValidationError({"profile": _("The profile belongs to another tenant.")})


@transaction.atomic
def preprovisioned_devices_add(
    *,
    tenant: Tenant,
    rows: list[HardwareRow],
    profile: DeploymentProfile | None,
    actor: User,
    request: HttpRequest | None = None,
) -> RegistrationReport:
    """Register hardware ids: new ones are added, removed ones restored (with the new serial
    number and profile), registered ones left as they are. One audit event per change."""
    _check_profile(tenant, profile)
    existing = {
        device.hardware_id: device
        for device in PreprovisionedDevice.objects.select_for_update().filter(
            tenant=tenant, hardware_id__in=[row.hardware_id for row in rows]
        )
    }
    added = restored = unchanged = 0
    for row in rows:
        device = existing.get(row.hardware_id)
        if device is not None and device.deleted_at is None:
            unchanged += 1
            continue
        if device is None:
            device = PreprovisionedDevice.objects.create(
                tenant=tenant,
                hardware_id=row.hardware_id,
                serial_number=row.serial_number,
                profile=profile,
            )
            added += 1
        else:
            device.deleted_at = None
            device.serial_number = row.serial_number
            device.profile = profile
            device.save(update_fields=["deleted_at", "serial_number", "profile"])
            restored += 1
        audit_record(
            action=Action.PREPROVISIONED_DEVICE_ADDED,
            tenant=tenant,
            actor=actor,
            target=device,
            request=request,
            details={"serialNumber": row.serial_number, "profile": profile.name if profile else ""},
        )
    return RegistrationReport(added=added, restored=restored, unchanged=unchanged)


@transaction.atomic
def preprovisioned_device_assign(
    *,
    device: PreprovisionedDevice,
    profile: DeploymentProfile | None,
    actor: User,
    request: HttpRequest | None = None,
) -> PreprovisionedDevice:
    """Give a registered device a deployment profile (None: take it away)."""
    _check_profile(device.tenant, profile)
    if device.deleted_at is not None:
        raise ValidationError({"profile": _("The device was removed from pre-provisioning.")})
    device.profile = profile
    device.save(update_fields=["profile"])
    audit_record(
        action=Action.PREPROVISIONED_DEVICE_PROFILE_ASSIGNED,
        tenant=device.tenant,
        actor=actor,
        target=device,
        request=request,
        details={"profile": profile.name if profile else ""},
    )
    return device


@transaction.atomic
def preprovisioned_device_remove(
    *, device: PreprovisionedDevice, actor: User, request: HttpRequest | None = None
) -> PreprovisionedDevice:
    """Remove a registration: kept with ``deleted_at``, so that the device's next enrollment is
    refused as ``AutopilotDeviceDeleted`` (not as unknown) until it is registered again."""
    if device.deleted_at is not None:
        raise ValidationError(_("The device was already removed."))
    device.deleted_at = timezone.now()
    device.save(update_fields=["deleted_at"])
    audit_record(
        action=Action.PREPROVISIONED_DEVICE_REMOVED,
        tenant=device.tenant,
        actor=actor,
        target=device,
        request=request,
        details={"serialNumber": device.serial_number},
    )
    return device


# Corporate identifiers


def serial_numbers_parse(text: str) -> list[str]:
    """Serial numbers pasted one a line (commas and semicolons also separate them)."""
    serials = list(
        dict.fromkeys(part.strip() for part in re.split(r"[\n\r,;]+", text) if part.strip())
    )
    if not serials:
        raise ValidationError({"serial_numbers": _("Paste at least one serial number.")})
    if len(serials) > PASTE_ROWS_MAX:
        raise ValidationError(
            {"serial_numbers": _("At most %(count)d serial numbers.") % {"count": PASTE_ROWS_MAX}}
        )
    too_long = [serial for serial in serials if len(serial) > SERIAL_MAX]
    if too_long:
        raise ValidationError(
            {
                "serial_numbers": _("Too long (at most %(count)d characters): %(serial)s")
                % {"count": SERIAL_MAX, "serial": too_long[0][:40]}
            }
        )
    return serials


@transaction.atomic
def corporate_identifiers_add(
    *,
    tenant: Tenant,
    serial_numbers: list[str],
    actor: User,
    request: HttpRequest | None = None,
) -> tuple[int, int]:
    """Declare serial numbers corporate; (added, already listed)."""
    known = set(
        CorporateIdentifier.objects.filter(
            tenant=tenant, serial_number__in=serial_numbers
        ).values_list("serial_number", flat=True)
    )
    new = [serial for serial in dict.fromkeys(serial_numbers) if serial not in known]
    for serial in new:
        identifier = CorporateIdentifier.objects.create(tenant=tenant, serial_number=serial)
        audit_record(
            action=Action.CORPORATE_IDENTIFIER_ADDED,
            tenant=tenant,
            actor=actor,
            target=identifier,
            request=request,
        )
    return len(new), len(known)


@transaction.atomic
def corporate_identifier_remove(
    *, identifier: CorporateIdentifier, actor: User, request: HttpRequest | None = None
) -> None:
    """Remove a corporate identifier (devices already enrolled keep their ownership)."""
    audit_record(
        action=Action.CORPORATE_IDENTIFIER_REMOVED,
        tenant=identifier.tenant,
        actor=actor,
        target=identifier,
        request=request,
    )
    identifier.delete()
