"""Compliance evaluation: the rules of a policy on a device's stored facts, without queries.

See docs/policies.md. A rule needs one fact; a fact the device could not tell (None, or an empty or
unreadable version) makes that setting ``error`` ("the device did not report ..."), never a pass.
A policy's status is the worst of its settings in the order nonCompliant (grace period over) >
error > conflict > inGracePeriod > compliant; the device's complianceState is the worst of its
applicable policies' statuses in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from deskside.fleet.choices import ComplianceState
from deskside.fleet.enrollment import version_tuple
from deskside.fleet.models import ManagedDevice
from deskside.policies.choices import ComplianceSetting, PolicyStatus, SettingState
from deskside.policies.models import CompliancePolicy, DeviceComplianceStatus

SettingStateDict = dict[str, Any]


@dataclass(frozen=True)
class Evaluated:
    """A policy's new status on a device, as ``DeviceComplianceStatus`` stores it."""

    status: str
    setting_states: list[SettingStateDict]
    failing_since: datetime | None = None
    grace_expires_at: datetime | None = None
    reevaluate_at: datetime | None = None
    overdue: bool = False


def version_key(text: str) -> tuple[int, ...] | None:
    """A dotted version for comparing: "13" equals "13.0" (trailing zeros do not count)."""
    parsed = version_tuple(text) if text else None
    if parsed is None:
        return None
    while len(parsed) > 1 and parsed[-1] == 0:
        parsed = parsed[:-1]
    return parsed


# The device fields the rules read, besides ``last_sync_at`` (which a check-in sets to its own
# time before evaluating). A check-in that changes none of them, under the same assignments,
# evaluates to what the last one did (fleet/checkin.py); a test holds this list to the rules.
EVALUATED_FACTS = (
    "operating_system",
    "os_version",
    "is_encrypted",
    "firewall_enabled",
    "screen_lock_enabled",
    "agent_version",
)


def _state(setting: str, state: str, expected: Any, reported: Any) -> SettingStateDict:
    return {"setting": setting, "state": state, "expected": expected, "reported": reported}


def _version_rule(
    setting: str, expected_text: str, reported_text: str, *, minimum: bool
) -> SettingStateDict | None:
    expected = version_key(expected_text)
    if expected is None:
        return None
    reported = version_key(reported_text)
    if reported is None:
        return _state(setting, SettingState.ERROR, expected_text, reported_text or None)
    failing = reported < expected if minimum else reported > expected
    return (
        _state(setting, SettingState.NONCOMPLIANT, expected_text, reported_text)
        if failing
        else None
    )


def _required_rule(setting: str, reported: bool | None) -> SettingStateDict | None:
    if reported is None:
        return _state(setting, SettingState.ERROR, True, None)
    return None if reported else _state(setting, SettingState.NONCOMPLIANT, True, False)


def os_range_conflicts(
    policies: Iterable[CompliancePolicy],
) -> dict[tuple[int, str], list[CompliancePolicy]]:
    """Pairs of policies no OS version can satisfy together (one's minimum above the other's
    maximum): {(policy id, setting): the other policies}, for both sides of each pair."""
    policies = list(policies)
    conflicts: dict[tuple[int, str], list[CompliancePolicy]] = {}
    for low in policies:
        minimum = version_key(low.os_minimum_version)
        if minimum is None:
            continue
        for high in policies:
            maximum = version_key(high.os_maximum_version)
            if high.pk == low.pk or maximum is None or minimum <= maximum:
                continue
            conflicts.setdefault((low.pk, ComplianceSetting.OS_MINIMUM_VERSION), []).append(high)
            conflicts.setdefault((high.pk, ComplianceSetting.OS_MAXIMUM_VERSION), []).append(low)
    return conflicts


def _settings_of(
    policy: CompliancePolicy,
    device: ManagedDevice,
    now: datetime,
    conflicts: Mapping[tuple[int, str], list[CompliancePolicy]],
) -> list[SettingStateDict]:
    """The settings of ``policy`` that do not pass."""
    found: list[SettingStateDict] = []
    for setting, expected_text, minimum in (
        (ComplianceSetting.OS_MINIMUM_VERSION, policy.os_minimum_version, True),
        (ComplianceSetting.OS_MAXIMUM_VERSION, policy.os_maximum_version, False),
    ):
        others = conflicts.get((policy.pk, setting))
        if others:
            state = _state(setting, SettingState.CONFLICT, expected_text, device.os_version or None)
            state["conflictsWith"] = [{"policyId": o.pk, "name": o.name} for o in others]
            found.append(state)
            continue
        result = _version_rule(setting, expected_text, device.os_version, minimum=minimum)
        if result is not None:
            found.append(result)
    for setting, required, reported in (
        (
            ComplianceSetting.STORAGE_REQUIRE_ENCRYPTION,
            policy.require_encryption,
            device.is_encrypted,
        ),
        (ComplianceSetting.FIREWALL_ENABLED, policy.require_firewall, device.firewall_enabled),
        (
            ComplianceSetting.PASSWORD_REQUIRED,
            policy.require_screen_lock,
            device.screen_lock_enabled,
        ),
    ):
        result = _required_rule(setting, reported) if required else None
        if result is not None:
            found.append(result)
    agent = _version_rule(
        ComplianceSetting.MINIMUM_AGENT_VERSION,
        policy.minimum_agent_version,
        device.agent_version,
        minimum=True,
    )
    if agent is not None:
        found.append(agent)
    days = policy.max_days_since_check_in
    if days is not None:
        setting = ComplianceSetting.MAX_DAYS_SINCE_CHECK_IN
        last = device.last_sync_at
        if last is None:
            found.append(_state(setting, SettingState.ERROR, days, None))
        elif now - last > timedelta(days=days):
            found.append(_state(setting, SettingState.NONCOMPLIANT, days, last.isoformat()))
    return found


def evaluate_policy(
    policy: CompliancePolicy,
    device: ManagedDevice,
    *,
    now: datetime,
    previous: DeviceComplianceStatus | None,
    conflicts: Mapping[tuple[int, str], list[CompliancePolicy]],
) -> Evaluated:
    """One policy on one device. The grace period runs from the first evaluation that found a
    setting not compliant; an evaluation without such a setting that is fully compliant ends it
    (an error or conflict keeps the start, so a flapping fact does not restart the clock)."""
    if policy.platform != device.operating_system:
        return Evaluated(status=PolicyStatus.NOT_APPLICABLE, setting_states=[])
    found = _settings_of(policy, device, now, conflicts)
    states = {item["state"] for item in found}
    overdue = any(
        item["setting"] == ComplianceSetting.MAX_DAYS_SINCE_CHECK_IN
        and item["state"] == SettingState.NONCOMPLIANT
        for item in found
    )
    failing = SettingState.NONCOMPLIANT in states
    kept_since = previous.failing_since if previous is not None else None
    if not found:
        return Evaluated(PolicyStatus.COMPLIANT, [])
    if not failing:
        status = PolicyStatus.ERROR if SettingState.ERROR in states else PolicyStatus.CONFLICT
        return Evaluated(status, found, failing_since=kept_since)
    since = kept_since or now
    expires = since + timedelta(days=policy.grace_period_days)
    if now >= expires:
        return Evaluated(PolicyStatus.NONCOMPLIANT, found, since, expires, overdue=overdue)
    if SettingState.ERROR in states:
        status = PolicyStatus.ERROR
    elif SettingState.CONFLICT in states:
        status = PolicyStatus.CONFLICT
    else:
        status = PolicyStatus.IN_GRACE_PERIOD
    return Evaluated(status, found, since, expires, reevaluate_at=expires, overdue=overdue)


# The device's complianceState from its policies' statuses, most severe first.
PRECEDENCE: tuple[tuple[str, str], ...] = (
    (PolicyStatus.NONCOMPLIANT, ComplianceState.NONCOMPLIANT),
    (PolicyStatus.ERROR, ComplianceState.ERROR),
    (PolicyStatus.CONFLICT, ComplianceState.CONFLICT),
    (PolicyStatus.IN_GRACE_PERIOD, ComplianceState.IN_GRACE_PERIOD),
    (PolicyStatus.UNKNOWN, ComplianceState.UNKNOWN),
    (PolicyStatus.COMPLIANT, ComplianceState.COMPLIANT),
)


def device_state(statuses: Iterable[str], *, no_policy_state: str) -> str:
    """The device's complianceState: the most severe applicable status, or the tenant's
    "no compliance policy assigned" state when no policy applies to the device."""
    applicable = {status for status in statuses if status != PolicyStatus.NOT_APPLICABLE}
    if not applicable:
        return no_policy_state
    for status, state in PRECEDENCE:
        if status in applicable:
            return str(state)
    return str(ComplianceState.UNKNOWN)
