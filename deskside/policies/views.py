"""Portal pages of compliance policies and configuration profiles (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.access.checks import get_or_404, has_permission
from deskside.access.decorators import operator_view
from deskside.core.forms import add_service_errors
from deskside.core.requests import PortalRequest
from deskside.policies import selectors, services
from deskside.policies.choices import ProfileType
from deskside.policies.display import profile_settings_shown
from deskside.policies.forms import (
    PROFILE_FORMS,
    AssignmentForm,
    CompliancePolicyForm,
    ComplianceSettingsForm,
)
from deskside.policies.models import CompliancePolicy, ConfigurationProfile

# Either lets an operator change the tenant's compliance settings (as in Intune).
SETTINGS_PERMISSIONS = ("Organization.Update", "DeviceCompliancePolicies.Update")


def _policy(request: PortalRequest, pk: int, permission: str) -> CompliancePolicy:
    policies = selectors.compliance_policies_readable(operator=request.user)
    return get_or_404(policies, request.user, permission, pk=pk)


def _profile(request: PortalRequest, pk: int, permission: str) -> ConfigurationProfile:
    profiles = selectors.profiles_readable(operator=request.user)
    return get_or_404(profiles, request.user, permission, pk=pk)


def _status(form_errors: object) -> int:
    return 400 if form_errors else 200


@require_GET
@operator_view("DeviceCompliancePolicies.Read")
def compliance_list(request: PortalRequest) -> HttpResponse:
    policies = selectors.compliance_policy_list(operator=request.user)
    return render(request, "policies/compliance_list.html", {"policies": policies})


@require_http_methods(["GET", "POST"])
@operator_view("DeviceCompliancePolicies.Create")
def compliance_create(request: PortalRequest) -> HttpResponse:
    form = CompliancePolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.compliance_policy_create(
                tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The compliance policy was created. Assign it to groups."))
            return redirect("policies:compliance_assign", pk=policy.pk)
    context = {"form": form}
    return render(request, "policies/compliance_form.html", context, status=_status(form.errors))


@require_GET
@operator_view("DeviceCompliancePolicies.Read")
def compliance_detail(request: PortalRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk, "DeviceCompliancePolicies.Read")
    report = selectors.compliance_policy_report(
        operator=request.user,
        policy=policy,
        status=request.GET.get("status", ""),
        page_number=request.GET.get("page"),
    )
    query = f"status={report.status}" if report and report.status else ""
    context = {"policy": policy, "report": report, "query": query}
    return render(request, "policies/compliance_detail.html", context)


@require_http_methods(["GET", "POST"])
@operator_view("DeviceCompliancePolicies.Update")
def compliance_edit(request: PortalRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk, "DeviceCompliancePolicies.Update")
    initial = CompliancePolicyForm.initial_of(policy)
    form = CompliancePolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.compliance_policy_update(
                policy=policy, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The compliance policy was saved."))
            return redirect("policies:compliance_detail", pk=policy.pk)
    context = {"form": form, "policy": policy}
    return render(request, "policies/compliance_form.html", context, status=_status(form.errors))


@require_POST
@operator_view("DeviceCompliancePolicies.Delete")
def compliance_delete(request: PortalRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk, "DeviceCompliancePolicies.Delete")
    services.compliance_policy_delete(policy=policy, actor=request.user, request=request)
    messages.success(request, _("The compliance policy was deleted."))
    return redirect("policies:compliance_list")


@require_http_methods(["GET", "POST"])
@operator_view("DeviceCompliancePolicies.Assign")
def compliance_assign(request: PortalRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk, "DeviceCompliancePolicies.Assign")
    initial = AssignmentForm.initial_of(policy.assignments.all())
    form = AssignmentForm(request.POST or None, initial=initial, tenant_id=request.user.tenant_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.compliance_policy_assign(
                policy=policy, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assignments were saved."))
            return redirect("policies:compliance_detail", pk=policy.pk)
    context = {"form": form, "subject": policy, "detail_url": "policies:compliance_detail"}
    return render(request, "policies/assign_form.html", context, status=_status(form.errors))


@require_http_methods(["GET", "POST"])
@operator_view()
def compliance_settings(request: PortalRequest) -> HttpResponse:
    if not any(has_permission(request.user, code) for code in SETTINGS_PERMISSIONS):
        raise PermissionDenied(_("Your role does not allow this."))
    current = selectors.compliance_settings_of(tenant_id=request.user.tenant_id)
    initial = {"no_policy_state": current.no_policy_state}
    form = ComplianceSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.compliance_settings_update(
            tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, _("The compliance settings were saved."))
        return redirect("policies:compliance_settings")
    context = {"form": form, "settings": current}
    return render(
        request, "policies/compliance_settings.html", context, status=_status(form.errors)
    )


@require_GET
@operator_view("DeviceConfigurations.Read")
def profile_list(request: PortalRequest) -> HttpResponse:
    context = {"profiles": selectors.profile_list(operator=request.user), "types": ProfileType}
    return render(request, "policies/profile_list.html", context)


@require_http_methods(["GET", "POST"])
@operator_view("DeviceConfigurations.Create")
def profile_create(request: PortalRequest, profile_type: str) -> HttpResponse:
    form_class = PROFILE_FORMS.get(profile_type)
    if form_class is None:
        raise Http404(_("No such kind of profile."))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_create(
                tenant=request.user.tenant,
                profile_type=profile_type,
                settings=form.profile_settings(),
                secrets=form.profile_secrets(),
                actor=request.user,
                request=request,
                **form.common(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The profile was created. Assign it to groups."))
            return redirect("policies:profile_assign", pk=profile.pk)
    context = {"form": form, "type_label": ProfileType(profile_type).label}
    return render(request, "policies/profile_form.html", context, status=_status(form.errors))


@require_GET
@operator_view("DeviceConfigurations.Read")
def profile_detail(request: PortalRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk, "DeviceConfigurations.Read")
    report = selectors.profile_report(
        operator=request.user,
        profile=profile,
        status=request.GET.get("status", ""),
        page_number=request.GET.get("page"),
    )
    query = f"status={report.status}" if report and report.status else ""
    settings = profile_settings_shown(profile)
    context = {"profile": profile, "report": report, "query": query, "settings": settings}
    return render(request, "policies/profile_detail.html", context)


@require_http_methods(["GET", "POST"])
@operator_view("DeviceConfigurations.Update")
def profile_edit(request: PortalRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk, "DeviceConfigurations.Update")
    form_class = PROFILE_FORMS[profile.profile_type]
    initial = form_class.initial_of(profile)
    form = form_class(request.POST or None, initial=initial, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                profile=profile,
                settings=form.profile_settings(),
                secrets=form.profile_secrets(),
                clear_secrets=form.secrets_to_clear(),
                actor=request.user,
                request=request,
                **form.common(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("policies:profile_detail", pk=profile.pk)
    context = {"form": form, "profile": profile, "type_label": profile.get_profile_type_display()}
    return render(request, "policies/profile_form.html", context, status=_status(form.errors))


@require_POST
@operator_view("DeviceConfigurations.Delete")
def profile_delete(request: PortalRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk, "DeviceConfigurations.Delete")
    services.profile_delete(profile=profile, actor=request.user, request=request)
    messages.success(request, _("The profile was deleted."))
    return redirect("policies:profile_list")


@require_http_methods(["GET", "POST"])
@operator_view("DeviceConfigurations.Assign")
def profile_assign(request: PortalRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk, "DeviceConfigurations.Assign")
    initial = AssignmentForm.initial_of(profile.assignments.all())
    form = AssignmentForm(request.POST or None, initial=initial, tenant_id=request.user.tenant_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_assign(
                profile=profile, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assignments were saved."))
            return redirect("policies:profile_detail", pk=profile.pk)
    context = {"form": form, "subject": profile, "detail_url": "policies:profile_detail"}
    return render(request, "policies/assign_form.html", context, status=_status(form.errors))
