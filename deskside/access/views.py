from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.access import selectors, services
from deskside.access.checks import get_or_404, operator_grants, permissions_of
from deskside.access.decorators import operator_view
from deskside.access.forms import AssignmentForm, RoleForm
from deskside.access.models import Role, RoleAssignment
from deskside.core.forms import add_service_errors
from deskside.core.requests import PortalRequest


def _role(request: PortalRequest, pk: int, permission: str) -> Role:
    roles = selectors.roles_of_tenant(tenant_id=request.user.tenant_id)
    return get_or_404(roles.prefetch_related("permissions"), request.user, permission, pk=pk)


def _assignment(request: PortalRequest, pk: int, permission: str) -> RoleAssignment:
    queryset = selectors.assignment_list(operator=request.user)
    return get_or_404(queryset, request.user, permission, pk=pk)


@require_GET
@operator_view("Roles.Read")
def role_list(request: PortalRequest) -> HttpResponse:
    roles = selectors.role_list(operator=request.user)
    return render(request, "access/role_list.html", {"roles": roles})


@require_GET
@operator_view("Roles.Read")
def role_detail(request: PortalRequest, pk: int) -> HttpResponse:
    role = _role(request, pk, "Roles.Read")
    context = {
        "role": role,
        "permissions": selectors.role_permissions_by_resource(role=role),
        "assignments": selectors.assignments_of_role(role=role, operator=request.user),
    }
    return render(request, "access/role_detail.html", context)


@require_http_methods(["GET", "POST"])
@operator_view("Roles.Create")
def role_create(request: PortalRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_create(
                tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role was created."))
            return redirect("access:role_detail", pk=role.pk)
    return render(
        request, "access/role_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@operator_view("Roles.Update")
def role_edit(request: PortalRequest, pk: int) -> HttpResponse:
    role = _role(request, pk, "Roles.Update")
    initial = {
        "name": role.name,
        "description": role.description,
        "permissions": [p.code for p in role.permissions.all()],
    }
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(
                role=role, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role was saved."))
            return redirect("access:role_detail", pk=role.pk)
    context = {"form": form, "role": role}
    return render(request, "access/role_form.html", context, status=400 if form.errors else 200)


@require_POST
@operator_view("Roles.Delete")
def role_delete(request: PortalRequest, pk: int) -> HttpResponse:
    role = _role(request, pk, "Roles.Delete")
    try:
        services.role_delete(role=role, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("access:role_detail", pk=role.pk)
    messages.success(request, _("The role was deleted."))
    return redirect("access:role_list")


@require_GET
@operator_view("Roles.Read")
def assignment_list(request: PortalRequest) -> HttpResponse:
    assignments = selectors.assignment_list(operator=request.user)
    return render(request, "access/assignment_list.html", {"assignments": assignments})


@require_GET
@operator_view("Roles.Read")
def assignment_detail(request: PortalRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk, "Roles.Read")
    return render(request, "access/assignment_detail.html", {"assignment": assignment})


def _assignment_form_page(
    request: PortalRequest, assignment: RoleAssignment | None
) -> HttpResponse:
    initial = {}
    if assignment is not None:
        initial = {
            "name": assignment.name,
            "description": assignment.description,
            "role": assignment.role_id,
            "member_groups": list(assignment.member_groups.all()),
            "scope_kind": assignment.scope_kind,
            "scope_groups": list(assignment.scope_groups.all()),
        }
    form = AssignmentForm(request.POST or None, initial=initial, tenant=request.user.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            if assignment is None:
                assignment = services.role_assignment_create(
                    tenant=request.user.tenant,
                    actor=request.user,
                    request=request,
                    **form.cleaned_data,
                )
            else:
                services.role_assignment_update(
                    assignment=assignment, actor=request.user, request=request, **form.cleaned_data
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role assignment was saved."))
            return redirect("access:assignment_detail", pk=assignment.pk)
    context = {"form": form, "assignment": assignment}
    return render(
        request, "access/assignment_form.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@operator_view("Roles.Assign")
def assignment_create(request: PortalRequest) -> HttpResponse:
    return _assignment_form_page(request, None)


@require_http_methods(["GET", "POST"])
@operator_view("Roles.Assign")
def assignment_edit(request: PortalRequest, pk: int) -> HttpResponse:
    return _assignment_form_page(request, _assignment(request, pk, "Roles.Assign"))


@require_POST
@operator_view("Roles.Assign")
def assignment_delete(request: PortalRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk, "Roles.Assign")
    services.role_assignment_delete(assignment=assignment, actor=request.user, request=request)
    messages.success(request, _("The role assignment was deleted."))
    return redirect("access:assignment_list")


@require_GET
@operator_view()
def my_access(request: PortalRequest) -> HttpResponse:
    context = {
        "assignments": selectors.assignments_of_operator(operator=request.user),
        "permissions": permissions_of(request.user),
        "grant_count": len(operator_grants(request.user).items),
    }
    return render(request, "access/my_access.html", context)
