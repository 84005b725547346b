"""The check-in stays cheap: with nothing waiting, delivering actions and recording (no) results
cost one query together; with actions waiting the cost does not grow with their number."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from deskside.fleet.actions import (
    device_action_request,
    device_action_results_record,
    device_actions_deliver,
)
from deskside.fleet.models import DeviceAction, ManagedDevice
from deskside.fleet.reports import ActionResult
from deskside.fleet.tests.action_helpers import make_devices


def test_with_nothing_waiting_deliver_and_record_cost_one_query(
    personas, django_assert_max_num_queries
) -> None:
    device = make_devices(personas).anton
    with transaction.atomic(), django_assert_max_num_queries(1):
        device_action_results_record(device=device, results=[], now=timezone.now())
        assert device_actions_deliver(device=device, now=timezone.now()) == []


def test_delivering_many_actions_costs_two_queries(personas, django_assert_max_num_queries) -> None:
    device = make_devices(personas).anton
    for action in ("syncDevice", "remoteLock", "rebootNow", "collectDiagnostics"):
        device_action_request(device=device, action=action, parameters={}, actor=personas.admin)
    with transaction.atomic(), django_assert_max_num_queries(2):
        delivered = device_actions_deliver(device=device, now=timezone.now())
    assert len(delivered) == 4
    assert set(DeviceAction.objects.values_list("state", flat=True)) == {"active"}
    with transaction.atomic(), django_assert_max_num_queries(1):
        assert len(device_actions_deliver(device=device, now=timezone.now())) == 4


def test_recording_a_resent_result_writes_nothing(personas, django_assert_max_num_queries) -> None:
    device = make_devices(personas).anton
    queued = device_action_request(
        device=device, action="syncDevice", parameters={}, actor=personas.admin
    )
    DeviceAction.objects.filter(pk=queued.pk).update(state="done")
    device = ManagedDevice.objects.get(pk=device.pk)
    with transaction.atomic(), django_assert_max_num_queries(1):
        device_action_results_record(
            device=device, results=[ActionResult(queued.pk, "failed", "late")], now=timezone.now()
        )
    queued.refresh_from_db()
    assert queued.state == "done"
