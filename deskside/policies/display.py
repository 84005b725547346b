"""How statuses read in the portal: the failing setting, what the policy expects, what the device
reported and why it does not pass, in the operator's language (no queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deskside.fleet.models import ManagedDevice
from deskside.policies.choices import (
    ComplianceSetting,
    PolicyStatus,
    ProfileStatus,
    SettingState,
)
from deskside.policies.delivery import secret_keys
from deskside.policies.models import (
    ConfigurationProfile,
    DeviceComplianceStatus,
    DeviceProfileStatus,
)

BADGES: dict[str, str] = {
    PolicyStatus.COMPLIANT: "good",
    PolicyStatus.NONCOMPLIANT: "bad",
    PolicyStatus.ERROR: "bad",
    PolicyStatus.CONFLICT: "bad",
    PolicyStatus.IN_GRACE_PERIOD: "warn",
    PolicyStatus.UNKNOWN: "warn",
    ProfileStatus.SUCCEEDED: "good",
    ProfileStatus.FAILED: "bad",
    ProfileStatus.PENDING: "warn",
}

_FACTS: dict[str, str] = {
    ComplianceSetting.OS_MINIMUM_VERSION: "os",
    ComplianceSetting.OS_MAXIMUM_VERSION: "os",
    ComplianceSetting.MINIMUM_AGENT_VERSION: "agent",
}


@dataclass(frozen=True)
class SettingRow:
    """One setting that does not pass, ready to show."""

    setting: str
    label: str
    state: str
    state_label: str
    expected: str
    reported: str
    explanation: str


@dataclass(frozen=True)
class ComplianceRow:
    """A policy's status on a device, with its failing settings."""

    record: DeviceComplianceStatus
    label: str
    badge: str
    settings: list[SettingRow]


@dataclass(frozen=True)
class ProfileRow:
    """A profile's status on a device, with the reason to show."""

    record: DeviceProfileStatus
    label: str
    badge: str
    reason: str


def _when(text: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def _boolean(value: Any) -> str:
    if value is None:
        return _("not reported")
    return _("yes") if value else _("no")


def _shown(setting: str, value: Any, *, expected: bool) -> str:
    if setting == ComplianceSetting.MAX_DAYS_SINCE_CHECK_IN:
        if expected:
            days = int(value)
            return ngettext("at most %(count)d day ago", "at most %(count)d days ago", days) % {
                "count": days
            }
        return _when(value) if value is not None else _("not reported")
    if isinstance(value, bool) or value is None:
        if expected:
            return _("required")
        return _boolean(value)
    return str(value)


def _not_reported(setting: str, reported: Any) -> str:
    fact = _FACTS.get(setting)
    if reported is not None and fact is not None:
        return _("The device reported %(value)s, which is not a version.") % {"value": reported}
    messages: dict[str, str] = {
        ComplianceSetting.OS_MINIMUM_VERSION: _("The device did not report its OS version."),
        ComplianceSetting.OS_MAXIMUM_VERSION: _("The device did not report its OS version."),
        ComplianceSetting.MINIMUM_AGENT_VERSION: _("The device did not report its agent version."),
        ComplianceSetting.STORAGE_REQUIRE_ENCRYPTION: _(
            "The device did not report whether its storage is encrypted."
        ),
        ComplianceSetting.FIREWALL_ENABLED: _(
            "The device did not report whether its firewall is on."
        ),
        ComplianceSetting.PASSWORD_REQUIRED: _(
            "The device did not report whether a screen lock is set."
        ),
        ComplianceSetting.MAX_DAYS_SINCE_CHECK_IN: _("The device has not checked in yet."),
    }
    return str(messages.get(setting, _("The device did not report this setting.")))


def _failing(setting: str, expected: str, reported: str) -> str:
    values = {"expected": expected, "reported": reported}
    messages: dict[str, str] = {
        ComplianceSetting.OS_MINIMUM_VERSION: _(
            "OS version %(reported)s is below the minimum %(expected)s."
        ),
        ComplianceSetting.OS_MAXIMUM_VERSION: _(
            "OS version %(reported)s is above the maximum %(expected)s."
        ),
        ComplianceSetting.MINIMUM_AGENT_VERSION: _(
            "Agent version %(reported)s is below the minimum %(expected)s."
        ),
        ComplianceSetting.STORAGE_REQUIRE_ENCRYPTION: _(
            "Encryption is required; the device reported that its storage is not encrypted."
        ),
        ComplianceSetting.FIREWALL_ENABLED: _(
            "A firewall is required; the device reported that its firewall is off."
        ),
        ComplianceSetting.PASSWORD_REQUIRED: _(
            "A screen lock is required; the device reported that none is set."
        ),
        ComplianceSetting.MAX_DAYS_SINCE_CHECK_IN: _(
            "The last check-in, %(reported)s, is longer ago than allowed (%(expected)s)."
        ),
    }
    return str(messages.get(setting, _("Does not meet %(expected)s."))) % values


def setting_rows(states: list[dict[str, Any]]) -> list[SettingRow]:
    """The stored setting states of a status, as rows to show."""
    rows = []
    for item in states:
        setting = str(item.get("setting", ""))
        state = str(item.get("state", ""))
        expected = _shown(setting, item.get("expected"), expected=True)
        reported = _shown(setting, item.get("reported"), expected=False)
        if state == SettingState.ERROR:
            explanation = _not_reported(setting, item.get("reported"))
        elif state == SettingState.CONFLICT:
            names = ", ".join(str(other.get("name", "")) for other in item.get("conflictsWith", []))
            explanation = _("Conflicts with %(policies)s: no OS version meets both policies.") % {
                "policies": names
            }
        else:
            explanation = _failing(setting, expected, reported)
        rows.append(
            SettingRow(
                setting=setting,
                label=str(ComplianceSetting(setting).label)
                if setting in ComplianceSetting.values
                else setting,
                state=state,
                state_label=str(SettingState(state).label)
                if state in SettingState.values
                else state,
                expected=expected,
                reported=reported,
                explanation=str(explanation),
            )
        )
    return rows


def compliance_row(record: DeviceComplianceStatus) -> ComplianceRow:
    return ComplianceRow(
        record=record,
        label=record.get_status_display(),
        badge=BADGES.get(record.status, ""),
        settings=setting_rows(record.setting_states),
    )


def profile_reason(record: DeviceProfileStatus, device: ManagedDevice) -> str:
    """Why a profile has its status on the device, in words."""
    if record.status == ProfileStatus.CONFLICT:
        labels: dict[str, str] = {"ssid": _("SSID"), "server": _("server"), "key": _("key")}
        parts = [
            _("%(name)s (%(setting)s %(value)s)")
            % {
                "name": other.get("name", ""),
                "setting": labels.get(other.get("setting", ""), other.get("setting", "")),
                "value": other.get("value", ""),
            }
            for other in record.conflicts
        ]
        return _("Conflicts with %(profiles)s; neither is delivered.") % {
            "profiles": ", ".join(parts)
        }
    if record.status == ProfileStatus.NOT_APPLICABLE and not record.detail:
        return _("This profile is for %(platform)s; the device runs %(os)s.") % {
            "platform": record.profile.get_platform_display(),
            "os": device.get_operating_system_display(),
        }
    if record.status == ProfileStatus.PENDING:
        return _("Delivered; no result from the device yet for version %(version)d.") % {
            "version": record.version
        }
    return record.detail


def profile_row(record: DeviceProfileStatus, device: ManagedDevice) -> ProfileRow:
    return ProfileRow(
        record=record,
        label=record.get_status_display(),
        badge=BADGES.get(record.status, ""),
        reason=profile_reason(record, device),
    )


@dataclass(frozen=True)
class ShownSetting:
    """A profile setting as the portal shows it: a secret only says whether it is set."""

    key: str
    value: str
    secret: bool


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return _boolean(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if value is None or value == "":
        return "—"
    return str(value)


def profile_settings_shown(profile: ConfigurationProfile) -> list[ShownSetting]:
    """The profile's settings to show; never the value of a secret."""
    rows = [ShownSetting(key, _plain(value), False) for key, value in profile.settings.items()]
    for key in secret_keys(profile.profile_type, profile.settings):
        is_set = bool(profile.secret_settings.get(key))
        rows.append(ShownSetting(key, _("set") if is_set else _("not set"), True))
    return rows
