"""The check-in calls the apps part on every report, so its cost is pinned: a check-in where
nothing changed stays within the whole check-in's budget; when the check-in evaluates afresh
the apps part reads the device's states, and the tenant's assignments too after they changed
(they are kept per assignments revision, core/per_revision.py), whatever the number of apps; and
changes are written in bulk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deskside.apps.models import DeviceAppState
from deskside.apps.tests.helpers import answer_apps, assign, debian, ios, result, script
from deskside.directory.services import tenant_assignments_changed
from deskside.fleet.tests.checkins import check_in, facts, report

# The whole check-in (device lock, groups, profiles, apps, compliance, actions, save), the
# savepoint of the API's transaction included.
CHECK_IN_BUDGET = 15


def _apps_queries(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if '"apps_' in q["sql"]]


@pytest.fixture
def many_apps(personas, enrolled):  # type: ignore[no-untyped-def]
    apps = [debian(personas.tenant, name=f"Tool {n:02}", package=f"tool{n:02}") for n in range(30)]
    for n, app in enumerate(apps):
        intent = ("required", "available", "uninstall")[n % 3]
        assign(app, personas.lyon if n % 2 else personas.all_staff, intent, personas.admin)
    assign(apps[0], personas.lyon, "available", personas.admin)
    assign(script(personas.tenant), personas.lyon, "required", personas.admin)
    assign(ios(personas.tenant), personas.all_staff, "required", personas.admin)
    return apps


def test_a_check_in_where_nothing_changed_stays_within_the_budget(
    client, enrolled, many_apps, django_assert_max_num_queries
) -> None:
    answer_apps(client, enrolled.credential, inventory=[{"name": "vlc", "version": "3.0"}])
    with django_assert_max_num_queries(CHECK_IN_BUDGET):
        response = check_in(client, enrolled.credential, report(inventory=None))
    assert response.status_code == 200
    assert len(response.json()["apps"]) == 31


def test_the_apps_part_reads_twice_and_writes_nothing_when_nothing_changed(
    client, personas, enrolled, many_apps
) -> None:
    answer_apps(client, enrolled.credential)
    # Something else of the tenant changed: the check-in evaluates afresh (not a quiet one).
    tenant_assignments_changed(tenant_id=personas.tenant.pk)
    with CaptureQueriesContext(connection) as context:
        check_in(client, enrolled.credential, report(inventory=None))
    queries = _apps_queries(context)
    assert len(queries) == 2
    assert all(sql.lstrip().startswith("SELECT") for sql in queries)


def test_at_the_same_revision_the_apps_part_reads_the_device_states_only(
    client, enrolled, many_apps
) -> None:
    answer_apps(client, enrolled.credential)
    # A fact changed: the check-in evaluates afresh, the assignments are what they were.
    with CaptureQueriesContext(connection) as context:
        response = check_in(
            client, enrolled.credential, report(inventory=None, facts=facts(osVersion="12.9"))
        )
    assert len(response.json()["apps"]) == 31
    queries = _apps_queries(context)
    assert len(queries) == 1
    assert "apps_deviceappstate" in queries[0]


def test_the_first_delivery_and_a_batch_of_results_are_one_write_each(
    client, enrolled, many_apps
) -> None:
    with CaptureQueriesContext(connection) as context:
        answer_apps(client, enrolled.credential, inventory=None)
    writes = [sql for sql in _apps_queries(context) if not sql.lstrip().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].lstrip().startswith("INSERT")
    assert DeviceAppState.objects.filter(device=enrolled.device).count() == 32

    results = [result(app, "installed", version="1.0") for app in many_apps]
    with CaptureQueriesContext(connection) as context:
        answer_apps(client, enrolled.credential, inventory=None, appResults=results)
    writes = [sql for sql in _apps_queries(context) if not sql.lstrip().startswith("SELECT")]
    assert len(writes) == 1 and writes[0].lstrip().startswith("UPDATE")
    assert DeviceAppState.objects.filter(install_state="installed").count() == 30


def test_an_unchanged_inventory_is_read_once_and_not_written(client, enrolled) -> None:
    items = [{"name": f"package-{n}", "version": "1.0"} for n in range(500)]
    answer_apps(client, enrolled.credential, inventory=items)
    with CaptureQueriesContext(connection) as context:
        answer_apps(client, enrolled.credential, inventory=items)
    queries = [sql for sql in _apps_queries(context) if "apps_deviceinventoryitem" in sql]
    assert len(queries) == 1 and queries[0].lstrip().startswith("SELECT")
