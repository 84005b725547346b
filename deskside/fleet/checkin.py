"""Check-in: store what the agent reports, in one transaction, and answer with what it must do.

The order inside the transaction (docs/agent-protocol.md): lock the device row; a retry of the last
report gets the stored answer and changes nothing; else the facts, the inventory, the results of
profiles, apps and actions are stored, compliance is evaluated on the new facts, and the answer
(actions to run, profiles and apps assigned now) is built and kept for a retry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from deskside.apps.selectors import device_apps_payload
from deskside.apps.services import device_app_results_record, device_inventory_record
from deskside.fleet.actions import device_action_results_record, device_actions_deliver
from deskside.fleet.enrollment import minimum_agent_version
from deskside.fleet.models import ManagedDevice
from deskside.fleet.reports import CheckInReport
from deskside.fleet.selectors import device_group_ids
from deskside.policies.selectors import device_profiles_payload
from deskside.policies.services import device_compliance_evaluate, device_profile_results_record

_FACT_FIELDS = (
    "device_name",
    "os_version",
    "serial_number",
    "manufacturer",
    "model",
    "is_encrypted",
    "firewall_enabled",
    "screen_lock_enabled",
    "free_storage_bytes",
    "total_storage_bytes",
)


class CheckInRefused(Exception):
    """The report cannot be taken as it is; ``field`` names the part that is wrong (a 422).

    Raised from inside the transaction, so nothing of the report is stored. The parts' check-in
    functions raise it too (an unknown profile, app or action id in a result)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@transaction.atomic
def device_check_in(
    *, device: ManagedDevice, report: CheckInReport, now: datetime | None = None
) -> dict[str, Any]:
    """Store one check-in of ``device`` and return the answer for its agent."""
    now = now or timezone.now()
    device = ManagedDevice.objects.select_for_update().get(pk=device.pk)
    if device.last_report_id == report.report_id:
        return dict(device.last_response)
    if report.facts.operating_system != device.operating_system:
        raise CheckInRefused(
            "facts.operatingSystem",
            "The operating system differs from the one the device enrolled with; enroll again.",
        )
    for name in _FACT_FIELDS:
        setattr(device, name, getattr(report.facts, name))
    device.agent_version = report.agent_version
    device.last_sync_at = now

    group_ids = device_group_ids(device=device)
    if report.inventory is not None:
        device_inventory_record(device=device, items=report.inventory, now=now)
    device_profile_results_record(
        device=device, group_ids=group_ids, results=report.profile_results, now=now
    )
    device_app_results_record(
        device=device, group_ids=group_ids, results=report.app_results, now=now
    )
    device_action_results_record(device=device, results=report.action_results, now=now)
    device.compliance_state = device_compliance_evaluate(
        device=device, group_ids=group_ids, now=now
    )

    answer = {
        "deviceId": device.pk,
        "deviceName": device.device_name,
        "complianceState": device.compliance_state,
        "checkInIntervalSeconds": settings.DESKSIDE_CHECKIN_SECONDS,
        "minimumAgentVersion": minimum_agent_version(),
        "actions": device_actions_deliver(device=device, now=now),
        "profiles": device_profiles_payload(device=device, group_ids=group_ids),
        "apps": device_apps_payload(device=device, group_ids=group_ids),
    }
    device.last_report_id = report.report_id
    device.last_response = answer
    device.save(
        update_fields=[
            *_FACT_FIELDS,
            "agent_version",
            "last_sync_at",
            "compliance_state",
            "last_report_id",
            "last_response",
        ]
    )
    return answer
