"""The grace period ("mark noncompliant after N days"): a policy first failing at T is in its grace
period until T + N days, then not compliant; compliant again ends it, and a new failure starts a
new one. The sweep moves a device on when its grace period ends without a check-in."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.services import compliance_sweep
from deskside.policies.tests.helpers import checked_in, policy


def _status(made, device) -> DeviceComplianceStatus:  # type: ignore[no-untyped-def]
    return DeviceComplianceStatus.objects.get(policy=made, device=device)


def test_a_failing_device_is_in_its_grace_period_until_it_ends(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], require_encryption=True, grace_period_days=3)
    before = timezone.now()
    answer = checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    status = _status(made, enrolled.device)
    assert answer["complianceState"] == "inGracePeriod"
    assert status.status == "inGracePeriod"
    assert before <= status.failing_since <= timezone.now()
    assert status.grace_expires_at == status.failing_since + timedelta(days=3)
    assert status.reevaluate_at == status.grace_expires_at

    assert compliance_sweep(now=status.grace_expires_at - timedelta(seconds=1)) == 0
    assert _status(made, enrolled.device).status == "inGracePeriod"

    assert compliance_sweep(now=status.grace_expires_at) == 1
    after = _status(made, enrolled.device)
    assert after.status == "nonCompliant"
    assert after.failing_since == status.failing_since
    assert after.reevaluate_at is None
    assert enrolled.reload().compliance_state == "noncompliant"
    assert compliance_sweep(now=status.grace_expires_at + timedelta(days=1)) == 0


def test_failing_again_keeps_the_grace_period_running_from_the_first_failure(
    client, enrolled, personas
) -> None:
    made = policy(personas.tenant, [personas.lyon], require_encryption=True, grace_period_days=3)
    checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    first = _status(made, enrolled.device).failing_since
    checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    assert _status(made, enrolled.device).failing_since == first


def test_being_compliant_again_ends_the_grace_period(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], require_encryption=True, grace_period_days=3)
    checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    first = _status(made, enrolled.device).failing_since

    answer = checked_in(client, enrolled.credential, facts={"isEncrypted": True})
    status = _status(made, enrolled.device)
    assert (answer["complianceState"], status.status) == ("compliant", "compliant")
    assert (status.failing_since, status.grace_expires_at, status.reevaluate_at) == (
        None,
        None,
        None,
    )

    checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    again = _status(made, enrolled.device)
    assert again.status == "inGracePeriod"
    assert again.failing_since > first


def test_no_grace_period_makes_a_failing_device_noncompliant_at_once(
    client, enrolled, personas
) -> None:
    made = policy(personas.tenant, [personas.lyon], require_encryption=True)
    answer = checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    assert answer["complianceState"] == "noncompliant"
    assert _status(made, enrolled.device).status == "nonCompliant"
