"""Device actions: the queue, delivery to the agent, results (docs/device-actions.md).

An operator's request is queued as a ``DeviceAction`` (pending) and pushed to the agent's
websocket once the transaction commits; the agent's next check-in is given every unfinished
action (pending ones become active) until it reports a result, which finishes the action once.
The agent journals action ids, so an action given twice (a lost answer) still runs once.

Views and API handlers check the permission (``action_permission``) on the device with the access
check before they call the services here; the services validate, write and audit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deskside.access.checks import NOT_FOUND_MESSAGE, has_permission, scope
from deskside.audit.choices import Action, Outcome
from deskside.audit.services import audit_record
from deskside.core.prepared import PreparedSelect
from deskside.directory.models import User
from deskside.fleet.choices import ManagementState
from deskside.fleet.consumers import agent_notify_check_in, agent_notify_unenrolled
from deskside.fleet.models import (
    UNFINISHED_ACTION_STATES,
    DeviceAction,
    DeviceActionState,
    DeviceActionType,
    DiagnosticsBundle,
    ManagedDevice,
)
from deskside.fleet.reports import ActionResult

ACTION_PERMISSIONS: dict[str, str] = {
    DeviceActionType.SYNC_DEVICE: "RemoteTasks.SyncDevice",
    DeviceActionType.REBOOT_NOW: "RemoteTasks.RebootNow",
    DeviceActionType.REMOTE_LOCK: "RemoteTasks.RemoteLock",
    DeviceActionType.SHUT_DOWN: "RemoteTasks.ShutDown",
    DeviceActionType.SET_DEVICE_NAME: "RemoteTasks.SetDeviceName",
    DeviceActionType.RETIRE: "RemoteTasks.Retire",
    DeviceActionType.WIPE: "RemoteTasks.Wipe",
    DeviceActionType.COLLECT_DIAGNOSTICS: "RemoteTasks.CollectDiagnostics",
}
READ_PERMISSION = "ManagedDevices.Read"

# What the portal asks before it sends an action that ends the user's work or the management.
CONFIRMATIONS: dict[str, Promise] = {
    DeviceActionType.REBOOT_NOW: gettext_lazy(
        "The device restarts at once; unsaved work on it is lost."
    ),
    DeviceActionType.SHUT_DOWN: gettext_lazy(
        "The device shuts down at once and stays off until someone starts it."
    ),
    DeviceActionType.RETIRE: gettext_lazy(
        "The device leaves management: its company settings and apps are removed, its user's "
        "data stays, and it must be enrolled again to be managed."
    ),
    DeviceActionType.WIPE: gettext_lazy(
        "All data on the device is erased and it leaves management. This cannot be undone."
    ),
}

# The device leaves management: when one of these is done it is unenrolled.
_LEAVING: dict[str, str] = {
    DeviceActionType.RETIRE: ManagementState.RETIRE_PENDING,
    DeviceActionType.WIPE: ManagementState.WIPE_PENDING,
}
# One DNS label (RFC 1123): letters, digits and hyphens, not at either end, not only digits.
HOSTNAME = re.compile(r"(?![0-9]+\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
HISTORY_LIMIT = 50


class DeviceActionRefused(Exception):
    """The service will not do what was asked. ``field`` names what is wrong; ``status`` is 422
    for input that is invalid, 409 when the device's or action's state stands in the way."""

    def __init__(self, field: str, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def action_permission(action: str) -> str | None:
    """The permission an operator needs on the device to request (or cancel) ``action``."""
    return ACTION_PERMISSIONS.get(action)


def _clean_parameters(action: str, parameters: Any) -> dict[str, Any]:
    if not isinstance(parameters, dict):
        raise DeviceActionRefused("parameters", _("The parameters must be an object."), status=422)
    expected = {"deviceName"} if action == DeviceActionType.SET_DEVICE_NAME else set()
    unknown = sorted(set(parameters) - expected)
    if unknown:
        raise DeviceActionRefused(
            f"parameters.{unknown[0]}",
            _("This action takes no parameter named %(name)s.") % {"name": unknown[0]},
            status=422,
        )
    if action != DeviceActionType.SET_DEVICE_NAME:
        return {}
    name = parameters.get("deviceName")
    if not isinstance(name, str) or not HOSTNAME.fullmatch(name):
        raise DeviceActionRefused(
            "parameters.deviceName",
            _(
                "Enter a host name: 1 to 63 letters, digits and hyphens, not starting or ending "
                "with a hyphen, and not only digits."
            ),
            status=422,
        )
    return {"deviceName": name}


@transaction.atomic
def device_action_request(
    *,
    device: ManagedDevice,
    action: str,
    parameters: dict[str, Any],
    actor: User,
    request: HttpRequest | None = None,
) -> DeviceAction:
    """Queue ``action`` for ``device`` and push it to the agent once committed.

    Refused (``DeviceActionRefused``): an unknown action or invalid parameters (422); a device
    that is not enrolled, or is being retired or wiped; an unfinished action of the same kind
    (409). Retire and wipe put the device in retirePending / wipePending until their result.
    The caller has checked ``action_permission(action)`` on the device."""
    if action not in ACTION_PERMISSIONS:
        raise DeviceActionRefused("action", _("There is no such device action."), status=422)
    clean = _clean_parameters(action, parameters)
    # The device row's lock orders this against check-ins and other requests for the device.
    device = ManagedDevice.objects.select_for_update().get(pk=device.pk)
    if device.management_state == ManagementState.UNENROLLED:
        raise DeviceActionRefused("device", _("The device is not enrolled."))
    if device.management_state in _LEAVING.values():
        raise DeviceActionRefused(
            "device",
            _("The device is being retired or wiped; no other action can be sent to it."),
        )
    if DeviceAction.objects.filter(
        device=device, action=action, state__in=UNFINISHED_ACTION_STATES
    ).exists():
        raise DeviceActionRefused(
            "action",
            _("A %(action)s action is already waiting for this device; cancel it or wait for it.")
            % {"action": DeviceActionType(action).label},
        )
    queued = DeviceAction.objects.create(
        device=device,
        action=action,
        parameters=clean,
        requested_by=actor,
        requested_by_label=actor.email,
        requested_at=timezone.now(),
    )
    if action in _LEAVING:
        device.management_state = _LEAVING[action]
        device.save(update_fields=["management_state"])
    audit_record(
        action=Action.DEVICE_ACTION_REQUESTED,
        tenant=device.tenant,
        actor=actor,
        target=device,
        request=request,
        details={"actionId": queued.pk, "action": action, "parameters": clean},
    )
    transaction.on_commit(partial(agent_notify_check_in, device_id=device.pk))
    return queued


@transaction.atomic
def device_action_cancel(
    *, action: DeviceAction, actor: User, request: HttpRequest | None = None
) -> DeviceAction:
    """Cancel an action that was not given to the agent yet (pending); a canceled retire or wipe
    gives the device back its managed state. Refused (409) once the action was delivered."""
    device = ManagedDevice.objects.select_for_update().get(pk=action.device_id)
    action = DeviceAction.objects.select_for_update().get(pk=action.pk)
    if action.state != DeviceActionState.PENDING:
        raise DeviceActionRefused(
            "action",
            _("Only a pending action can be canceled; this one was delivered or has finished."),
        )
    action.state = DeviceActionState.CANCELED
    action.finished_at = timezone.now()
    action.save(update_fields=["state", "finished_at"])
    if _LEAVING.get(action.action) == device.management_state:
        device.management_state = ManagementState.MANAGED
        device.save(update_fields=["management_state"])
    audit_record(
        action=Action.DEVICE_ACTION_CANCELED,
        tenant=device.tenant,
        actor=actor,
        target=device,
        request=request,
        details={"actionId": action.pk, "action": action.action},
    )
    return action


def device_action_get(*, device_id: int, action_id: int) -> DeviceAction:
    """The action ``action_id`` of device ``device_id`` (with its device), or Http404; the
    caller then checks the action's permission on ``action.device``."""
    action = (
        DeviceAction.objects.select_related("device")
        .filter(device_id=device_id, pk=action_id)
        .first()
    )
    if action is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return action


# The check-in's hooks (fleet/checkin.py): inside its transaction, with the device row locked.


def device_action_results_record(
    *, device: ManagedDevice, results: list[ActionResult], now: datetime
) -> None:
    """Store the outcome of actions the agent ran: each unfinished action gets its final state
    once; a result for an action that already finished (a resent report) is ignored. A result
    for an action that is not this device's refuses the whole report (CheckInRefused)."""
    if not results:
        return
    # Imported here: the check-in module imports this one.
    from deskside.fleet.checkin import CheckInRefused

    actions = {
        action.pk: action
        for action in DeviceAction.objects.select_for_update().filter(
            device_id=device.pk, pk__in={result.action_id for result in results}
        )
    }
    for index, result in enumerate(results):
        if result.action_id not in actions:
            raise CheckInRefused(
                f"actionResults.{index}.actionId", "No such action for this device."
            )
    for result in results:
        action = actions[result.action_id]
        if not action.is_finished:
            _finish(device=device, action=action, result=result, now=now)


def _finish(
    *, device: ManagedDevice, action: DeviceAction, result: ActionResult, now: datetime
) -> None:
    action.state = result.state
    action.finished_at = now
    action.result_detail = result.detail[:1000]
    action.save(update_fields=["state", "finished_at", "result_detail"])
    done = result.state == DeviceActionState.DONE
    audit_record(
        action=Action.DEVICE_ACTION_FINISHED,
        outcome=Outcome.SUCCESS if done else Outcome.FAILURE,
        tenant=device.tenant,
        actor=None,
        actor_label=device.device_name,
        target=device,
        details={"actionId": action.pk, "action": action.action, "state": result.state},
    )
    if done and action.action == DeviceActionType.SET_DEVICE_NAME:
        # The check-in saves device_name from this instance after the hooks ran.
        device.device_name = action.parameters["deviceName"]
        ManagedDevice.objects.filter(pk=device.pk).update(device_name=device.device_name)
    elif done and action.action in _LEAVING:
        _unenroll(device=device, action=action, now=now)
    elif action.action in _LEAVING and device.management_state == _LEAVING[action.action]:
        device.management_state = ManagementState.MANAGED
        ManagedDevice.objects.filter(pk=device.pk).update(management_state=device.management_state)


def _unenroll(*, device: ManagedDevice, action: DeviceAction, now: datetime) -> None:
    """Retire or wipe done: the device leaves management and its credential stops working."""
    device.management_state = ManagementState.UNENROLLED
    device.credential_hash = ""
    ManagedDevice.objects.filter(pk=device.pk).update(
        management_state=device.management_state, credential_hash=""
    )
    DeviceAction.objects.filter(device_id=device.pk, state__in=UNFINISHED_ACTION_STATES).update(
        state=DeviceActionState.CANCELED,
        finished_at=now,
        result_detail="The device left management before this action ran.",
    )
    audit_record(
        action=Action.DEVICE_UNENROLLED,
        tenant=device.tenant,
        actor=None,
        actor_label=device.device_name,
        target=device,
        details={"actionId": action.pk, "action": action.action},
    )
    transaction.on_commit(partial(agent_notify_unenrolled, device_id=device.pk))


# Every check-in runs this query: kept compiled (core/prepared.py).
_UNFINISHED_ACTIONS: PreparedSelect[DeviceAction] = PreparedSelect(
    lambda device_id: (
        DeviceAction.objects.select_for_update()
        .filter(device_id=device_id, state__in=UNFINISHED_ACTION_STATES)
        .order_by("requested_at", "id")
    ),
    device_id=int,
)


def unfinished_actions_exist() -> Exists:
    """For a query of devices: whether an unfinished action waits for the device. The check-in
    reads it with the locked device row, and calls ``device_actions_deliver`` only when true."""
    return Exists(
        DeviceAction.objects.filter(device_id=OuterRef("pk"), state__in=UNFINISHED_ACTION_STATES)
    )


def device_actions_deliver(*, device: ManagedDevice, now: datetime) -> list[dict[str, Any]]:
    """The actions the device must run now: every unfinished one, oldest first; pending ones
    are marked delivered (active). One query when nothing waits."""
    if device.management_state == ManagementState.UNENROLLED:
        return []
    actions = list(_UNFINISHED_ACTIONS.objects(device_id=device.pk))
    pending = [action.pk for action in actions if action.state == DeviceActionState.PENDING]
    if pending:
        DeviceAction.objects.filter(pk__in=pending).update(
            state=DeviceActionState.ACTIVE, delivered_at=now
        )
    return [
        {"actionId": action.pk, "action": action.action, "parameters": action.parameters}
        for action in actions
    ]


# Reads for the device page's actions section (the device page contract).


def _device_permissions(
    *, operator: User, device: ManagedDevice, permissions: set[str]
) -> frozenset[str]:
    """Which of ``permissions`` the operator holds on ``device``: one query at most, through
    the access check's ``scope`` (none when the operator holds none of them anywhere)."""
    held = sorted(code for code in permissions if has_permission(operator, code))
    if not held:
        return frozenset()
    checks = {
        f"p{index}": Exists(scope(ManagedDevice.objects.filter(pk=device.pk), operator, code))
        for index, code in enumerate(held)
    }
    row = ManagedDevice.objects.filter(pk=device.pk).annotate(**checks).values(*checks).first()
    if row is None:
        return frozenset()
    return frozenset(code for index, code in enumerate(held) if row[f"p{index}"])


@dataclass(frozen=True)
class ActionHistoryItem:
    """One action in the device's history, with what this operator may do about it."""

    action: DeviceAction
    cancelable: bool
    # The diagnostics bundle this operator may download (None: none, expired, or not allowed).
    bundle: DiagnosticsBundle | None
    bundle_expired: bool


@dataclass(frozen=True)
class AvailableAction:
    """An action the operator may run on the device, as the portal offers it."""

    action: str
    label: Promise
    # Asked before sending (restart, shut down, retire, wipe); empty for the others.
    confirmation: Promise | str
    needs_name: bool
    # An action of this kind is already waiting for the device.
    waiting: bool


def device_action_history(*, operator: User, device: ManagedDevice) -> list[ActionHistoryItem]:
    """The device's latest actions, newest first, with their state and result; empty when the
    operator may not read the device. Two queries."""
    wanted = {READ_PERMISSION, *ACTION_PERMISSIONS.values()}
    permitted = _device_permissions(operator=operator, device=device, permissions=wanted)
    if READ_PERMISSION not in permitted:
        return []
    may_download = ACTION_PERMISSIONS[DeviceActionType.COLLECT_DIAGNOSTICS] in permitted
    now = timezone.now()
    items = []
    for action in DeviceAction.objects.filter(device_id=device.pk).select_related(
        "diagnostics_bundle"
    )[:HISTORY_LIMIT]:
        bundle = getattr(action, "diagnostics_bundle", None)
        expired = bundle is not None and bundle.expires_at <= now
        items.append(
            ActionHistoryItem(
                action=action,
                cancelable=action.state == DeviceActionState.PENDING
                and ACTION_PERMISSIONS[action.action] in permitted,
                bundle=bundle if may_download and not expired else None,
                bundle_expired=expired,
            )
        )
    return items


def actions_available(*, operator: User, device: ManagedDevice) -> list[AvailableAction]:
    """The actions this operator may run on this device now, in the catalog's order; none for a
    device that is not enrolled or is being retired or wiped. Two queries at most."""
    if device.management_state != ManagementState.MANAGED:
        return []
    permitted = _device_permissions(
        operator=operator, device=device, permissions=set(ACTION_PERMISSIONS.values())
    )
    if not permitted:
        return []
    waiting = set(
        DeviceAction.objects.filter(
            device_id=device.pk, state__in=UNFINISHED_ACTION_STATES
        ).values_list("action", flat=True)
    )
    return [
        AvailableAction(
            action=kind.value,
            label=kind.label,
            confirmation=CONFIRMATIONS.get(kind.value, ""),
            needs_name=kind == DeviceActionType.SET_DEVICE_NAME,
            waiting=kind.value in waiting,
        )
        for kind in DeviceActionType
        if ACTION_PERMISSIONS[kind.value] in permitted
    ]
