"""The sweep: devices whose compliance changes without a check-in are evaluated again — a "last
check-in not older than N days" rule whose deadline passed, a grace period that ended, a policy
edited or re-assigned. ``deskside compliance-sweep`` runs it with a progress line."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from deskside.fleet.models import ManagedDevice
from deskside.fleet.services import group_device_add
from deskside.fleet.tests.checkins import enroll
from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.services import compliance_policy_update, compliance_sweep
from deskside.policies.tests.helpers import checked_in, policy


def test_a_device_that_stops_checking_in_becomes_noncompliant(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], max_days_since_check_in=7)
    checked_in(client, enrolled.credential)
    synced = enrolled.reload().last_sync_at
    status = DeviceComplianceStatus.objects.get(policy=made)
    assert (status.status, status.overdue) == ("compliant", False)

    assert compliance_sweep(now=synced + timedelta(days=6)) == 0
    assert compliance_sweep(now=synced + timedelta(days=7, seconds=1)) == 1
    status.refresh_from_db()
    assert status.status == "nonCompliant"
    assert status.setting_states == [
        {
            "setting": "maxDaysSinceCheckIn",
            "state": "nonCompliant",
            "expected": 7,
            "reported": synced.isoformat(),
        }
    ]
    assert status.overdue
    assert enrolled.reload().compliance_state == "noncompliant"
    assert compliance_sweep(now=synced + timedelta(days=30)) == 0


def test_the_stale_device_gets_its_grace_period_first(client, enrolled, personas) -> None:
    policy(personas.tenant, [personas.lyon], max_days_since_check_in=7, grace_period_days=2)
    checked_in(client, enrolled.credential)
    synced = enrolled.reload().last_sync_at
    compliance_sweep(now=synced + timedelta(days=8))
    assert enrolled.reload().compliance_state == "inGracePeriod"
    compliance_sweep(now=synced + timedelta(days=10, seconds=1))
    assert enrolled.reload().compliance_state == "noncompliant"


def test_checking_in_again_makes_an_overdue_device_compliant(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], max_days_since_check_in=7)
    checked_in(client, enrolled.credential)
    compliance_sweep(now=enrolled.reload().last_sync_at + timedelta(days=8))
    assert enrolled.reload().compliance_state == "noncompliant"
    assert checked_in(client, enrolled.credential)["complianceState"] == "compliant"
    status = DeviceComplianceStatus.objects.get(policy=made)
    assert (status.status, status.overdue, status.setting_states) == ("compliant", False, [])


def test_a_policy_for_another_platform_is_not_swept(client, enrolled, personas) -> None:
    policy(personas.tenant, [personas.lyon], platform="Windows", max_days_since_check_in=7)
    checked_in(client, enrolled.credential)
    assert compliance_sweep(now=enrolled.reload().last_sync_at + timedelta(days=8)) == 0


def test_an_edited_policy_is_evaluated_again_by_the_sweep(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], require_encryption=True)
    checked_in(client, enrolled.credential)
    compliance_policy_update(policy=made, actor=personas.admin, os_minimum_version="13")
    status = DeviceComplianceStatus.objects.get(policy=made)
    assert status.status == "unknown"
    assert enrolled.reload().compliance_state == "compliant"

    assert compliance_sweep() == 1
    status.refresh_from_db()
    assert status.status == "nonCompliant"
    assert status.setting_states[0]["reported"] == "12.8"
    assert enrolled.reload().compliance_state == "noncompliant"


def test_the_command_prints_a_progress_line_per_batch(client, enrollment, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], max_days_since_check_in=1)
    for number in range(3):
        device_id, credential = enroll(
            client, deviceName=f"lyon-{number}", serialNumber=f"SN-LYON-{number}"
        )
        group_device_add(
            group=personas.lyon, device=ManagedDevice.objects.get(pk=device_id), actor=None
        )
        checked_in(client, credential, facts={"deviceName": f"lyon-{number}", "serialNumber": "x"})
    later = ManagedDevice.objects.order_by("-last_sync_at")[0].last_sync_at + timedelta(days=2)
    out = StringIO()
    call_command("compliance_sweep", "--batch-size", "2", "--now", later.isoformat(), stdout=out)
    assert out.getvalue().splitlines() == [
        "compliance sweep: 2/3 devices evaluated",
        "compliance sweep: 3/3 devices evaluated",
        "compliance sweep: done, 3 device(s) evaluated.",
    ]
    assert set(
        DeviceComplianceStatus.objects.filter(policy=made).values_list("status", flat=True)
    ) == {"nonCompliant"}


def test_the_cli_name_runs_the_same_command(db) -> None:
    out = StringIO()
    call_command("compliance-sweep", stdout=out)
    assert out.getvalue() == "compliance sweep: done, 0 device(s) evaluated.\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--now", "yesterday"], "--now"),
        (["--now", "2026-12-01T08:00:00"], "offset"),
        (["--batch-size", "0"], "--batch-size"),
    ],
)
def test_bad_arguments_are_refused(db, arguments, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("compliance_sweep", *arguments)
