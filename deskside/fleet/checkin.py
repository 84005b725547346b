"""Check-in: store what the agent reports, in one transaction, and answer with what it must do.

The order inside the transaction (docs/agent-protocol.md): lock the device row; a retry of the last
report gets the stored answer and changes nothing; else the facts, the inventory, the results of
profiles, apps and actions are stored, compliance is evaluated on the new facts, and the answer
(actions to run, profiles and apps assigned now) is built and kept for a retry.

Most check-ins are quiet: no inventory, no results, and nothing the evaluation reads has changed.
The device keeps the basis of its last full evaluation (the tenant's assignments revision, the
evaluated facts, its primary user); a quiet check-in with the same basis, before a grace period
ends, stores the facts and takes the actions but keeps the statuses and the profiles and apps of
the last answer, in three fixed queries, four when actions wait (docs/agent-protocol.md, "Quiet
check-ins").
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from deskside.apps.selectors import device_apps_payload
from deskside.apps.services import device_app_results_record, device_inventory_record
from deskside.core.prepared import PreparedSelect, PreparedUpdate
from deskside.fleet.actions import (
    device_action_results_record,
    device_actions_deliver,
    unfinished_actions_exist,
)
from deskside.fleet.enrollment import minimum_agent_version
from deskside.fleet.models import ManagedDevice
from deskside.fleet.reports import CheckInReport
from deskside.fleet.selectors import device_group_ids
from deskside.policies.evaluation import EVALUATED_FACTS
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
_SAVED_FIELDS = (
    *_FACT_FIELDS,
    "agent_version",
    "last_sync_at",
    "compliance_state",
    "last_report_id",
    "last_response",
    "checkin_basis",
    "checkin_basis_expires_at",
)

# The device row, locked for the check-in, with its tenant's assignments revision and whether
# any action waits for it (most check-ins then need no query of the actions).
_LOCKED_DEVICE: PreparedSelect[ManagedDevice] = PreparedSelect(
    lambda device_id: (
        ManagedDevice.objects.select_for_update(of=("self",))
        .annotate(
            assignments_revision=F("tenant__assignments_revision"),
            actions_waiting=unfinished_actions_exist(),
        )
        .filter(pk=device_id)
    ),
    device_id=int,
)
_SAVE_DEVICE = PreparedUpdate(ManagedDevice, _SAVED_FIELDS)
# When the answer is the last one again (most quiet check-ins), it is not sealed and written again.
_SAVE_DEVICE_SAME_ANSWER = PreparedUpdate(
    ManagedDevice, [name for name in _SAVED_FIELDS if name != "last_response"]
)


class CheckInRefused(Exception):
    """The report cannot be taken as it is; ``field`` names the part that is wrong (a 422).

    Raised from inside the transaction, so nothing of the report is stored. The parts' check-in
    functions raise it too (an unknown profile, app or action id in a result)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _basis(device: ManagedDevice, revision: int) -> str:
    """What a full evaluation of the device is made from, as a digest."""
    parts = (revision, device.primary_user_id, *(getattr(device, f) for f in EVALUATED_FACTS))
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _is_quiet(device: ManagedDevice, report: CheckInReport, basis: str, now: datetime) -> bool:
    return (
        report.inventory is None
        and not report.profile_results
        and not report.app_results
        and not report.action_results
        and bool(device.last_response)
        and device.checkin_basis == basis
        and (device.checkin_basis_expires_at is None or now < device.checkin_basis_expires_at)
    )


def _evaluate(
    device: ManagedDevice, report: CheckInReport, now: datetime, revision: int
) -> dict[str, Any]:
    """The full check-in: store results, evaluate compliance, read what is assigned; returns the
    answer's profiles and apps. The tenant's assignments come from what the process keeps for
    ``revision`` (core/per_revision.py)."""
    group_ids = device_group_ids(device=device)
    if report.inventory is not None:
        device_inventory_record(device=device, items=report.inventory, now=now)
    device_profile_results_record(
        device=device,
        group_ids=group_ids,
        revision=revision,
        results=report.profile_results,
        now=now,
    )
    device_app_results_record(
        device=device, group_ids=group_ids, revision=revision, results=report.app_results, now=now
    )
    device_action_results_record(device=device, results=report.action_results, now=now)
    outcome = device_compliance_evaluate(
        device=device, group_ids=group_ids, revision=revision, now=now
    )
    device.compliance_state = outcome.state
    device.checkin_basis_expires_at = outcome.changes_at
    return {
        "profiles": device_profiles_payload(device=device, group_ids=group_ids, revision=revision),
        "apps": device_apps_payload(device=device, group_ids=group_ids, revision=revision),
    }


@transaction.atomic
def device_check_in(
    *, device: ManagedDevice, report: CheckInReport, now: datetime | None = None
) -> dict[str, Any]:
    """Store one check-in of ``device`` and return the answer for its agent."""
    now = now or timezone.now()
    locked = _LOCKED_DEVICE.first(device_id=device.pk)
    if locked is None:  # deleted since the credential was checked
        raise ManagedDevice.DoesNotExist
    device = locked
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

    revision = device.assignments_revision  # type: ignore[attr-defined]
    basis = _basis(device, revision)
    if _is_quiet(device, report, basis, now):
        assigned = {key: device.last_response[key] for key in ("profiles", "apps")}
    else:
        assigned = _evaluate(device, report, now, revision)
        device.checkin_basis = basis

    answer = {
        "deviceId": device.pk,
        "deviceName": device.device_name,
        "complianceState": device.compliance_state,
        "checkInIntervalSeconds": settings.DESKSIDE_CHECKIN_SECONDS,
        "minimumAgentVersion": minimum_agent_version(),
        "actions": (
            device_actions_deliver(device=device, now=now)
            if device.actions_waiting  # type: ignore[attr-defined]
            else []
        ),
        **assigned,
    }
    device.last_report_id = report.report_id
    save = _SAVE_DEVICE_SAME_ANSWER if answer == device.last_response else _SAVE_DEVICE
    device.last_response = answer
    save.run(pk=device.pk, values={name: getattr(device, name) for name in _SAVED_FIELDS})
    return answer
