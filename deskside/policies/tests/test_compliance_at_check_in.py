"""Compliance follows the facts of each check-in: a device that was compliant turns
noncompliant when a fact changes, and back; the answer carries the new state."""

from __future__ import annotations

from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.tests.helpers import checked_in, policy


def test_a_changed_fact_turns_the_device_noncompliant_and_back(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], require_firewall=True)
    assert checked_in(client, enrolled.credential)["complianceState"] == "compliant"
    assert enrolled.reload().compliance_state == "compliant"
    compliant_since = DeviceComplianceStatus.objects.get(policy=made).changed_at

    answer = checked_in(client, enrolled.credential, facts={"firewallEnabled": False})
    assert answer["complianceState"] == "noncompliant"
    assert enrolled.reload().compliance_state == "noncompliant"
    status = DeviceComplianceStatus.objects.get(policy=made)
    assert status.setting_states == [
        {"setting": "firewallEnabled", "state": "nonCompliant", "expected": True, "reported": False}
    ]
    assert status.changed_at > compliant_since

    assert checked_in(client, enrolled.credential)["complianceState"] == "compliant"
    assert DeviceComplianceStatus.objects.get(policy=made).setting_states == []


def test_an_unchanged_status_keeps_its_since(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], require_firewall=True)
    checked_in(client, enrolled.credential, facts={"firewallEnabled": False})
    since = DeviceComplianceStatus.objects.get(policy=made).changed_at
    checked_in(client, enrolled.credential, facts={"firewallEnabled": False})
    assert DeviceComplianceStatus.objects.get(policy=made).changed_at == since


def test_a_policy_no_longer_assigned_loses_its_status(client, enrolled, personas) -> None:
    from deskside.policies.services import compliance_policy_assign

    made = policy(personas.tenant, [personas.lyon], require_firewall=True)
    checked_in(client, enrolled.credential, facts={"firewallEnabled": False})
    compliance_policy_assign(policy=made, include_groups=[personas.sales], actor=personas.admin)
    answer = checked_in(client, enrolled.credential, facts={"firewallEnabled": False})
    assert answer["complianceState"] == "compliant"
    assert not DeviceComplianceStatus.objects.filter(policy=made).exists()
