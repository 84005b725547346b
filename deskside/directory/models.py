from __future__ import annotations

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from deskside.core.sealing import SealedTextField
from deskside.directory.choices import TenantStatus


def new_assignments_revision() -> int:
    """A revision no tenant had before: random (core/per_revision.py says why not a count)."""
    return secrets.randbits(62) + 1


class Tenant(models.Model):
    """An organization: its users, groups, devices and settings never mix with another tenant's."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TenantStatus.choices, default=TenantStatus.ACTIVE
    )
    require_operator_mfa = models.BooleanField(
        _("require a second factor for operators"), default=False
    )
    # Changes with what reaches the tenant's devices (group membership and nesting, compliance
    # policies, configuration profiles, apps and their assignments): a check-in whose evaluated
    # facts and this revision are what they were last time skips re-reading them
    # (fleet/checkin.py), and the assignments read at a revision are kept in the process
    # (core/per_revision.py). A new one is drawn by the services that make such changes.
    assignments_revision = models.PositiveBigIntegerField(
        default=new_assignments_revision, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class TenantDomain(models.Model):
    """A verified domain: users' e-mail addresses in it belong to the tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=(username or "").lower())


class User(AbstractBaseUser):
    """A person in a tenant's directory. Operators are users who hold a role assignment."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField(_("user principal name"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=200)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    surname = models.CharField(_("surname"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    account_enabled = models.BooleanField(_("account enabled"), default=True)
    has_license = models.BooleanField(_("licensed"), default=True)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = SealedTextField(blank=True, default="")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_counter = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        ordering = ["display_name", "email"]
        indexes = [
            models.Index(fields=["tenant", "display_name"]),
            models.Index(Lower("display_name"), name="directory_user_name_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.account_enabled

    @property
    def has_totp(self) -> bool:
        return self.totp_confirmed_at is not None


class Group(models.Model):
    """A static group: its members are users, other groups (nesting) and, later, devices."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="groups")
    display_name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "display_name"], name="directory_group_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class UserMembership(models.Model):
    """A user who is a direct member of a group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="user_memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="directory_user_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class GroupNesting(models.Model):
    """A group (child) that is a direct member of another group (parent)."""

    parent = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="parent_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="directory_nesting_once"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("child")), name="directory_nesting_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} in {self.parent_id}"


class GroupClosure(models.Model):
    """The transitive closure of nesting: ``descendant`` is ``ancestor`` or nested in it.

    Nesting may form a diamond, so each pair counts its paths; removing one nesting subtracts
    the paths it made and drops the pair at zero. Kept by the directory services only. With it,
    "all groups a user is in" and "all users in a group" are one join, whatever the depth.
    """

    ancestor = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="descendant_links")
    descendant = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="ancestor_links")
    paths = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "descendant"], name="directory_closure_once"
            )
        ]
        indexes = [models.Index(fields=["descendant", "ancestor"])]

    def __str__(self) -> str:
        return f"{self.descendant_id} under {self.ancestor_id} ({self.paths})"
