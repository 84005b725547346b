"""Portal pages of apps (MobileApps.*) and app protection (ManagedApps.*; policies are made,
changed and deleted with MobileApps.Create/Update/Delete, see docs/apps.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.access.checks import get_or_404
from deskside.access.decorators import operator_view
from deskside.apps import selectors, services, wipes
from deskside.apps.choices import AppPlatform, InstallState, WipeState
from deskside.apps.forms import (
    AppAssignmentForm,
    AppForm,
    IntentForm,
    PolicyGroupForm,
    ProtectionPolicyForm,
    WipeRequestForm,
)
from deskside.apps.models import AppProtectionPolicy, MobileApp, MobileAppAssignment
from deskside.core.forms import add_service_errors
from deskside.core.requests import PortalRequest
from deskside.directory.models import Group, User
from deskside.fleet.models import ManagedDevice

PAGE_SIZE = 50


def _app(request: PortalRequest, pk: int, permission: str) -> MobileApp:
    return get_or_404(MobileApp.objects.all(), request.user, permission, pk=pk)


def _policy(request: PortalRequest, pk: int, permission: str) -> AppProtectionPolicy:
    return get_or_404(AppProtectionPolicy.objects.all(), request.user, permission, pk=pk)


def _query(**params: str) -> str:
    """The page's filters for the pagination links."""
    return urlencode({key: value for key, value in params.items() if value})


@require_GET
@operator_view("MobileApps.Read")
def app_list(request: PortalRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    platform = request.GET.get("platform", "")
    platform = platform if platform in AppPlatform.values else ""
    apps = selectors.app_list(operator=request.user, text=text, platform=platform)
    page = Paginator(apps, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": text,
        "platform": platform,
        "platforms": AppPlatform.choices,
        "query": _query(q=text, platform=platform),
    }
    return render(request, "apps/app_list.html", context)


@require_http_methods(["GET", "POST"])
@operator_view("MobileApps.Create")
def app_create(request: PortalRequest) -> HttpResponse:
    form = AppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.mobile_app_create(
                tenant=request.user.tenant,
                actor=request.user,
                request=request,
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The app was added."))
            return redirect("apps:app_detail", pk=app.pk)
    status = 400 if form.errors else 200
    return render(request, "apps/app_form.html", {"form": form}, status=status)


def _app_page(
    request: PortalRequest,
    app: MobileApp,
    state: str = "",
    form: AppAssignmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The app's page (or, for htmx, its device states): properties, assignments with the
    assignment form, install state chart and the devices' states (of ``state`` only, if given)."""
    page = selectors.app_page(operator=request.user, app=app, state=state)
    page.states = Paginator(page.states, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "app": app,
        "view": page,
        "state": state,
        "query": _query(state=state),
        "assign_form": form or AppAssignmentForm(groups=page.groups),
    }
    template = "apps/app_detail.html#states" if request.htmx else "apps/app_detail.html"
    return render(request, template, context, status=status)


@require_GET
@operator_view("MobileApps.Read")
def app_detail(request: PortalRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, "MobileApps.Read")
    state = request.GET.get("state", "")
    return _app_page(request, app, state if state in InstallState.values else "")


@require_http_methods(["GET", "POST"])
@operator_view("MobileApps.Update")
def app_edit(request: PortalRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, "MobileApps.Update")
    form = AppForm(request.POST or None, app=app)
    if request.method == "POST" and form.is_valid():
        try:
            services.mobile_app_update(
                app=app, actor=request.user, request=request, **form.service_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The app was saved."))
            return redirect("apps:app_detail", pk=app.pk)
    context = {"form": form, "app": app}
    return render(request, "apps/app_form.html", context, status=400 if form.errors else 200)


@require_POST
@operator_view("MobileApps.Delete")
def app_delete(request: PortalRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, "MobileApps.Delete")
    services.mobile_app_delete(app=app, actor=request.user, request=request)
    messages.success(request, _("The app was deleted."))
    return redirect("apps:app_list")


@require_POST
@operator_view("MobileApps.Assign")
def app_assignment_add(request: PortalRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, "MobileApps.Assign")
    groups = selectors.group_choices(tenant_id=request.user.tenant_id)
    form = AppAssignmentForm(request.POST, groups=groups)
    if form.is_valid():
        try:
            services.app_assignment_create(
                app=app, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The app was assigned."))
            return redirect("apps:app_detail", pk=app.pk)
    return _app_page(request, app, form=form, status=400)


def _assignment(app: MobileApp, assignment_pk: int) -> MobileAppAssignment:
    found = app.assignments.select_related("group", "app").filter(pk=assignment_pk).first()
    if found is None:
        raise ValidationError({"assignment": _("This assignment no longer exists.")})
    return found


@require_POST
@operator_view("MobileApps.Assign")
def app_assignment_update(request: PortalRequest, pk: int, assignment_pk: int) -> HttpResponse:
    app = _app(request, pk, "MobileApps.Assign")
    form = IntentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"intent": _("Choose an assignment type.")})
        services.app_assignment_update(
            assignment=_assignment(app, assignment_pk),
            intent=form.cleaned_data["intent"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _app_page(request, app, status=400)
    messages.success(request, _("The assignment was changed."))
    return redirect("apps:app_detail", pk=app.pk)


@require_POST
@operator_view("MobileApps.Assign")
def app_assignment_remove(request: PortalRequest, pk: int, assignment_pk: int) -> HttpResponse:
    app = _app(request, pk, "MobileApps.Assign")
    try:
        assignment = _assignment(app, assignment_pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _app_page(request, app, status=400)
    services.app_assignment_delete(assignment=assignment, actor=request.user, request=request)
    messages.success(request, _("The assignment was removed."))
    return redirect("apps:app_detail", pk=app.pk)


@require_GET
@operator_view("ManagedDevices.Read")
def device_inventory(request: PortalRequest, device_pk: int) -> HttpResponse:
    device = get_or_404(
        ManagedDevice.objects.all(), request.user, "ManagedDevices.Read", pk=device_pk
    )
    text = request.GET.get("q", "")[:200]
    items = selectors.device_inventory(device=device, text=text)
    page = Paginator(items, 200).get_page(request.GET.get("page"))
    context = {"device": device, "page": page, "q": text, "query": _query(q=text)}
    return render(request, "apps/device_inventory.html", context)


# App protection ----------------------------------------------------------------------------


@require_GET
@operator_view("ManagedApps.Read")
def protection_list(request: PortalRequest) -> HttpResponse:
    policies = selectors.protection_policy_list(operator=request.user)
    page = Paginator(policies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "apps/protection_list.html", {"page": page, "query": ""})


@require_http_methods(["GET", "POST"])
@operator_view("MobileApps.Create")
def protection_create(request: PortalRequest) -> HttpResponse:
    form = ProtectionPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.protection_policy_create(
                tenant=request.user.tenant,
                actor=request.user,
                request=request,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The app protection policy was created."))
            return redirect("apps:protection_detail", pk=policy.pk)
    status = 400 if form.errors else 200
    return render(request, "apps/protection_form.html", {"form": form}, status=status)


def _policy_page(
    request: PortalRequest,
    policy: AppProtectionPolicy,
    form: PolicyGroupForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The policy's page: settings, targeted apps, groups and the group picker."""
    groups = selectors.group_choices(tenant_id=request.user.tenant_id)
    context = {
        "policy": policy,
        **selectors.protection_policy_detail(policy=policy),
        "group_form": form or PolicyGroupForm(groups=groups),
    }
    return render(request, "apps/protection_detail.html", context, status=status)


@require_GET
@operator_view("ManagedApps.Read")
def protection_detail(request: PortalRequest, pk: int) -> HttpResponse:
    return _policy_page(request, _policy(request, pk, "ManagedApps.Read"))


@require_http_methods(["GET", "POST"])
@operator_view("MobileApps.Update")
def protection_edit(request: PortalRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk, "MobileApps.Update")
    initial = selectors.protection_policy_initial(policy=policy)
    form = ProtectionPolicyForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.protection_policy_update(
                policy=policy, actor=request.user, request=request, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The app protection policy was saved."))
            return redirect("apps:protection_detail", pk=policy.pk)
    context = {"form": form, "policy": policy}
    status = 400 if form.errors else 200
    return render(request, "apps/protection_form.html", context, status=status)


@require_POST
@operator_view("MobileApps.Delete")
def protection_delete(request: PortalRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk, "MobileApps.Delete")
    services.protection_policy_delete(policy=policy, actor=request.user, request=request)
    messages.success(request, _("The app protection policy was deleted."))
    return redirect("apps:protection_list")


@require_POST
@operator_view("ManagedApps.Assign")
def protection_assign(request: PortalRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk, "ManagedApps.Assign")
    groups = selectors.group_choices(tenant_id=request.user.tenant_id)
    form = PolicyGroupForm(request.POST, groups=groups)
    if form.is_valid():
        try:
            services.protection_policy_assign(
                policy=policy, group=form.cleaned_data["group"], actor=request.user, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The policy was assigned."))
            return redirect("apps:protection_detail", pk=policy.pk)
    return _policy_page(request, policy, form, status=400)


@require_POST
@operator_view("ManagedApps.Assign")
def protection_unassign(request: PortalRequest, pk: int, group_pk: int) -> HttpResponse:
    policy = _policy(request, pk, "ManagedApps.Assign")
    group = Group.objects.filter(tenant_id=policy.tenant_id, pk=group_pk).first()
    try:
        if group is None:
            raise ValidationError({"group": _("The policy is not assigned to this group.")})
        services.protection_policy_unassign(
            policy=policy, group=group, actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _policy_page(request, policy, status=400)
    messages.success(request, _("The assignment was removed."))
    return redirect("apps:protection_detail", pk=policy.pk)


@require_GET
@operator_view("ManagedApps.Read")
def registration_list(request: PortalRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    registrations = selectors.registration_list(operator=request.user, text=text)
    page = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
    wipeable = selectors.wipeable_user_ids(
        operator=request.user, user_ids=(r.user_id for r in page)
    )
    context = {"page": page, "q": text, "query": _query(q=text), "wipeable": wipeable}
    return render(request, "apps/registration_list.html", context)


@require_GET
@operator_view("ManagedApps.Read")
def wipe_list(request: PortalRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in WipeState.values else ""
    wipes = selectors.wipe_request_list(operator=request.user, state=state)
    page = Paginator(wipes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "states": WipeState.choices,
        "query": _query(state=state),
        "cancelable": selectors.wipeable_user_ids(
            operator=request.user, user_ids=(w.user_id for w in page if w.state == "pending")
        ),
    }
    return render(request, "apps/wipe_list.html", context)


@require_http_methods(["GET", "POST"])
@operator_view("ManagedApps.Wipe")
def wipe_create(request: PortalRequest) -> HttpResponse:
    """Confirm, then ask for, a selective wipe of a user's app data on one device."""
    form = WipeRequestForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        form.add_error(None, _("Choose the user and device from the app registrations."))
        return render(request, "apps/wipe_confirm.html", {"form": form}, status=400)
    user = get_or_404(User.objects.all(), request.user, "ManagedApps.Wipe", pk=form.user_id)
    device_tag = form.cleaned_data["device"]
    status = 200
    if request.method == "POST":
        try:
            wipes.app_wipe_request(
                user=user, device_tag=device_tag, actor=request.user, request=request
            )
        except wipes.WipeRefused as refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        else:
            messages.success(request, _("The apps will wipe their data when they next check in."))
            return redirect("apps:wipe_list")
    candidates = selectors.wipe_candidates(user=user, device_tag=device_tag)
    if not candidates and status == 200:
        raise Http404(_("No protected app of this user is registered on this device."))
    context = {"form": form, "target_user": user, "candidates": candidates}
    return render(request, "apps/wipe_confirm.html", context, status=status)


@require_POST
@operator_view("ManagedApps.Wipe")
def wipe_cancel(request: PortalRequest, pk: int) -> HttpResponse:
    wipe = selectors.wipe_request_get(operator=request.user, pk=pk, permission="ManagedApps.Wipe")
    try:
        wipes.app_wipe_cancel(wipe=wipe, actor=request.user, request=request)
    except wipes.WipeRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The wipe was canceled."))
    return redirect("apps:wipe_list")
