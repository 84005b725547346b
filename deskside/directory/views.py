from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.access.checks import get_or_404, scope
from deskside.access.decorators import operator_view
from deskside.core.forms import add_service_errors
from deskside.core.requests import PortalRequest
from deskside.directory import imports, selectors, services
from deskside.directory.forms import GroupForm, ImportForm, MemberForm, UserCreateForm, UserForm
from deskside.directory.models import Group, User

PAGE_SIZE = 50


def _user(request: PortalRequest, pk: int, permission: str) -> User:
    return get_or_404(User.objects.all(), request.user, permission, pk=pk)


def _group(request: PortalRequest, pk: int, permission: str) -> Group:
    return get_or_404(Group.objects.all(), request.user, permission, pk=pk)


@require_GET
@operator_view("Users.Read")
def user_list(request: PortalRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    users = selectors.user_search(
        queryset=scope(User.objects.all(), request.user, "Users.Read"), text=text
    ).order_by("display_name", "email")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": text, "query": f"q={text}" if text else ""}
    template = "directory/user_list.html#results" if request.htmx else "directory/user_list.html"
    return render(request, template, context)


@require_GET
@operator_view("Users.Read")
def user_detail(request: PortalRequest, pk: int) -> HttpResponse:
    user = _user(request, pk, "Users.Read")
    groups = selectors.group_list_for_user(user=user)
    return render(request, "directory/user_detail.html", {"subject": user, "groups": groups})


@require_http_methods(["GET", "POST"])
@operator_view("Organization.Update")
def user_create(request: PortalRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The user was created."))
            return redirect("directory:user_detail", pk=user.pk)
    status = 400 if form.errors else 200
    return render(request, "directory/user_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@operator_view("Organization.Update")
def user_edit(request: PortalRequest, pk: int) -> HttpResponse:
    user = _user(request, pk, "Organization.Update")
    initial = {name: getattr(user, name) for name in UserForm.base_fields}
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                user=user, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The user was saved."))
            return redirect("directory:user_detail", pk=user.pk)
    context = {"form": form, "subject": user}
    return render(request, "directory/user_form.html", context, status=400 if form.errors else 200)


@require_GET
@operator_view("Users.Read")
def group_list(request: PortalRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    groups = selectors.group_list(tenant_id=request.user.tenant_id, text=text)
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": text, "query": f"q={text}" if text else ""}
    return render(request, "directory/group_list.html", context)


@require_GET
@operator_view("Users.Read")
def group_detail(request: PortalRequest, pk: int) -> HttpResponse:
    group = _group(request, pk, "Users.Read")
    users, groups = selectors.group_members(group=group, operator=request.user)
    context = {"group": group, "users": users, "groups": groups, "member_form": MemberForm()}
    return render(request, "directory/group_detail.html", context)


@require_http_methods(["GET", "POST"])
@operator_view("Organization.Update")
def group_create(request: PortalRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                tenant=request.user.tenant, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group was created."))
            return redirect("directory:group_detail", pk=group.pk)
    status = 400 if form.errors else 200
    return render(request, "directory/group_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@operator_view("Organization.Update")
def group_edit(request: PortalRequest, pk: int) -> HttpResponse:
    group = _group(request, pk, "Organization.Update")
    initial = {"display_name": group.display_name, "description": group.description}
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(
                group=group, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group was saved."))
            return redirect("directory:group_detail", pk=group.pk)
    context = {"form": form, "group": group}
    return render(request, "directory/group_form.html", context, status=400 if form.errors else 200)


@require_POST
@operator_view("Organization.Update")
def group_delete(request: PortalRequest, pk: int) -> HttpResponse:
    group = _group(request, pk, "Organization.Update")
    services.group_delete(group=group, actor=request.user, request=request)
    messages.success(request, _("The group was deleted."))
    return redirect("directory:group_list")


def _member(request: PortalRequest, form: MemberForm) -> User | Group | None:
    """The user or group the form names, if it is in the operator's tenant."""
    tenant_id = request.user.tenant_id
    if form.cleaned_data["user_email"]:
        email = form.cleaned_data["user_email"].lower()
        return User.objects.filter(tenant_id=tenant_id, email=email).first()
    name = form.cleaned_data["group_name"].strip()
    return Group.objects.filter(tenant_id=tenant_id, display_name=name).first()


@require_POST
@operator_view("Organization.Update")
def group_member_add(request: PortalRequest, pk: int) -> HttpResponse:
    group = _group(request, pk, "Organization.Update")
    form = MemberForm(request.POST)
    member = _member(request, form) if form.is_valid() else None
    if form.is_valid() and member is None:
        form.add_error(None, _("No such user or group in this tenant."))
    if member is not None:
        try:
            services.group_member_add(
                group=group, member=member, actor=request.user, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The member was added."))
            return redirect("directory:group_detail", pk=group.pk)
    users, groups = selectors.group_members(group=group, operator=request.user)
    context = {"group": group, "users": users, "groups": groups, "member_form": form}
    return render(request, "directory/group_detail.html", context, status=400)


@require_POST
@operator_view("Organization.Update")
def group_member_remove(request: PortalRequest, pk: int, kind: str, member_pk: int) -> HttpResponse:
    group = _group(request, pk, "Organization.Update")
    model = User if kind == "user" else Group
    member = model.objects.filter(tenant_id=group.tenant_id, pk=member_pk).first()
    try:
        if member is None:
            raise ValidationError(_("This is not a member of the group."))
        services.group_member_remove(
            group=group, member=member, actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The member was removed."))
    return redirect("directory:group_detail", pk=group.pk)


def _import_page(request: PortalRequest, kind: str) -> HttpResponse:
    """The import pages' body; their views carry the Organization.Update guard."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        run = imports.users_import if kind == "users" else imports.groups_import
        try:
            report = run(
                tenant=request.user.tenant,
                upload=form.cleaned_data["file"],
                actor=request.user,
                request=request,
            )
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
    columns = imports.USER_COLUMNS if kind == "users" else imports.GROUP_COLUMNS
    context = {"form": form, "report": report, "kind": kind, "columns": ",".join(columns)}
    status = 400 if form.errors else 200
    return render(request, "directory/import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@operator_view("Organization.Update")
def user_import(request: PortalRequest) -> HttpResponse:
    return _import_page(request, "users")


@require_http_methods(["GET", "POST"])
@operator_view("Organization.Update")
def group_import(request: PortalRequest) -> HttpResponse:
    return _import_page(request, "groups")
