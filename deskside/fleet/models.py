from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deskside.fleet.choices import (
    ComplianceState,
    JoinType,
    ManagementAgent,
    ManagementState,
    OperatingSystem,
    OwnerType,
)


class ManagedDevice(models.Model):
    """A device of a tenant, as its agent reports it (Graph's managedDevice).

    Enrollment, check-in and actions fill and change it through the fleet services.
    """

    tenant = models.ForeignKey("directory.Tenant", on_delete=models.CASCADE, related_name="devices")
    device_name = models.CharField(_("device name"), max_length=200)
    operating_system = models.CharField(_("OS"), max_length=16, choices=OperatingSystem.choices)
    os_version = models.CharField(_("OS version"), max_length=64, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=128, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=128, blank=True)
    model = models.CharField(_("model"), max_length=128, blank=True)
    primary_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    owner_type = models.CharField(
        _("ownership"), max_length=16, choices=OwnerType.choices, default=OwnerType.UNKNOWN
    )
    management_agent = models.CharField(
        _("managed by"),
        max_length=16,
        choices=ManagementAgent.choices,
        default=ManagementAgent.AGENT,
    )
    join_type = models.CharField(
        _("join type"), max_length=24, choices=JoinType.choices, default=JoinType.NONE
    )
    management_state = models.CharField(
        _("management state"),
        max_length=16,
        choices=ManagementState.choices,
        default=ManagementState.MANAGED,
    )
    compliance_state = models.CharField(
        _("compliance"),
        max_length=16,
        choices=ComplianceState.choices,
        default=ComplianceState.UNKNOWN,
    )
    agent_version = models.CharField(_("agent version"), max_length=32, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    last_sync_at = models.DateTimeField(_("last check-in"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["device_name"]
        indexes = [
            models.Index(fields=["tenant", "primary_user"]),
            models.Index(fields=["tenant", "serial_number"]),
        ]

    def __str__(self) -> str:
        return self.device_name


class DeviceMembership(models.Model):
    """A device that is a direct member of a directory group (read through the group closure)."""

    group = models.ForeignKey(
        "directory.Group", on_delete=models.CASCADE, related_name="device_memberships"
    )
    device = models.ForeignKey(
        ManagedDevice, on_delete=models.CASCADE, related_name="group_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "device"], name="fleet_device_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.device_id} in {self.group_id}"
