from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deskside.access.catalog import CATALOG, RESOURCE_LABELS
from deskside.access.choices import ScopeKind
from deskside.access.models import Role
from deskside.access.selectors import roles_of_tenant
from deskside.directory.models import Group, Tenant


class GroupedPermissionWidget(forms.CheckboxSelectMultiple):
    template_name = "access/_permission_widget.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        selected = set(value or [])
        context["resources"] = [
            (
                resource,
                RESOURCE_LABELS[resource],
                [
                    (f"{resource}.{action}", action, f"{resource}.{action}" in selected)
                    for action in actions
                ],
            )
            for resource, actions in CATALOG.items()
        ]
        return context


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=[(f"{r}.{a}", f"{r}.{a}") for r, actions in CATALOG.items() for a in actions],
        widget=GroupedPermissionWidget,
    )


class RoleChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Role) -> str:
        return obj.label


class AssignmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    role = RoleChoiceField(label=_("Role"), queryset=Role.objects.none())
    member_groups = forms.ModelMultipleChoiceField(
        label=_("Members (groups)"),
        queryset=Group.objects.none(),
        help_text=_("The users of these groups receive the role."),
    )
    scope_kind = forms.ChoiceField(label=_("Scope"), choices=ScopeKind.choices)
    scope_groups = forms.ModelMultipleChoiceField(
        label=_("Scope groups"),
        queryset=Group.objects.none(),
        required=False,
        help_text=_("With a scope of selected groups: the users and devices the role applies to."),
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(tenant=tenant).order_by("display_name")
        self.fields["role"].queryset = roles_of_tenant(tenant_id=tenant.pk).order_by(  # type: ignore[attr-defined]
            "-builtin_key", "name"
        )
        self.fields["member_groups"].queryset = groups  # type: ignore[attr-defined]
        self.fields["scope_groups"].queryset = groups  # type: ignore[attr-defined]
