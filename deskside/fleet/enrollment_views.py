"""Administrators' enrollment pages: settings, restrictions, bulk tokens, deployment profiles,
pre-provisioned devices, corporate identifiers, and the tenant's enrollment failures.

Reading needs ``EnrollmentProgram.Read``, changing ``EnrollmentProgram.Update``; a refused form is
shown again with a 400 and the message on the field it is about."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.access.checks import get_or_404
from deskside.access.decorators import operator_view
from deskside.core.forms import add_service_errors
from deskside.core.requests import PortalRequest
from deskside.fleet import enrollment_admin as admin
from deskside.fleet import selectors
from deskside.fleet.charts import BAD, by_choice
from deskside.fleet.failures import HELP, FailureReason
from deskside.fleet.forms import (
    METHOD_LABELS,
    BulkTokenForm,
    DeploymentProfileForm,
    EnrollmentSettingsForm,
    HardwareIdsForm,
    MoveForm,
    ProfileChoiceForm,
    RestrictionForm,
    SerialNumbersForm,
)
from deskside.fleet.models import (
    BulkEnrollmentToken,
    CorporateIdentifier,
    DeploymentProfile,
    EnrollmentRestriction,
    PreprovisionedDevice,
)

READ = "EnrollmentProgram.Read"
UPDATE = "EnrollmentProgram.Update"
PAGE_SIZE = 50

M = TypeVar("M", bound=Model)


def _update_target(request: PortalRequest, queryset: QuerySet[M], pk: int) -> M:
    return get_or_404(queryset, request.user, UPDATE, pk=pk)


def _status(form: Any) -> int:
    return 400 if form.errors else 200


# Settings


def _settings_page(request: PortalRequest, form: EnrollmentSettingsForm | None) -> HttpResponse:
    current = selectors.enrollment_settings_of(operator=request.user)
    if form is None:
        names = EnrollmentSettingsForm.base_fields
        form = EnrollmentSettingsForm(
            initial={name: getattr(current, name) for name in names} if current else None
        )
    expires = current.apple_push_certificate_expires_at if current else None
    context = {
        "current": current,
        "form": form,
        "methods": METHOD_LABELS,
        "certificate_expired": expires is not None and expires <= timezone.now(),
    }
    return render(request, "fleet/enrollment_settings.html", context, status=_status(form))


@require_GET
@operator_view(READ)
def settings(request: PortalRequest) -> HttpResponse:
    return _settings_page(request, None)


@require_POST
@operator_view(UPDATE)
def settings_update(request: PortalRequest) -> HttpResponse:
    form = EnrollmentSettingsForm(request.POST)
    if form.is_valid():
        admin.enrollment_settings_update(
            tenant=request.user.tenant,
            fields=form.settings_fields(),
            actor=request.user,
            request=request,
        )
        messages.success(request, _("The enrollment settings were saved."))
        return redirect("enrollment:settings")
    return _settings_page(request, form)


# Restrictions


@require_GET
@operator_view(READ)
def restriction_list(request: PortalRequest) -> HttpResponse:
    restrictions = list(selectors.restriction_list(operator=request.user))
    context = {
        "restrictions": restrictions,
        "has_default": any(item.is_default for item in restrictions),
        "ordered_count": sum(1 for item in restrictions if not item.is_default),
    }
    return render(request, "fleet/restriction_list.html", context)


@require_http_methods(["GET", "POST"])
@operator_view(UPDATE)
def restriction_create(request: PortalRequest) -> HttpResponse:
    form = RestrictionForm(request.POST or None, tenant=request.user.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            admin.enrollment_restriction_create(
                tenant=request.user.tenant,
                fields=form.restriction_fields(),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The restriction was created."))
            return redirect("enrollment:restriction_list")
    return render(request, "fleet/restriction_form.html", {"form": form}, status=_status(form))


@require_POST
@operator_view(UPDATE)
def restriction_default_create(request: PortalRequest) -> HttpResponse:
    try:
        admin.enrollment_restriction_create(
            tenant=request.user.tenant,
            fields=admin.RestrictionFields(name=_("Default")),
            is_default=True,
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        return _refused(request, error, "enrollment:restriction_list")
    messages.success(request, _("The default restriction was created."))
    return redirect("enrollment:restriction_list")


@require_http_methods(["GET", "POST"])
@operator_view(UPDATE)
def restriction_edit(request: PortalRequest, pk: int) -> HttpResponse:
    restriction = _update_target(request, EnrollmentRestriction.objects.all(), pk)
    form = RestrictionForm(
        request.POST or None,
        initial=RestrictionForm.initial_of(restriction),
        tenant=request.user.tenant,
        is_default=restriction.is_default,
    )
    if request.method == "POST" and form.is_valid():
        try:
            admin.enrollment_restriction_update(
                restriction=restriction,
                fields=form.restriction_fields(),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The restriction was saved."))
            return redirect("enrollment:restriction_list")
    context = {"form": form, "restriction": restriction}
    return render(request, "fleet/restriction_form.html", context, status=_status(form))


@require_POST
@operator_view(UPDATE)
def restriction_move(request: PortalRequest, pk: int) -> HttpResponse:
    restriction = _update_target(request, EnrollmentRestriction.objects.all(), pk)
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"priority": form.errors["priority"]})
        admin.enrollment_restriction_move(
            restriction=restriction,
            priority=form.cleaned_data["priority"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        return _refused(request, error, "enrollment:restriction_list", form)
    return redirect("enrollment:restriction_list")


@require_POST
@operator_view(UPDATE)
def restriction_delete(request: PortalRequest, pk: int) -> HttpResponse:
    restriction = _update_target(request, EnrollmentRestriction.objects.all(), pk)
    try:
        admin.enrollment_restriction_delete(
            restriction=restriction, actor=request.user, request=request
        )
    except ValidationError as error:
        return _refused(request, error, "enrollment:restriction_list")
    messages.success(request, _("The restriction was deleted."))
    return redirect("enrollment:restriction_list")


def _refused(
    request: PortalRequest, error: ValidationError, back: str, form: Any = None
) -> HttpResponse:
    """A refused one-button action: a 400 page that says why (naming the field), and the way
    back."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    fields = form.fields if form is not None else {}
    reasons = [
        (str(fields[name].label) if name in fields else "", message)
        for name, texts in by_field.items()
        for message in texts
    ]
    context = {"reasons": reasons, "back": reverse(back)}
    return render(request, "fleet/enrollment_refused.html", context, status=400)


# Bulk enrollment tokens


def _token_page(request: PortalRequest, form: BulkTokenForm) -> HttpResponse:
    context = {"tokens": selectors.bulk_token_list(operator=request.user), "form": form}
    return render(request, "fleet/token_list.html", context, status=_status(form))


@require_GET
@operator_view(READ)
def token_list(request: PortalRequest) -> HttpResponse:
    return _token_page(request, BulkTokenForm())


@require_POST
@operator_view(UPDATE)
def token_create(request: PortalRequest) -> HttpResponse:
    form = BulkTokenForm(request.POST)
    if form.is_valid():
        try:
            created = admin.bulk_token_create(
                tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            response = render(request, "fleet/token_created.html", {"created": created})
            patch_cache_control(response, no_store=True)
            return response
    return _token_page(request, form)


@require_POST
@operator_view(UPDATE)
def token_revoke(request: PortalRequest, pk: int) -> HttpResponse:
    token = _update_target(request, BulkEnrollmentToken.objects.all(), pk)
    admin.bulk_token_revoke(token=token, actor=request.user, request=request)
    messages.success(request, _("The token was revoked."))
    return redirect("enrollment:token_list")


# Deployment profiles


def _profile_page(request: PortalRequest, form: DeploymentProfileForm) -> HttpResponse:
    context = {
        "profiles": selectors.deployment_profile_list(operator=request.user),
        "form": form,
        "methods": METHOD_LABELS,
    }
    return render(request, "fleet/profile_list.html", context, status=_status(form))


@require_GET
@operator_view(READ)
def profile_list(request: PortalRequest) -> HttpResponse:
    return _profile_page(request, DeploymentProfileForm())


@require_POST
@operator_view(UPDATE)
def profile_create(request: PortalRequest) -> HttpResponse:
    form = DeploymentProfileForm(request.POST)
    if form.is_valid():
        try:
            admin.deployment_profile_create(
                tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The deployment profile was created."))
            return redirect("enrollment:profile_list")
    return _profile_page(request, form)


@require_http_methods(["GET", "POST"])
@operator_view(UPDATE)
def profile_edit(request: PortalRequest, pk: int) -> HttpResponse:
    profile = _update_target(request, DeploymentProfile.objects.all(), pk)
    initial = {"name": profile.name, "allowed_methods": profile.allowed_methods}
    initial["active"] = profile.active
    form = DeploymentProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            admin.deployment_profile_update(
                profile=profile, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The deployment profile was saved."))
            return redirect("enrollment:profile_list")
    context = {"form": form, "profile": profile}
    return render(request, "fleet/profile_form.html", context, status=_status(form))


# Pre-provisioned devices


def _preprovisioned_page(request: PortalRequest, form: HardwareIdsForm) -> HttpResponse:
    removed = request.GET.get("removed") == "1"
    devices = selectors.preprovisioned_device_list(operator=request.user, removed=removed)
    context = {
        "page": Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": "removed=1" if removed else "",
        "removed": removed,
        "form": form,
        "profiles": list(selectors.deployment_profile_list(operator=request.user)),
    }
    return render(request, "fleet/preprovisioned_list.html", context, status=_status(form))


@require_GET
@operator_view(READ)
def preprovisioned_list(request: PortalRequest) -> HttpResponse:
    return _preprovisioned_page(request, HardwareIdsForm(tenant=request.user.tenant))


@require_POST
@operator_view(UPDATE)
def preprovisioned_add(request: PortalRequest) -> HttpResponse:
    form = HardwareIdsForm(request.POST, tenant=request.user.tenant)
    if form.is_valid():
        try:
            report = admin.preprovisioned_devices_add(
                tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(added)d added, %(restored)d registered again, %(unchanged)d already there.")
                % vars(report),
            )
            return redirect("enrollment:preprovisioned_list")
    return _preprovisioned_page(request, form)


@require_POST
@operator_view(UPDATE)
def preprovisioned_assign(request: PortalRequest, pk: int) -> HttpResponse:
    device = _update_target(request, PreprovisionedDevice.objects.all(), pk)
    form = ProfileChoiceForm(request.POST, tenant=request.user.tenant)
    try:
        if not form.is_valid():
            raise ValidationError({"profile": form.errors["profile"]})
        admin.preprovisioned_device_assign(
            device=device, actor=request.user, request=request, **form.cleaned_data
        )
    except ValidationError as error:
        return _refused(request, error, "enrollment:preprovisioned_list", form)
    messages.success(request, _("The deployment profile was assigned."))
    return redirect("enrollment:preprovisioned_list")


@require_POST
@operator_view(UPDATE)
def preprovisioned_remove(request: PortalRequest, pk: int) -> HttpResponse:
    device = _update_target(request, PreprovisionedDevice.objects.all(), pk)
    try:
        admin.preprovisioned_device_remove(device=device, actor=request.user, request=request)
    except ValidationError as error:
        return _refused(request, error, "enrollment:preprovisioned_list")
    messages.success(request, _("The device was removed from pre-provisioning."))
    return redirect("enrollment:preprovisioned_list")


# Corporate identifiers


def _corporate_page(request: PortalRequest, form: SerialNumbersForm) -> HttpResponse:
    identifiers = selectors.corporate_identifier_list(operator=request.user)
    context = {
        "page": Paginator(identifiers, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form,
    }
    return render(request, "fleet/corporate_list.html", context, status=_status(form))


@require_GET
@operator_view(READ)
def corporate_list(request: PortalRequest) -> HttpResponse:
    return _corporate_page(request, SerialNumbersForm())


@require_POST
@operator_view(UPDATE)
def corporate_add(request: PortalRequest) -> HttpResponse:
    form = SerialNumbersForm(request.POST)
    if not form.is_valid():
        return _corporate_page(request, form)
    added, known = admin.corporate_identifiers_add(
        tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
    )
    messages.success(
        request,
        _("%(added)d added, %(known)d already listed.") % {"added": added, "known": known},
    )
    return redirect("enrollment:corporate_list")


@require_POST
@operator_view(UPDATE)
def corporate_remove(request: PortalRequest, pk: int) -> HttpResponse:
    identifier = _update_target(request, CorporateIdentifier.objects.all(), pk)
    admin.corporate_identifier_remove(identifier=identifier, actor=request.user, request=request)
    messages.success(request, _("The corporate identifier was removed."))
    return redirect("enrollment:corporate_list")


# Enrollment failures


@require_GET
@operator_view(READ)
def failure_list(request: PortalRequest) -> HttpResponse:
    failures = selectors.enrollment_failure_list(operator=request.user)
    counts = selectors.enrollment_failure_counts(failures=failures)
    page = Paginator(failures, PAGE_SIZE).get_page(request.GET.get("page"))
    titles = dict(FailureReason.choices)
    context = {
        "page": page,
        "rows": [(failure, titles.get(failure.reason, failure.reason)) for failure in page],
        "chart": by_choice(counts, FailureReason.choices, dict.fromkeys(counts, BAD)),
    }
    return render(request, "fleet/failure_list.html", context)


def _links(reason: str) -> list[tuple[str, str]]:
    """The remediation's links that lead to a page this deployment has."""
    links = []
    for link in HELP[reason].links if reason in HELP else ():
        try:
            links.append((str(link.label), reverse(link.url_name)))
        except NoReverseMatch:
            continue
    return links


@require_GET
@operator_view(READ)
def failure_detail(request: PortalRequest, pk: int) -> HttpResponse:
    failure = get_or_404(
        selectors.enrollment_failure_list(operator=request.user), request.user, READ, pk=pk
    )
    context = {
        "failure": failure,
        "title": dict(FailureReason.choices).get(failure.reason, failure.reason),
        "help": HELP.get(failure.reason),
        "links": _links(failure.reason),
        "method_label": METHOD_LABELS.get(failure.method, failure.method),
    }
    return render(request, "fleet/failure_detail.html", context)
