"""Portal pages of the fleet: the device list and the device page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from deskside.access.decorators import operator_view
from deskside.apps.selectors import devices_app_install_attach
from deskside.core.requests import PortalRequest
from deskside.fleet import selectors
from deskside.fleet.charts import COMPLIANCE_FILLS, by_choice
from deskside.fleet.choices import ComplianceState, OperatingSystem
from deskside.fleet.export import device_csv_lines, device_csv_name
from deskside.fleet.forms import METHOD_LABELS, DeviceFilterForm
from deskside.fleet.services import devices_export_record

PAGE_SIZE = 50


@require_GET
@operator_view("ManagedDevices.Read")
def device_list(request: PortalRequest) -> HttpResponse:
    form = DeviceFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "fleet/device_list.html", {"form": form}, status=400)
    devices = selectors.device_list(operator=request.user, filters=form.filters())
    page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    devices_app_install_attach(operator=request.user, devices=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    context["sort_links"] = form.sort_links(request.GET)
    context["may_export"] = selectors.may_export_devices(operator=request.user)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "fleet/device_list.html#results", context)
    counts = selectors.device_counts(operator=request.user)
    context["counts"] = counts
    context["compliance_chart"] = by_choice(
        counts.by_compliance, ComplianceState.choices, COMPLIANCE_FILLS
    )
    context["os_chart"] = by_choice(counts.by_os, OperatingSystem.choices)
    return render(request, "fleet/device_list.html", context)


@require_GET
@operator_view(selectors.DEVICE_REPORTS)
def device_export(request: PortalRequest) -> HttpResponse | StreamingHttpResponse:
    """The device list, with the list's filters and order, as a CSV file (audited)."""
    form = DeviceFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors_text(), status=400, content_type="text/plain")
    devices = selectors.device_export(operator=request.user, filters=form.filters())
    devices_export_record(
        actor=request.user, filters=form.used(), count=devices.count(), request=request
    )
    lines = device_csv_lines(devices, operator=request.user)
    response = StreamingHttpResponse(lines, content_type="text/csv")
    file_name = device_csv_name(timezone.now())
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@require_GET
@operator_view("ManagedDevices.Read")
def device_detail(request: PortalRequest, pk: int) -> HttpResponse:
    device = selectors.device_for_page(operator=request.user, pk=pk)
    page = selectors.device_page(operator=request.user, device=device)
    context = {
        "device": device,
        "page": page,
        "method_label": METHOD_LABELS.get(device.enrollment_method, device.enrollment_method),
        "stale_minutes": int(selectors.stale_after().total_seconds() // 60),
        **page.sections,
    }
    return render(request, "fleet/device_detail.html", context)
