from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from deskside.core.sealing import SealedJSONField
from deskside.fleet.choices import OperatingSystem
from deskside.policies.choices import NoPolicyState, PolicyStatus, ProfileStatus, ProfileType


class ComplianceSettings(models.Model):
    """A tenant's compliance settings; a tenant without a row has the defaults (as Intune)."""

    tenant = models.OneToOneField(
        "directory.Tenant", on_delete=models.CASCADE, related_name="compliance_settings"
    )
    no_policy_state = models.CharField(
        _("mark devices with no compliance policy assigned as"),
        max_length=16,
        choices=NoPolicyState.choices,
        default=NoPolicyState.COMPLIANT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"compliance settings of {self.tenant_id}"


class CompliancePolicy(models.Model):
    """Rules on the facts a device reports at check-in (Graph's deviceCompliancePolicy).

    An empty version or a False requirement is no rule. ``grace_period_days``: a device that
    starts failing is in its grace period for that many days before it is not compliant.
    """

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="compliance_policies"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=OperatingSystem.choices)
    os_minimum_version = models.CharField(_("minimum OS version"), max_length=64, blank=True)
    os_maximum_version = models.CharField(_("maximum OS version"), max_length=64, blank=True)
    require_encryption = models.BooleanField(_("require encryption"), default=False)
    require_firewall = models.BooleanField(_("require the firewall on"), default=False)
    require_screen_lock = models.BooleanField(_("require a screen lock"), default=False)
    minimum_agent_version = models.CharField(_("minimum agent version"), max_length=32, blank=True)
    max_days_since_check_in = models.PositiveIntegerField(
        _("last check-in at most this many days ago"), null=True, blank=True
    )
    grace_period_days = models.PositiveIntegerField(_("mark noncompliant after (days)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="policies_compliance_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class CompliancePolicyAssignment(models.Model):
    """A group a compliance policy is assigned to; ``excluded``: its members are left out even
    when another included group reaches them (Graph's exclusionGroupAssignmentTarget)."""

    policy = models.ForeignKey(
        CompliancePolicy, on_delete=models.CASCADE, related_name="assignments"
    )
    group = models.ForeignKey(
        "directory.Group", on_delete=models.CASCADE, related_name="compliance_policy_assignments"
    )
    excluded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "group"], name="policies_compliance_assignment_once"
            )
        ]
        indexes = [models.Index(fields=["group", "excluded"])]

    def __str__(self) -> str:
        return f"{self.policy_id} {'excludes' if self.excluded else 'includes'} {self.group_id}"


class DeviceComplianceStatus(models.Model):
    """One policy's status on one device (Graph's deviceComplianceDeviceStatus), with the
    settings that do not pass (``setting_states``: setting, state, expected, reported).

    ``failing_since``: when the policy started failing (the grace period runs from it);
    ``reevaluate_at``: when the status changes without a new check-in (end of the grace period,
    or an edit of the policy), for ``compliance_sweep``; ``overdue``: the last evaluation found
    the last check-in older than the policy allows; ``changed_at``: when it last changed.
    """

    policy = models.ForeignKey(
        CompliancePolicy, on_delete=models.CASCADE, related_name="device_statuses"
    )
    device = models.ForeignKey(
        "fleet.ManagedDevice", on_delete=models.CASCADE, related_name="compliance_statuses"
    )
    status = models.CharField(_("status"), max_length=16, choices=PolicyStatus.choices)
    setting_states = models.JSONField(default=list, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    grace_expires_at = models.DateTimeField(_("grace period ends"), null=True, blank=True)
    reevaluate_at = models.DateTimeField(null=True, blank=True, db_index=True)
    overdue = models.BooleanField(default=False)
    changed_at = models.DateTimeField(_("since"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "device"], name="policies_compliance_status_once"
            )
        ]
        indexes = [models.Index(fields=["policy", "status"])]

    def __str__(self) -> str:
        return f"{self.policy_id} on {self.device_id}: {self.status}"


class ConfigurationProfile(models.Model):
    """Settings delivered to devices (Graph's deviceConfiguration): Wi-Fi, VPN or custom.

    ``settings`` holds what may be shown; ``secret_settings`` (passphrases, keys) is write-only in
    the portal and only leaves the server in the check-in answer to an assigned device.
    ``version`` is raised at each edit, so the agent re-applies the profile.
    """

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="configuration_profiles"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=OperatingSystem.choices)
    profile_type = models.CharField(_("profile type"), max_length=16, choices=ProfileType.choices)
    settings = models.JSONField(default=dict, blank=True)
    secret_settings = SealedJSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="policies_profile_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class ProfileAssignment(models.Model):
    """A group a configuration profile is assigned to, or excluded from."""

    profile = models.ForeignKey(
        ConfigurationProfile, on_delete=models.CASCADE, related_name="assignments"
    )
    group = models.ForeignKey(
        "directory.Group", on_delete=models.CASCADE, related_name="profile_assignments"
    )
    excluded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "group"], name="policies_profile_assignment_once"
            )
        ]
        indexes = [models.Index(fields=["group", "excluded"])]

    def __str__(self) -> str:
        return f"{self.profile_id} {'excludes' if self.excluded else 'includes'} {self.group_id}"


class DeviceProfileStatus(models.Model):
    """One profile's status on one device at ``version`` (Graph's
    deviceConfigurationDeviceStatus): ``detail`` is the agent's reason for a failure or for
    not applying it; ``conflicts`` names the profiles it conflicts with."""

    profile = models.ForeignKey(
        ConfigurationProfile, on_delete=models.CASCADE, related_name="device_statuses"
    )
    device = models.ForeignKey(
        "fleet.ManagedDevice", on_delete=models.CASCADE, related_name="profile_statuses"
    )
    status = models.CharField(_("status"), max_length=16, choices=ProfileStatus.choices)
    version = models.PositiveIntegerField(_("version"))
    detail = models.CharField(_("detail"), max_length=1000, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    changed_at = models.DateTimeField(_("since"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "device"], name="policies_profile_status_once"
            )
        ]
        indexes = [models.Index(fields=["profile", "status"])]

    def __str__(self) -> str:
        return f"{self.profile_id} v{self.version} on {self.device_id}: {self.status}"
