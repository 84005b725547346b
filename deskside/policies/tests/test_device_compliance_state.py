"""The device's complianceState follows from its policies' statuses, most severe first:
noncompliant > error > conflict > inGracePeriod > compliant; a policy for another platform does
not count; a device no policy applies to gets the tenant's "no compliance policy" state."""

from __future__ import annotations

import pytest

from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.services import compliance_settings_update
from deskside.policies.tests.helpers import checked_in, policy

# Each kind of policy, as it comes out on the enrolled device's facts (Linux 12.8, agent 1.2.0,
# encrypted, firewall unknown and no screen lock in these tests).
KINDS = {
    "compliant": [{"require_encryption": True}],
    "nonCompliant": [{"minimum_agent_version": "9"}],
    "inGracePeriod": [{"require_screen_lock": True, "grace_period_days": 5}],
    "error": [{"require_firewall": True}],
    "conflict": [{"os_minimum_version": "14"}, {"os_maximum_version": "13"}],
    "notApplicable": [{"platform": "Windows", "require_encryption": True}],
}


@pytest.mark.parametrize(
    ("kinds", "state"),
    [
        (["compliant"], "compliant"),
        (["compliant", "inGracePeriod"], "inGracePeriod"),
        (["inGracePeriod", "conflict"], "conflict"),
        (["conflict", "error", "compliant"], "error"),
        (["error", "nonCompliant", "inGracePeriod"], "noncompliant"),
        (["notApplicable", "inGracePeriod"], "inGracePeriod"),
        (["notApplicable"], "compliant"),
    ],
)
def test_the_most_severe_status_decides(client, enrolled, personas, kinds, state) -> None:
    made = {}
    for kind in kinds:
        for number, rules in enumerate(KINDS[kind]):
            name = f"{kind} {number}"
            made[name] = (kind, policy(personas.tenant, [personas.lyon], name=name, **rules))
    answer = checked_in(
        client, enrolled.credential, facts={"firewallEnabled": None, "screenLockEnabled": False}
    )
    assert answer["complianceState"] == state
    assert enrolled.reload().compliance_state == state
    statuses = {
        row.policy.name: row.status
        for row in DeviceComplianceStatus.objects.filter(device=enrolled.device)
    }
    assert statuses == {name: kind for name, (kind, _policy) in made.items()}


def test_a_device_without_a_policy_is_compliant_by_default(client, enrolled) -> None:
    assert checked_in(client, enrolled.credential)["complianceState"] == "compliant"
    assert not DeviceComplianceStatus.objects.exists()


def test_the_tenant_may_mark_devices_without_a_policy_noncompliant(
    client, enrolled, personas
) -> None:
    policy(personas.tenant, [personas.lyon], name="Windows only", platform="Windows")
    assert checked_in(client, enrolled.credential)["complianceState"] == "compliant"

    compliance_settings_update(
        tenant=personas.tenant, no_policy_state="noncompliant", actor=personas.admin
    )
    assert enrolled.reload().compliance_state == "noncompliant"
    assert checked_in(client, enrolled.credential)["complianceState"] == "noncompliant"


def test_the_no_policy_setting_leaves_devices_with_a_policy_alone(
    client, enrolled, personas
) -> None:
    policy(personas.tenant, [personas.lyon], require_encryption=True)
    checked_in(client, enrolled.credential)
    compliance_settings_update(
        tenant=personas.tenant, no_policy_state="noncompliant", actor=personas.admin
    )
    assert enrolled.reload().compliance_state == "compliant"


def test_a_policy_reaches_the_device_through_its_primary_users_groups(
    client, enrolled, personas
) -> None:
    from deskside.fleet.models import ManagedDevice

    ManagedDevice.objects.filter(pk=enrolled.device.pk).update(primary_user=personas.amsterdam_user)
    made = policy(personas.tenant, [personas.amsterdam], require_encryption=True)
    answer = checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    assert answer["complianceState"] == "noncompliant"
    assert DeviceComplianceStatus.objects.get(policy=made).status == "nonCompliant"


def test_an_excluded_group_wins_over_an_included_one(client, enrolled, personas) -> None:
    policy(
        personas.tenant,
        [personas.all_staff],
        exclude=[personas.lyon],
        require_encryption=True,
    )
    answer = checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    assert answer["complianceState"] == "compliant"
    assert not DeviceComplianceStatus.objects.exists()
