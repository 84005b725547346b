"""Two policies that no OS version can satisfy together (one's minimum above the other's
maximum) are a conflict on both, each naming the other; their other rules still count."""

from __future__ import annotations

from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.tests.helpers import checked_in, policy


def test_contradicting_os_versions_are_a_conflict_on_both(client, enrolled, personas) -> None:
    newer = policy(personas.tenant, [personas.lyon], name="Newer", os_minimum_version="14")
    older = policy(personas.tenant, [personas.all_staff], name="Older", os_maximum_version="13")
    answer = checked_in(client, enrolled.credential)
    assert answer["complianceState"] == "conflict"
    first = DeviceComplianceStatus.objects.get(policy=newer)
    second = DeviceComplianceStatus.objects.get(policy=older)
    assert (first.status, second.status) == ("conflict", "conflict")
    assert first.setting_states[0]["setting"] == "osMinimumVersion"
    assert first.setting_states[0]["conflictsWith"] == [{"policyId": older.pk, "name": "Older"}]
    assert second.setting_states[0]["setting"] == "osMaximumVersion"
    assert second.setting_states[0]["conflictsWith"] == [{"policyId": newer.pk, "name": "Newer"}]


def test_overlapping_versions_are_no_conflict(client, enrolled, personas) -> None:
    policy(personas.tenant, [personas.lyon], name="Newer", os_minimum_version="12")
    policy(personas.tenant, [personas.lyon], name="Older", os_maximum_version="13")
    assert checked_in(client, enrolled.credential)["complianceState"] == "compliant"


def test_a_failing_rule_beside_the_conflict_still_makes_the_device_noncompliant(
    client, enrolled, personas
) -> None:
    newer = policy(
        personas.tenant,
        [personas.lyon],
        name="Newer",
        os_minimum_version="14",
        require_encryption=True,
    )
    policy(personas.tenant, [personas.lyon], name="Older", os_maximum_version="13")
    answer = checked_in(client, enrolled.credential, facts={"isEncrypted": False})
    assert answer["complianceState"] == "noncompliant"
    assert DeviceComplianceStatus.objects.get(policy=newer).status == "nonCompliant"


def test_a_policy_for_another_platform_does_not_conflict(client, enrolled, personas) -> None:
    policy(
        personas.tenant, [personas.lyon], name="Newer", os_minimum_version="14", platform="Windows"
    )
    policy(personas.tenant, [personas.lyon], name="Older", os_maximum_version="13")
    assert checked_in(client, enrolled.credential)["complianceState"] == "compliant"
