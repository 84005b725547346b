"""Device enums, stored as Microsoft Graph's Intune values; only their labels are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OperatingSystem(models.TextChoices):
    WINDOWS = "Windows", "Windows"
    MACOS = "macOS", "macOS"
    IOS = "iOS", "iOS/iPadOS"
    ANDROID = "Android", "Android"
    LINUX = "Linux", "Linux"


class OwnerType(models.TextChoices):
    """Graph's managedDeviceOwnerType."""

    COMPANY = "company", _("Company")
    PERSONAL = "personal", _("Personal")
    UNKNOWN = "unknown", _("Unknown")


class ManagementAgent(models.TextChoices):
    AGENT = "agent", _("Deskside agent")
    MDM = "mdm", _("MDM")
    CO_MANAGED = "coManaged", _("Co-managed")
    UNMANAGED = "unmanaged", _("Unmanaged")


class JoinType(models.TextChoices):
    DIRECTORY_JOINED = "directoryJoined", _("Directory joined")
    DIRECTORY_REGISTERED = "directoryRegistered", _("Directory registered")
    NONE = "none", _("None")


class ManagementState(models.TextChoices):
    """Graph's managementState, plus ``unenrolled`` for a device only known to remote help."""

    MANAGED = "managed", _("Managed")
    RETIRE_PENDING = "retirePending", _("Retire pending")
    WIPE_PENDING = "wipePending", _("Wipe pending")
    UNENROLLED = "unenrolled", _("Not enrolled")


class ComplianceState(models.TextChoices):
    """Graph's complianceState."""

    UNKNOWN = "unknown", _("Unknown")
    COMPLIANT = "compliant", _("Compliant")
    NONCOMPLIANT = "noncompliant", _("Not compliant")
    CONFLICT = "conflict", _("Conflict")
    ERROR = "error", _("Error")
    IN_GRACE_PERIOD = "inGracePeriod", _("In grace period")
