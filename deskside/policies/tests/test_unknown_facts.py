"""A fact the device could not tell (null in the report, or a version that is not one) makes the
rule that needs it an error, never a pass; the device is then in error, and the page says which
fact was missing."""

from __future__ import annotations

import pytest

from deskside.policies.display import setting_rows
from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.tests.helpers import checked_in, policy


@pytest.mark.parametrize(
    ("rules", "facts", "setting", "says"),
    [
        (
            {"require_encryption": True},
            {"isEncrypted": None},
            "storageRequireEncryption",
            "did not report whether its storage is encrypted",
        ),
        (
            {"require_firewall": True},
            {"firewallEnabled": None},
            "firewallEnabled",
            "did not report whether its firewall is on",
        ),
        (
            {"require_screen_lock": True},
            {"screenLockEnabled": None},
            "passwordRequired",
            "did not report whether a screen lock is set",
        ),
        (
            {"os_minimum_version": "12"},
            {"osVersion": "rolling"},
            "osMinimumVersion",
            "reported rolling, which is not a version",
        ),
    ],
)
def test_an_unknown_fact_makes_its_setting_an_error(
    client, enrolled, personas, rules, facts, setting, says
) -> None:
    made = policy(personas.tenant, [personas.lyon], **rules)
    answer = checked_in(client, enrolled.credential, facts=facts)
    status = DeviceComplianceStatus.objects.get(policy=made, device=enrolled.device)
    assert status.status == "error"
    assert [(s["setting"], s["state"]) for s in status.setting_states] == [(setting, "error")]
    assert answer["complianceState"] == "error"
    assert says in setting_rows(status.setting_states)[0].explanation


def test_an_unknown_fact_does_not_matter_to_a_policy_without_that_rule(
    client, enrolled, personas
) -> None:
    made = policy(personas.tenant, [personas.lyon], require_encryption=True)
    answer = checked_in(client, enrolled.credential, facts={"firewallEnabled": None})
    assert DeviceComplianceStatus.objects.get(policy=made).status == "compliant"
    assert answer["complianceState"] == "compliant"


def test_a_failing_rule_outweighs_an_unknown_fact_once_the_grace_period_is_over(
    client, enrolled, personas
) -> None:
    made = policy(personas.tenant, [personas.lyon], require_encryption=True, require_firewall=True)
    answer = checked_in(
        client, enrolled.credential, facts={"isEncrypted": False, "firewallEnabled": None}
    )
    status = DeviceComplianceStatus.objects.get(policy=made)
    assert status.status == "nonCompliant"
    assert {s["state"] for s in status.setting_states} == {"nonCompliant", "error"}
    assert answer["complianceState"] == "noncompliant"
