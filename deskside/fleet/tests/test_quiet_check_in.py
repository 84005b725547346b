"""Quiet check-ins (fleet/checkin.py): a report with no inventory and no results, whose evaluated
facts and tenant assignments are what they were at the last full evaluation, keeps the statuses
and the profiles and apps of the last answer, in three fixed queries (more when actions wait).
Anything that changes what the evaluation reads makes the next check-in evaluate afresh."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deskside.apps.services import app_assignment_delete, mobile_app_update
from deskside.apps.tests.helpers import assign, debian
from deskside.directory.models import Group
from deskside.directory.services import group_create, group_member_add, group_member_remove
from deskside.fleet.actions import device_action_request
from deskside.fleet.models import ManagedDevice
from deskside.fleet.services import group_device_add
from deskside.fleet.tests.checkins import check_in, enroll, facts, report
from deskside.fleet.tests.conftest import enrollment  # noqa: F401
from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.services import (
    compliance_policy_update,
    compliance_sweep,
    profile_delete,
    profile_update,
)
from deskside.policies.tests.helpers import policy, wifi

CONTENT_TABLES = ('"policies_', '"apps_', '"directory_groupclosure"')


@dataclass
class Setup:
    device: ManagedDevice
    credential: str
    policy: Any
    profile: Any
    app: Any


@pytest.fixture
def setup(client, enrollment, personas) -> Setup:  # type: ignore[no-untyped-def]  # noqa: F811
    """An enrolled Linux device in the Lyon office, which gets a compliance policy (encryption),
    a Wi-Fi profile and a required app; checked in once (a full evaluation)."""
    device_id, credential = enroll(client)
    device = ManagedDevice.objects.get(pk=device_id)
    group_device_add(group=personas.lyon, device=device, actor=None)
    made = Setup(
        device=device,
        credential=credential,
        policy=policy(personas.tenant, [personas.lyon], require_encryption=True),
        profile=wifi(personas.tenant, [personas.lyon]),
        app=debian(personas.tenant),
    )
    assign(made.app, personas.lyon, "required", personas.admin)
    quiet(client, made)
    return made


def quiet(client: Any, setup: Setup, **fact_changes: Any) -> dict[str, Any]:
    """A check-in with no inventory and no results; the answer, which must be a 200."""
    response = check_in(
        client, setup.credential, report(facts=facts(**fact_changes), inventory=None)
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def _statements(context: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in context.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_a_check_in_like_the_last_reads_nothing_assigned_and_answers_the_same(
    client, setup
) -> None:
    first = quiet(client, setup)
    with CaptureQueriesContext(connection) as context:
        second = quiet(client, setup, freeStorageSpaceInBytes=1_000)
    statements = _statements(context)
    # The credential, the locked device row (with whether actions wait), the device row written.
    assert len(statements) == 3, statements
    assert not [sql for sql in statements if sql.startswith('SELECT "fleet_deviceaction"')]
    assert not [sql for sql in statements if any(table in sql for table in CONTENT_TABLES)]
    for key in ("complianceState", "profiles", "apps", "deviceName"):
        assert second[key] == first[key]
    assert [p["name"] for p in second["profiles"]] == ["Office Wi-Fi"]
    assert [a["name"] for a in second["apps"]] == ["VLC"]
    assert second["complianceState"] == "compliant"
    stored = ManagedDevice.objects.get(pk=setup.device.pk)
    assert stored.free_storage_bytes == 1_000  # the facts are stored all the same
    assert stored.last_response == second


def test_a_quiet_check_in_still_takes_the_actions_waiting(client, setup, personas) -> None:
    quiet(client, setup)
    action = device_action_request(
        device=setup.device, action="syncDevice", parameters={}, actor=personas.admin
    )
    with CaptureQueriesContext(connection) as context:
        answer = quiet(client, setup)
    assert [a["actionId"] for a in answer["actions"]] == [action.pk]
    action.refresh_from_db()
    assert action.state == "active"
    # The credential, the locked device row, the actions, marking them delivered, the device.
    assert len(_statements(context)) == 5, _statements(context)
    assert [a["actionId"] for a in quiet(client, setup)["actions"]] == [action.pk]  # until done


def test_results_in_a_report_are_stored_whatever_the_basis(client, setup) -> None:
    answer = quiet(client, setup)
    profile = answer["profiles"][0]
    body = report(
        facts=facts(),
        inventory=None,
        profileResults=[{"profileId": profile["profileId"], "version": profile["version"],
                         "state": "failed", "detail": "no such interface"}],
    )  # fmt: skip
    assert check_in(client, setup.credential, body).status_code == 200
    status = setup.profile.device_statuses.get(device=setup.device)
    assert (status.status, status.detail) == ("failed", "no such interface")


# Each case: what changes (through the service an administrator's page uses), and what the next
# quiet check-in must then answer.
Change = Callable[[Any, Setup], None]


def _new_policy(personas: Any, setup: Setup) -> None:
    policy(personas.tenant, [personas.lyon], name="Newer OS", os_minimum_version="13")


def _policy_edited(personas: Any, setup: Setup) -> None:
    compliance_policy_update(policy=setup.policy, actor=personas.admin, os_minimum_version="13")


def _profile_edited(personas: Any, setup: Setup) -> None:
    profile_update(
        profile=setup.profile,
        name="Office Wi-Fi",
        platform="Linux",
        settings={"ssid": "Lakeside-5G", "security": "wpa2Personal", "hidden": False},
        actor=personas.admin,
    )


def _profile_deleted(personas: Any, setup: Setup) -> None:
    profile_delete(profile=setup.profile, actor=personas.admin)


def _app_edited(personas: Any, setup: Setup) -> None:
    mobile_app_update(app=setup.app, actor=personas.admin, version="3.1")


def _app_unassigned(personas: Any, setup: Setup) -> None:
    app_assignment_delete(assignment=setup.app.assignments.get(), actor=personas.admin)


def _nested_group(personas: Any, setup: Setup) -> None:
    # A group with its own profile, which the device reaches once its office is nested in it.
    region = Group.objects.get(tenant=personas.tenant, display_name="Region")
    group_member_add(group=region, member=personas.lyon, actor=None)


def _device_group(personas: Any, setup: Setup) -> None:
    region = Group.objects.get(tenant=personas.tenant, display_name="Region")
    group_device_add(group=region, device=setup.device, actor=None)


def _left_group(personas: Any, setup: Setup) -> None:
    group_member_remove(group=personas.all_staff, member=personas.lyon, actor=personas.admin)


def _region(personas: Any, setup: Setup) -> None:
    region = group_create(tenant=personas.tenant, display_name="Region", actor=None)
    wifi(personas.tenant, [region], name="Region Wi-Fi", ssid="Region")


def _all_staff_profile(personas: Any, setup: Setup) -> None:
    wifi(personas.tenant, [personas.all_staff], name="Staff Wi-Fi", ssid="Staff")


def _names(answer: dict[str, Any]) -> list[str]:
    return sorted(p["name"] for p in answer["profiles"])


CASES: list[tuple[str, Change | None, Change, Callable[[dict[str, Any]], bool]]] = [
    ("a new policy", None, _new_policy, lambda a: a["complianceState"] == "noncompliant"),
    ("a policy edited", None, _policy_edited, lambda a: a["complianceState"] == "noncompliant"),
    ("a profile edited", None, _profile_edited, lambda a: a["profiles"][0]["version"] == 2),
    ("a profile deleted", None, _profile_deleted, lambda a: a["profiles"] == []),
    ("an app edited", None, _app_edited, lambda a: a["apps"][0]["version"] == "3.1"),
    ("an app unassigned", None, _app_unassigned, lambda a: a["apps"] == []),
    (
        "the device's office nested in a group",
        _region,
        _nested_group,
        lambda a: _names(a) == ["Office Wi-Fi", "Region Wi-Fi"],
    ),
    (
        "the device added to a group",
        _region,
        _device_group,
        lambda a: _names(a) == ["Office Wi-Fi", "Region Wi-Fi"],
    ),
    (
        "the device's office leaving a group",
        _all_staff_profile,
        _left_group,
        lambda a: _names(a) == ["Office Wi-Fi"],
    ),
]


@pytest.mark.parametrize(
    ("prepare", "change", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_after_a_change_the_next_check_in_evaluates_afresh(
    client, setup, personas, prepare, change, expected
) -> None:
    if prepare is not None:
        prepare(personas, setup)
        quiet(client, setup)
    before = quiet(client, setup)
    assert not expected(before)
    change(personas, setup)
    assert expected(quiet(client, setup))


def test_a_changed_evaluated_fact_evaluates_afresh(client, setup) -> None:
    assert quiet(client, setup, isEncrypted=False)["complianceState"] == "noncompliant"
    assert quiet(client, setup, isEncrypted=True)["complianceState"] == "compliant"


def _age_the_grace_period(setup: Setup, days: int) -> None:
    """As if the device had failed ``days`` ago: what the clock would have done."""
    past = timezone.now() - timedelta(days=days)
    status = DeviceComplianceStatus.objects.get(device=setup.device)
    DeviceComplianceStatus.objects.filter(pk=status.pk).update(
        failing_since=past,
        grace_expires_at=past + (status.grace_expires_at - status.failing_since),
        reevaluate_at=past + (status.grace_expires_at - status.failing_since),
    )
    ManagedDevice.objects.filter(pk=setup.device.pk).update(
        checkin_basis_expires_at=past + (status.grace_expires_at - status.failing_since)
    )


def test_a_grace_period_that_ended_is_evaluated_at_the_next_quiet_check_in(
    client, setup, personas
) -> None:
    compliance_policy_update(policy=setup.policy, actor=personas.admin, grace_period_days=3)
    assert quiet(client, setup, isEncrypted=False)["complianceState"] == "inGracePeriod"
    assert quiet(client, setup, isEncrypted=False)["complianceState"] == "inGracePeriod"
    _age_the_grace_period(setup, days=4)
    assert quiet(client, setup, isEncrypted=False)["complianceState"] == "noncompliant"


def test_the_sweep_leaves_the_next_check_in_to_evaluate_afresh(client, setup, personas) -> None:
    compliance_policy_update(policy=setup.policy, actor=personas.admin, grace_period_days=3)
    quiet(client, setup, isEncrypted=False)
    _age_the_grace_period(setup, days=4)
    assert compliance_sweep() == 1
    device = ManagedDevice.objects.get(pk=setup.device.pk)
    assert (device.compliance_state, device.checkin_basis) == ("noncompliant", "")
    assert quiet(client, setup, isEncrypted=True)["complianceState"] == "compliant"
