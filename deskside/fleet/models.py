from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deskside.core.sealing import SealedJSONField
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
    hardware_id = models.CharField(_("hardware id"), max_length=200, blank=True)
    enrollment_method = models.CharField(max_length=24, blank=True)
    # The device's credential for check-ins: only a hash is kept; the agent holds the secret.
    credential_hash = models.CharField(max_length=64, blank=True, db_index=True)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    last_sync_at = models.DateTimeField(_("last check-in"), null=True, blank=True)
    # Facts from the last check-in; None where the agent could not tell (reported as unknown).
    is_encrypted = models.BooleanField(_("encrypted"), null=True, blank=True)
    firewall_enabled = models.BooleanField(_("firewall on"), null=True, blank=True)
    screen_lock_enabled = models.BooleanField(_("screen lock"), null=True, blank=True)
    free_storage_bytes = models.BigIntegerField(_("free storage"), null=True, blank=True)
    total_storage_bytes = models.BigIntegerField(_("total storage"), null=True, blank=True)
    # The last check-in's report id and answer: a retry of that report gets the same answer and
    # stores nothing again (fleet/checkin.py). Sealed: it holds the profiles' secrets; a cache,
    # so one no key opens any more reads as empty (the next check-in is a full one).
    last_report_id = models.UUIDField(null=True, blank=True)
    last_response = SealedJSONField(default=dict, blank=True, unreadable_is_empty=True)
    # What the last full evaluation was made from (a digest of the tenant's assignments revision,
    # the evaluated facts and the primary user), and the earliest time it goes stale by itself
    # (a grace period ending): a quiet check-in with the same basis before that time reuses it
    # (fleet/checkin.py). Emptied by whatever else re-evaluates the device.
    checkin_basis = models.CharField(max_length=32, blank=True, editable=False)
    checkin_basis_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
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


class EnrollmentSettings(models.Model):
    """A tenant's enrollment set-up: whether it is onboarded, which methods it supports, and the
    Apple push certificate that iOS/iPadOS enrollment needs."""

    tenant = models.OneToOneField(
        "directory.Tenant", on_delete=models.CASCADE, related_name="enrollment_settings"
    )
    management_authority_set = models.BooleanField(
        _("device management authority set"), default=False
    )
    allow_user_enrollment = models.BooleanField(_("user enrollment"), default=True)
    allow_bulk_enrollment = models.BooleanField(_("bulk enrollment"), default=True)
    allow_preprovisioned_enrollment = models.BooleanField(
        _("pre-provisioned enrollment"), default=True
    )
    apple_push_certificate_expires_at = models.DateTimeField(
        _("Apple push certificate expires"), null=True, blank=True
    )

    def __str__(self) -> str:
        return f"enrollment settings of {self.tenant_id}"


class EnrollmentRestriction(models.Model):
    """Limits on which devices may enroll. The highest-priority restriction assigned to a user's
    groups applies (priority 1 first); the tenant's default (``is_default``) applies last."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="enrollment_restrictions"
    )
    name = models.CharField(_("name"), max_length=200)
    priority = models.PositiveIntegerField(_("priority"), null=True, blank=True)
    is_default = models.BooleanField(default=False)
    blocked_platforms = models.JSONField(_("blocked platforms"), default=list, blank=True)
    # {"Windows": "10.0.19045", ...}: dotted versions per platform.
    min_os_versions = models.JSONField(_("minimum OS versions"), default=dict, blank=True)
    max_os_versions = models.JSONField(_("maximum OS versions"), default=dict, blank=True)
    block_personal = models.BooleanField(_("block personally owned devices"), default=False)
    blocked_manufacturers = models.JSONField(_("blocked manufacturers"), default=list, blank=True)
    device_limit = models.PositiveIntegerField(_("device limit per user"), default=5)
    groups = models.ManyToManyField(
        "directory.Group", related_name="enrollment_restrictions", blank=True
    )

    class Meta:
        ordering = ["is_default", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_default=True),
                name="fleet_one_default_restriction",
            ),
            models.UniqueConstraint(
                fields=["tenant", "priority"], name="fleet_restriction_priority_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BulkEnrollmentToken(models.Model):
    """A token in a provisioning package: enrolls devices without a user, until it expires.

    Only a hash is stored; the token is shown once, when it is made."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="bulk_tokens"
    )
    name = models.CharField(_("name"), max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class DeploymentProfile(models.Model):
    """How pre-provisioned devices enroll: which methods they may use."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="deployment_profiles"
    )
    name = models.CharField(_("name"), max_length=200)
    allowed_methods = models.JSONField(_("allowed methods"), default=list)
    active = models.BooleanField(_("active"), default=True)

    def __str__(self) -> str:
        return self.name


class PreprovisionedDevice(models.Model):
    """A hardware id an administrator registered ahead of enrollment (Autopilot's counterpart)."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="preprovisioned_devices"
    )
    hardware_id = models.CharField(_("hardware id"), max_length=200)
    serial_number = models.CharField(_("serial number"), max_length=128, blank=True)
    profile = models.ForeignKey(
        DeploymentProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "hardware_id"], name="fleet_preprovisioned_once"
            )
        ]

    def __str__(self) -> str:
        return self.hardware_id


class CorporateIdentifier(models.Model):
    """A serial number that declares a device corporate before it enrolls."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="corporate_identifiers"
    )
    serial_number = models.CharField(_("serial number"), max_length=128)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "serial_number"], name="fleet_corporate_identifier_once"
            )
        ]

    def __str__(self) -> str:
        return self.serial_number


class EnrollmentSession(models.Model):
    """An enrollment that has begun; it must be finished before it expires."""

    id = models.UUIDField(primary_key=True)
    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="enrollment_sessions"
    )
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.id)


class EnrollmentFailure(models.Model):
    """A refused enrollment, as the troubleshooting page lists it."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="enrollment_failures"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollment_failures",
    )
    started_at = models.DateTimeField(_("enrollment start"))
    operating_system = models.CharField(_("OS"), max_length=16)
    os_version = models.CharField(_("OS version"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=48)
    details = models.CharField(_("details"), max_length=500, blank=True)
    method = models.CharField(max_length=24)
    device_facts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["tenant", "user", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.reason} at {self.started_at:%Y-%m-%d %H:%M}"


# device actions and diagnostics (issue 3, docs/device-actions.md)


class DeviceActionType(models.TextChoices):
    """The remote actions, named as Graph's managedDevice actions; only the labels translate."""

    SYNC_DEVICE = "syncDevice", _("Sync")
    REBOOT_NOW = "rebootNow", _("Restart")
    REMOTE_LOCK = "remoteLock", _("Lock")
    SHUT_DOWN = "shutDown", _("Shut down")
    SET_DEVICE_NAME = "setDeviceName", _("Rename device")
    RETIRE = "retire", _("Retire")
    WIPE = "wipe", _("Wipe")
    COLLECT_DIAGNOSTICS = "collectDiagnostics", _("Collect diagnostics")


class DeviceActionState(models.TextChoices):
    """Graph's actionState: pending until the agent is given it, active until its result."""

    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Delivered")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")
    NOT_SUPPORTED = "notSupported", _("Not supported")


UNFINISHED_ACTION_STATES = (DeviceActionState.PENDING, DeviceActionState.ACTIVE)


class DeviceAction(models.Model):
    """One remote action an operator asked of a device: queued, given to the agent at its next
    check-in (or at once over its websocket), run once, and finished with the agent's result.

    Written only by the services in ``fleet/actions.py``."""

    device = models.ForeignKey(ManagedDevice, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(_("action"), max_length=32, choices=DeviceActionType.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=DeviceActionState.choices,
        default=DeviceActionState.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so the history stays readable once the operator is deleted.
    requested_by_label = models.CharField(_("requested by"), max_length=254, blank=True)
    requested_at = models.DateTimeField(_("requested"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    result_detail = models.CharField(_("result"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["device", "state"])]
        constraints = [
            # One unfinished action of a kind per device; the service says so in words first.
            models.UniqueConstraint(
                fields=["device", "action"],
                condition=models.Q(state__in=["pending", "active"]),
                name="fleet_device_action_unfinished_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} on {self.device_id}"

    @property
    def is_finished(self) -> bool:
        return self.state not in UNFINISHED_ACTION_STATES


class DiagnosticsBundle(models.Model):
    """The logs a device uploaded for a collectDiagnostics action: a tar.gz file under
    ``DESKSIDE_DIAGNOSTICS_DIR``, kept until ``expires_at`` (``deskside diagnostics-expire``)."""

    device = models.ForeignKey(
        ManagedDevice, on_delete=models.CASCADE, related_name="diagnostics_bundles"
    )
    action = models.OneToOneField(
        DeviceAction, on_delete=models.CASCADE, related_name="diagnostics_bundle"
    )
    # The file's name inside the diagnostics folder (a random name, never the agent's).
    file_name = models.CharField(max_length=100, unique=True)
    size_bytes = models.BigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"diagnostics of {self.device_id} ({self.uploaded_at:%Y-%m-%d %H:%M})"
