"""Each rule of a compliance policy, checked at check-in on what the device reports: it passes,
or it fails and the failing setting records what was expected and what the device reported."""

from __future__ import annotations

import pytest

from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.tests.helpers import checked_in, policy

RULES = [
    # (rules, passing report, failing report, expected, reported)
    (
        {"os_minimum_version": "13.0"},
        {"facts": {"osVersion": "13"}},
        {"facts": {"osVersion": "12.6"}},
        ("osMinimumVersion", "13.0", "12.6"),
    ),
    (
        {"os_maximum_version": "12.8"},
        {"facts": {"osVersion": "12.8.0"}},
        {"facts": {"osVersion": "12.10"}},
        ("osMaximumVersion", "12.8", "12.10"),
    ),
    (
        {"require_encryption": True},
        {"facts": {"isEncrypted": True}},
        {"facts": {"isEncrypted": False}},
        ("storageRequireEncryption", True, False),
    ),
    (
        {"require_firewall": True},
        {"facts": {"firewallEnabled": True}},
        {"facts": {"firewallEnabled": False}},
        ("firewallEnabled", True, False),
    ),
    (
        {"require_screen_lock": True},
        {"facts": {"screenLockEnabled": True}},
        {"facts": {"screenLockEnabled": False}},
        ("passwordRequired", True, False),
    ),
    (
        {"minimum_agent_version": "1.10"},
        {"agentVersion": "1.10.0"},
        {"agentVersion": "1.9.4"},
        ("minimumAgentVersion", "1.10", "1.9.4"),
    ),
]


@pytest.mark.parametrize(("rules", "passing", "failing", "expected"), RULES)
def test_a_rule_passes_on_a_good_fact_and_fails_with_the_reported_value(
    client, enrolled, personas, rules, passing, failing, expected
) -> None:
    made = policy(personas.tenant, [personas.lyon], **rules)

    answer = checked_in(client, enrolled.credential, **passing)
    status = DeviceComplianceStatus.objects.get(policy=made, device=enrolled.device)
    assert (status.status, status.setting_states, answer["complianceState"]) == (
        "compliant",
        [],
        "compliant",
    )

    answer = checked_in(client, enrolled.credential, **failing)
    status.refresh_from_db()
    setting, want, got = expected
    assert status.status == "nonCompliant"
    assert status.setting_states == [
        {"setting": setting, "state": "nonCompliant", "expected": want, "reported": got}
    ]
    assert answer["complianceState"] == "noncompliant"
    assert enrolled.reload().compliance_state == "noncompliant"


def test_every_failing_rule_of_a_policy_is_listed(client, enrolled, personas) -> None:
    made = policy(
        personas.tenant,
        [personas.lyon],
        os_minimum_version="13",
        require_encryption=True,
        require_firewall=True,
    )
    checked_in(
        client,
        enrolled.credential,
        facts={"osVersion": "12.8", "isEncrypted": False, "firewallEnabled": True},
    )
    status = DeviceComplianceStatus.objects.get(policy=made, device=enrolled.device)
    assert [item["setting"] for item in status.setting_states] == [
        "osMinimumVersion",
        "storageRequireEncryption",
    ]


def test_a_version_compares_by_its_numbers_not_as_text(client, enrolled, personas) -> None:
    made = policy(personas.tenant, [personas.lyon], os_minimum_version="12.10")
    checked_in(client, enrolled.credential, facts={"osVersion": "12.9"})
    assert DeviceComplianceStatus.objects.get(policy=made).status == "nonCompliant"
    checked_in(client, enrolled.credential, facts={"osVersion": "12.10.1"})
    assert DeviceComplianceStatus.objects.get(policy=made).status == "compliant"
