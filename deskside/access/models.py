from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from deskside.access.catalog import ALL_PERMISSIONS, BUILTIN_ROLES
from deskside.access.choices import ScopeKind


class Role(models.Model):
    """A named set of permissions. Built-in roles (no tenant) are shared and read-only."""

    tenant = models.ForeignKey(
        "directory.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    builtin_key = models.CharField(max_length=48, blank=True, unique=True, null=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="access_role_unique_name"),
            models.CheckConstraint(
                condition=models.Q(tenant__isnull=True, builtin_key__isnull=False)
                | models.Q(tenant__isnull=False, builtin_key__isnull=True),
                name="access_role_builtin_xor_tenant",
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def is_builtin(self) -> bool:
        return self.builtin_key is not None

    @property
    def label(self) -> str:
        """The role's name in the reader's language for built-ins, as typed for custom roles."""
        if self.builtin_key in BUILTIN_ROLES:
            return str(BUILTIN_ROLES[self.builtin_key][0])
        return self.name

    @property
    def description_label(self) -> str:
        if self.builtin_key in BUILTIN_ROLES:
            return str(BUILTIN_ROLES[self.builtin_key][1])
        return self.description


class RolePermission(models.Model):
    """One permission of a role."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permissions")
    code = models.CharField(max_length=64, choices=[(code, code) for code in ALL_PERMISSIONS])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "code"], name="access_role_permission_once")
        ]

    def __str__(self) -> str:
        return self.code


class RoleAssignment(models.Model):
    """Gives a role to the users of the member groups, over the users and devices of its scope."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="role_assignments"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    member_groups = models.ManyToManyField(
        "directory.Group", related_name="role_assignments_as_member"
    )
    scope_kind = models.CharField(
        _("scope"), max_length=24, choices=ScopeKind.choices, default=ScopeKind.GROUPS
    )
    scope_groups = models.ManyToManyField(
        "directory.Group", related_name="role_assignments_as_scope", blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="access_assignment_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
