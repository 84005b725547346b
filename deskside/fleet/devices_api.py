"""Operators' API for devices and their actions (docs/device-actions.md).

Authentication is the portal session (ninja's session auth, which checks the CSRF token on
writes) of a licensed operator; every handler then asks the access check: a device out of scope
or in another tenant is a 404, a role too weak a 403. Input schemas forbid unknown fields; a
refusal is a 4xx whose detail names the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ConfigDict, Field

from deskside.access.checks import get_or_404, require, scope
from deskside.api.auth import LicensedOperator, operator_of
from deskside.fleet.actions import (
    READ_PERMISSION,
    DeviceActionRefused,
    action_permission,
    device_action_cancel,
    device_action_get,
    device_action_request,
)
from deskside.fleet.models import (
    DeviceAction,
    DeviceActionType,
    DiagnosticsBundle,
    ManagedDevice,
)

router = Router(tags=["devices"], auth=LicensedOperator())

ActionName = Literal[
    "syncDevice",
    "rebootNow",
    "remoteLock",
    "shutDown",
    "setDeviceName",
    "retire",
    "wipe",
    "collectDiagnostics",
]
assert set(ActionName.__args__) == set(DeviceActionType.values)  # type: ignore[attr-defined]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class DeviceNameIn(Strict):
    deviceName: str = Field(min_length=1, max_length=63)


class NoParametersIn(Strict):
    pass


class SetDeviceNameIn(Strict):
    action: Literal["setDeviceName"]
    parameters: DeviceNameIn


class OtherActionIn(Strict):
    action: Literal[
        "syncDevice",
        "rebootNow",
        "remoteLock",
        "shutDown",
        "retire",
        "wipe",
        "collectDiagnostics",
    ]
    parameters: NoParametersIn = Field(default_factory=NoParametersIn)


ActionIn = Annotated[SetDeviceNameIn | OtherActionIn, Field(discriminator="action")]


class DeviceOut(Schema):
    """A row of the device list (Graph's managedDevice names)."""

    id: int
    deviceName: str = Field(alias="device_name")
    managementAgent: str = Field(alias="management_agent")
    joinType: str = Field(alias="join_type")
    managedDeviceOwnerType: str = Field(alias="owner_type")
    complianceState: str = Field(alias="compliance_state")
    managementState: str = Field(alias="management_state")
    operatingSystem: str = Field(alias="operating_system")
    osVersion: str = Field(alias="os_version")
    lastSyncDateTime: datetime | None = Field(alias="last_sync_at")
    userPrincipalName: str | None
    userDisplayName: str | None

    @staticmethod
    def resolve_userPrincipalName(device: ManagedDevice) -> str | None:
        return device.primary_user.email if device.primary_user else None

    @staticmethod
    def resolve_userDisplayName(device: ManagedDevice) -> str | None:
        return device.primary_user.display_name if device.primary_user else None


class DeviceDetailOut(DeviceOut):
    """One device with its last reported facts."""

    serialNumber: str = Field(alias="serial_number")
    manufacturer: str
    model: str
    agentVersion: str = Field(alias="agent_version")
    enrolledDateTime: datetime | None = Field(alias="enrolled_at")
    isEncrypted: bool | None = Field(alias="is_encrypted")
    firewallEnabled: bool | None = Field(alias="firewall_enabled")
    screenLockEnabled: bool | None = Field(alias="screen_lock_enabled")
    freeStorageSpaceInBytes: int | None = Field(alias="free_storage_bytes")
    totalStorageSpaceInBytes: int | None = Field(alias="total_storage_bytes")


class DiagnosticsBundleOut(Schema):
    id: int
    sizeInBytes: int = Field(alias="size_bytes")
    sha256: str
    uploadedDateTime: datetime = Field(alias="uploaded_at")
    expiresDateTime: datetime = Field(alias="expires_at")


class DeviceActionOut(Schema):
    """An action with its state and result; the bundle of a collectDiagnostics, if uploaded."""

    id: int
    action: ActionName
    parameters: dict[str, Any]
    actionState: Literal["pending", "active", "done", "failed", "canceled", "notSupported"] = Field(
        alias="state"
    )
    requestedBy: str = Field(alias="requested_by_label")
    requestedDateTime: datetime = Field(alias="requested_at")
    deliveredDateTime: datetime | None = Field(alias="delivered_at")
    finishedDateTime: datetime | None = Field(alias="finished_at")
    resultDetail: str = Field(alias="result_detail")
    diagnosticsBundle: DiagnosticsBundleOut | None

    @staticmethod
    def resolve_diagnosticsBundle(action: DeviceAction) -> DiagnosticsBundle | None:
        return getattr(action, "diagnostics_bundle", None)


class ErrorOut(Schema):
    detail: str


def _device(request: HttpRequest, device_id: int, permission: str) -> ManagedDevice:
    """The device, if the operator may ``permission`` on it (404 hidden, 403 too weak)."""
    queryset = ManagedDevice.objects.select_related("primary_user")
    return get_or_404(queryset, operator_of(request), permission, pk=device_id)


def _refused(refusal: DeviceActionRefused) -> HttpError:
    return HttpError(refusal.status, f"{refusal.field}: {refusal.message}")


@router.get("", response=list[DeviceOut])
@paginate(PageNumberPagination, page_size=50)
def device_list(request: HttpRequest) -> QuerySet[ManagedDevice]:
    """The devices in the operator's scope, by name (50 a page: ``?page=2``)."""
    operator = operator_of(request)
    require(operator, READ_PERMISSION)
    devices = scope(ManagedDevice.objects.select_related("primary_user"), operator, READ_PERMISSION)
    return devices.order_by("device_name", "id")


@router.get("/{deviceId}", response={200: DeviceDetailOut, 403: ErrorOut, 404: ErrorOut})
def device_detail(request: HttpRequest, deviceId: int) -> ManagedDevice:
    """One device in the operator's scope, with its last reported facts."""
    return _device(request, deviceId, READ_PERMISSION)


@router.get(
    "/{deviceId}/actions", response={200: list[DeviceActionOut], 403: ErrorOut, 404: ErrorOut}
)
def action_list(request: HttpRequest, deviceId: int) -> list[DeviceAction]:
    """The device's actions, newest first (the latest 100)."""
    device = _device(request, deviceId, READ_PERMISSION)
    return list(device.actions.select_related("diagnostics_bundle")[:100])


@router.post(
    "/{deviceId}/actions",
    response={201: DeviceActionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def action_request(
    request: HttpRequest, deviceId: int, payload: ActionIn
) -> tuple[int, DeviceAction]:
    """Queue an action for the device; it reaches the agent at once if connected, else at its
    next check-in. Needs the action's RemoteTasks permission on the device."""
    permission = action_permission(payload.action)
    assert permission is not None
    device = _device(request, deviceId, permission)
    try:
        action = device_action_request(
            device=device,
            action=payload.action,
            parameters=payload.parameters.model_dump(),
            actor=operator_of(request),
            request=request,
        )
    except DeviceActionRefused as refusal:
        raise _refused(refusal) from refusal
    return 201, action


@router.post(
    "/{deviceId}/actions/{actionId}/cancel",
    response={200: DeviceActionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def action_cancel(request: HttpRequest, deviceId: int, actionId: int) -> DeviceAction:
    """Cancel a pending action (one not yet given to the device)."""
    action = device_action_get(device_id=deviceId, action_id=actionId)
    permission = action_permission(action.action)
    assert permission is not None
    require(operator_of(request), permission, action.device)
    try:
        action = device_action_cancel(action=action, actor=operator_of(request), request=request)
    except DeviceActionRefused as refusal:
        raise _refused(refusal) from refusal
    return action
