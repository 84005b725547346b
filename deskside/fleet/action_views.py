"""Portal endpoints of device actions: request and cancel (htmx answers with the refreshed
actions section, ``fleet/_device_actions.html``), and the download of a diagnostics bundle.

htmx does not swap a 4xx answer into the page, so to an htmx request a refusal is the section
with the reason in it (200); without htmx it is the error page with the 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from deskside.access.checks import get_or_404, require
from deskside.access.decorators import operator_view
from deskside.core.requests import PortalRequest
from deskside.fleet.actions import (
    READ_PERMISSION,
    DeviceActionRefused,
    action_permission,
    actions_available,
    device_action_cancel,
    device_action_get,
    device_action_history,
    device_action_request,
)
from deskside.fleet.diagnostics import (
    diagnostics_bundle_get,
    diagnostics_bundle_open,
    diagnostics_download_name,
)
from deskside.fleet.models import DeviceActionType, ManagedDevice

DIAGNOSTICS_PERMISSION = "RemoteTasks.CollectDiagnostics"


def _answer(
    request: PortalRequest,
    device: ManagedDevice,
    notice: str,
    refusal: DeviceActionRefused | None = None,
) -> HttpResponse:
    if request.htmx:
        context = {
            "device": device,
            "device_actions": device_action_history(operator=request.user, device=device),
            "available_actions": actions_available(operator=request.user, device=device),
            "action_notice": "" if refusal else notice,
            "action_error": refusal.message if refusal else "",
        }
        return render(request, "fleet/_device_actions.html", context)
    if refusal:
        context = {"status": refusal.status, "message": refusal.message}
        return render(request, "core/error.html", context, status=refusal.status)
    messages.success(request, notice)
    return redirect("fleet:device_detail", pk=device.pk)


@require_POST
@operator_view()
def action_request(request: PortalRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    # An unknown action is refused by the service, after the device's ordinary access check.
    permission = action_permission(action) or READ_PERMISSION
    device = get_or_404(ManagedDevice.objects.all(), request.user, permission, pk=pk)
    parameters = {}
    if action == DeviceActionType.SET_DEVICE_NAME:
        parameters["deviceName"] = request.POST.get("deviceName", "").strip()
    try:
        device_action_request(
            device=device, action=action, parameters=parameters, actor=request.user, request=request
        )
    except DeviceActionRefused as refusal:
        return _answer(request, device, "", refusal)
    return _answer(request, device, _("The action was sent to the device."))


@require_POST
@operator_view()
def action_cancel(request: PortalRequest, pk: int, action_pk: int) -> HttpResponse:
    action = device_action_get(device_id=pk, action_id=action_pk)
    require(request.user, action_permission(action.action) or READ_PERMISSION, action.device)
    try:
        device_action_cancel(action=action, actor=request.user, request=request)
    except DeviceActionRefused as refusal:
        return _answer(request, action.device, "", refusal)
    return _answer(request, action.device, _("The action was canceled."))


@require_GET
@operator_view()
def diagnostics_download(request: PortalRequest, pk: int, bundle_pk: int) -> FileResponse:
    device = get_or_404(ManagedDevice.objects.all(), request.user, READ_PERMISSION, pk=pk)
    require(request.user, DIAGNOSTICS_PERMISSION, device)
    bundle = diagnostics_bundle_get(device=device, bundle_id=bundle_pk)
    handle = diagnostics_bundle_open(bundle=bundle, actor=request.user, request=request)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=diagnostics_download_name(bundle),
        content_type="application/gzip",
    )
