"""The check-in calls this part on every report: a fixed number of queries whatever the number
of assigned policies and profiles — the device's statuses of each kind when nothing changed
(the tenant's assignments are kept per revision, core/per_revision.py), the assignments once
more after they change, plus bulk writes of what changed — and the whole check-in stays within
its budget of about 15 queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.fleet.tests.checkins import check_in, facts, report
from deskside.policies.models import DeviceComplianceStatus
from deskside.policies.tests.helpers import checked_in, custom, policy, wifi

CHECK_IN_BUDGET = 15


@pytest.fixture
def assigned(client, enrolled, personas):  # type: ignore[no-untyped-def]
    def make(count: int) -> list[int]:
        profiles = []
        for number in range(count):
            policy(
                personas.tenant,
                [personas.lyon if number % 2 else personas.all_staff],
                name=f"Policy {number}",
                require_encryption=True,
                max_days_since_check_in=30,
                grace_period_days=2,
            )
            profiles.append(
                wifi(personas.tenant, [personas.lyon], name=f"Wi-Fi {number}", ssid=f"net-{number}")
            )
            custom(personas.tenant, [personas.lyon], {f"key.{number}": "1"}, name=f"C {number}")
        checked_in(client, enrolled.credential)
        return [profile.pk for profile in profiles]

    return make


def _policy_queries(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries if "policies_" in query["sql"]]


@pytest.mark.parametrize("count", [1, 10])
def test_an_unchanged_check_in_reads_the_device_statuses_only_and_writes_nothing(
    client, enrolled, assigned, count
) -> None:
    assigned(count)
    checked_in(client, enrolled.credential)
    with CaptureQueriesContext(connection) as context:
        response = check_in(client, enrolled.credential, report())
    assert response.status_code == 200
    assert len(response.json()["profiles"]) == 2 * count
    ours = _policy_queries(context)
    assert len(ours) == 2, ours
    assert "policies_deviceprofilestatus" in ours[0]
    assert "policies_devicecompliancestatus" in ours[1]
    assert all(sql.startswith("SELECT") for sql in ours)


def test_after_an_assignment_changes_the_next_check_in_reads_the_assignments_again(
    client, enrolled, assigned, personas
) -> None:
    assigned(1)
    checked_in(client, enrolled.credential)
    added = wifi(personas.tenant, [personas.all_staff], name="Added", ssid="added")
    with CaptureQueriesContext(connection) as context:
        response = check_in(client, enrolled.credential, report())
    assert response.status_code == 200
    assert added.pk in [profile["profileId"] for profile in response.json()["profiles"]]
    reads = [sql for sql in _policy_queries(context) if "assignment" in sql]
    assert len(reads) == 2, reads


def test_a_check_in_with_changes_writes_them_in_bulk(client, enrolled, assigned) -> None:
    profile_ids = assigned(10)
    results = [{"profileId": pk, "version": 1, "state": "succeeded"} for pk in profile_ids]
    with CaptureQueriesContext(connection) as context:
        response = check_in(
            client,
            enrolled.credential,
            report(facts=facts(isEncrypted=False), profileResults=results),
        )
    assert response.status_code == 200
    ours = _policy_queries(context)
    assert [sql.split()[0] for sql in ours] == ["SELECT", "UPDATE", "SELECT", "UPDATE"]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_few_changed_statuses_are_written_row_by_row_more_in_one_statement(
    client, enrolled, assigned, count
) -> None:
    assigned(count)  # each policy requires encryption: all change when the fact does
    with CaptureQueriesContext(connection) as context:
        response = check_in(client, enrolled.credential, report(facts=facts(isEncrypted=False)))
    assert response.status_code == 200
    updates = [
        sql
        for sql in _policy_queries(context)
        if sql.startswith("UPDATE") and "devicecompliancestatus" in sql
    ]
    assert len(updates) == (count if count <= 2 else 1), updates
    statuses = DeviceComplianceStatus.objects.filter(device=enrolled.device)
    assert set(statuses.values_list("status", flat=True)) == {"inGracePeriod"}
    assert statuses.count() == count


def test_the_whole_check_in_stays_within_its_budget(
    client, enrolled, assigned, django_assert_max_num_queries
) -> None:
    assigned(10)
    with django_assert_max_num_queries(CHECK_IN_BUDGET):
        response = check_in(client, enrolled.credential, report())
    assert response.status_code == 200
