"""Enums of compliance policies and configuration profiles, stored as Microsoft Graph's values
where Graph has one; only their labels are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyStatus(models.TextChoices):
    """The status of one compliance policy on one device (Graph's complianceStatus)."""

    COMPLIANT = "compliant", _("Compliant")
    NONCOMPLIANT = "nonCompliant", _("Not compliant")
    IN_GRACE_PERIOD = "inGracePeriod", _("In grace period")
    ERROR = "error", _("Error")
    CONFLICT = "conflict", _("Conflict")
    NOT_APPLICABLE = "notApplicable", _("Not applicable")
    UNKNOWN = "unknown", _("Unknown")


class SettingState(models.TextChoices):
    """Why one setting of a policy does not pass on a device (Graph's complianceStatus)."""

    NONCOMPLIANT = "nonCompliant", _("Not compliant")
    ERROR = "error", _("Error")
    CONFLICT = "conflict", _("Conflict")


class ComplianceSetting(models.TextChoices):
    """The rules a compliance policy can hold, by their Graph-style setting names."""

    OS_MINIMUM_VERSION = "osMinimumVersion", _("Minimum OS version")
    OS_MAXIMUM_VERSION = "osMaximumVersion", _("Maximum OS version")
    STORAGE_REQUIRE_ENCRYPTION = "storageRequireEncryption", _("Encryption required")
    FIREWALL_ENABLED = "firewallEnabled", _("Firewall on")
    PASSWORD_REQUIRED = "passwordRequired", _("Screen lock required")
    MINIMUM_AGENT_VERSION = "minimumAgentVersion", _("Minimum agent version")
    MAX_DAYS_SINCE_CHECK_IN = "maxDaysSinceCheckIn", _("Last check-in at most N days ago")


class NoPolicyState(models.TextChoices):
    """What a device with no applicable compliance policy is (Intune's "Mark devices with no
    compliance policy assigned as"); values are the device's complianceState values."""

    COMPLIANT = "compliant", _("Compliant")
    NONCOMPLIANT = "noncompliant", _("Not compliant")


class ProfileType(models.TextChoices):
    WIFI = "wifi", _("Wi-Fi")
    VPN = "vpn", _("VPN")
    CUSTOM = "custom", _("Custom")


class WifiSecurity(models.TextChoices):
    OPEN = "open", _("Open (no passphrase)")
    WPA2_PERSONAL = "wpa2Personal", _("WPA2 Personal")
    WPA3_PERSONAL = "wpa3Personal", _("WPA3 Personal")


class VpnType(models.TextChoices):
    OPENVPN = "openvpn", "OpenVPN"
    WIREGUARD = "wireguard", "WireGuard"


class VpnProtocol(models.TextChoices):
    UDP = "udp", "UDP"
    TCP = "tcp", "TCP"


class ProfileStatus(models.TextChoices):
    """The status of one configuration profile on one device."""

    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CONFLICT = "conflict", _("Conflict")
    NOT_APPLICABLE = "notApplicable", _("Not applicable")
