from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deskside.apps.choices import (
    AppPlatform,
    AppType,
    FlaggedReason,
    InstallIntent,
    InstallState,
    ManagementLevel,
    ProtectionPlatform,
    WipeState,
)


class MobileApp(models.Model):
    """An app of the tenant's catalog (Graph's mobileApp). Which fields apply depends on the
    ``app_type``; the services validate them and blank the others (docs/apps.md)."""

    tenant = models.ForeignKey("directory.Tenant", on_delete=models.CASCADE, related_name="apps")
    display_name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=AppPlatform.choices)
    app_type = models.CharField(_("app type"), max_length=16, choices=AppType.choices)
    version = models.CharField(_("version"), max_length=100, blank=True)
    # debianPackage: the Debian package; androidStore: the package id; iosStore and macPkg: the
    # bundle id; windowsMsi: the product code.
    package_name = models.CharField(_("package or bundle id"), max_length=200, blank=True)
    # Store apps: the store page; windowsMsi and macPkg: the installer's download; webLink: the
    # link itself.
    url = models.URLField(_("URL"), max_length=500, blank=True)
    install_script = models.TextField(_("install script"), blank=True)
    uninstall_script = models.TextField(_("uninstall script"), blank=True)
    # script: {"type": "fileExists", "path": ...} or {"type": "commandSucceeds", "command": ...}
    detection = models.JSONField(_("detection rule"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified_at = models.DateTimeField(_("last modified"))

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "display_name", "platform"], name="apps_app_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class MobileAppAssignment(models.Model):
    """One group's intent for an app (Graph's mobileAppAssignment); a group appears once per app.
    Devices get the app through their own groups and their primary user's."""

    app = models.ForeignKey(MobileApp, on_delete=models.CASCADE, related_name="assignments")
    group = models.ForeignKey(
        "directory.Group", on_delete=models.CASCADE, related_name="app_assignments"
    )
    intent = models.CharField(_("assignment type"), max_length=32, choices=InstallIntent.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "group"], name="apps_assignment_once")
        ]
        indexes = [models.Index(fields=["group", "app"])]

    def __str__(self) -> str:
        return f"{self.app_id} {self.intent} for {self.group_id}"


class DeviceAppState(models.Model):
    """The install state of one app on one device (Graph's mobileAppInstallStatus).

    Made by the check-in when the app first reaches the device through an assignment; changed by
    the agent's results and by changes of the effective intent. ``intent`` is empty once no
    assignment reaches the device any more (the row stays, so a late result is still taken).
    """

    device = models.ForeignKey(
        "fleet.ManagedDevice", on_delete=models.CASCADE, related_name="app_states"
    )
    app = models.ForeignKey(MobileApp, on_delete=models.CASCADE, related_name="device_states")
    intent = models.CharField(
        _("assignment type"), max_length=32, choices=InstallIntent.choices, blank=True
    )
    # Required through one group and uninstall through another: resolved as required.
    conflict = models.BooleanField(_("conflicting assignments"), default=False)
    install_state = models.CharField(
        _("install state"), max_length=16, choices=InstallState.choices
    )
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=1000, blank=True)
    installed_version = models.CharField(_("installed version"), max_length=100, blank=True)
    last_modified_at = models.DateTimeField(_("last modified"))

    class Meta:
        # No default ordering: the check-in reads a device's states on every report.
        constraints = [models.UniqueConstraint(fields=["device", "app"], name="apps_state_once")]
        indexes = [models.Index(fields=["app", "install_state"])]

    def __str__(self) -> str:
        return f"{self.app_id} on {self.device_id}: {self.install_state}"


class DeviceInventoryItem(models.Model):
    """An application installed on a device, as its agent last listed it."""

    device = models.ForeignKey(
        "fleet.ManagedDevice", on_delete=models.CASCADE, related_name="inventory_items"
    )
    name = models.CharField(_("name"), max_length=300)
    version = models.CharField(_("version"), max_length=100, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)

    class Meta:
        # No default ordering: the check-in reads a device's whole inventory when it changes.
        constraints = [
            models.UniqueConstraint(
                fields=["device", "name", "version", "publisher"], name="apps_inventory_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class AppProtectionPolicy(models.Model):
    """An app protection policy (Graph's managedAppProtection): settings the protected apps
    enforce for the users of its groups, on one platform. Deployed when assigned to a group."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="app_protection_policies"
    )
    display_name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=ProtectionPlatform.choices)
    management_level = models.CharField(
        _("enrollment state"),
        max_length=16,
        choices=ManagementLevel.choices,
        default=ManagementLevel.UNSPECIFIED,
    )
    pin_required = models.BooleanField(_("PIN for access"), default=True)
    block_copy_paste_to_unmanaged = models.BooleanField(
        _("block copy-paste to unmanaged apps"), default=True
    )
    block_backup = models.BooleanField(_("block backup"), default=True)
    minimum_app_version = models.CharField(_("minimum app version"), max_length=64, blank=True)
    # Graph's periodOfflineBeforeAccessCheck. It is also the check-in window: an app whose last
    # sync is older has not checked in.
    offline_grace_period_minutes = models.PositiveIntegerField(
        _("offline grace period (minutes)"), default=720
    )
    groups = models.ManyToManyField(
        "directory.Group",
        through="AppProtectionAssignment",
        related_name="app_protection_policies",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified_at = models.DateTimeField(_("last modified"))

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "display_name"], name="apps_protection_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class ProtectedAppTarget(models.Model):
    """An app a protection policy targets, by its bundle id (iOS) or package id (Android,
    Windows) — Graph's managedMobileApp."""

    policy = models.ForeignKey(
        AppProtectionPolicy, on_delete=models.CASCADE, related_name="targets"
    )
    app_identifier = models.CharField(_("bundle or package id"), max_length=200)

    class Meta:
        ordering = ["app_identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "app_identifier"], name="apps_protection_target_once"
            )
        ]
        indexes = [models.Index(fields=["app_identifier"])]

    def __str__(self) -> str:
        return self.app_identifier


class AppProtectionAssignment(models.Model):
    """A group whose users a protection policy applies to (through nesting too)."""

    policy = models.ForeignKey(
        AppProtectionPolicy, on_delete=models.CASCADE, related_name="assignments"
    )
    group = models.ForeignKey(
        "directory.Group", on_delete=models.CASCADE, related_name="app_protection_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "group"], name="apps_protection_group_once")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} for {self.group_id}"


class AppRegistration(models.Model):
    """A protected app of a user on one device, as it last checked in (Graph's
    managedAppRegistration). Registrations arrive only through the app protection API."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="app_registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_registrations"
    )
    app_identifier = models.CharField(_("bundle or package id"), max_length=200)
    app_name = models.CharField(_("app"), max_length=200)
    app_version = models.CharField(_("app version"), max_length=64, blank=True)
    # The device as the app knows it: its tag (Graph's deviceTag) identifies it across syncs.
    device_tag = models.CharField(max_length=200)
    device_name = models.CharField(_("device name"), max_length=200)
    device_type = models.CharField(_("device type"), max_length=200, blank=True)
    platform = models.CharField(_("platform"), max_length=16, choices=ProtectionPlatform.choices)
    platform_version = models.CharField(_("platform version"), max_length=64, blank=True)
    # The enrolled device the app runs on, if any (with enrollment); None: without enrollment.
    managed_device = models.ForeignKey(
        "fleet.ManagedDevice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="app_registrations",
    )
    flagged_reasons = models.JSONField(_("flagged reasons"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sync_at = models.DateTimeField(_("last sync"))

    class Meta:
        ordering = ["app_name", "device_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "app_identifier", "device_tag"], name="apps_registration_once"
            )
        ]
        indexes = [models.Index(fields=["tenant", "-last_sync_at"])]

    def __str__(self) -> str:
        return f"{self.app_name} on {self.device_name}"

    @property
    def flagged_reason_labels(self) -> list[str]:
        """The flagged reasons' translated labels."""
        labels = dict(FlaggedReason.choices)
        return [str(labels.get(reason, reason)) for reason in self.flagged_reasons]


class AppWipeRequest(models.Model):
    """A selective wipe of a user's protected app data on one device (the device as the apps
    know it: its tag). Each protected app of that user on that device is a target; an app
    receives the wipe in the answer to its next check-in and reports the outcome."""

    tenant = models.ForeignKey(
        "directory.Tenant", on_delete=models.CASCADE, related_name="app_wipe_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_wipe_requests"
    )
    device_tag = models.CharField(max_length=200)
    device_name = models.CharField(_("device name"), max_length=200)
    state = models.CharField(
        _("status"), max_length=16, choices=WipeState.choices, default=WipeState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One pending request per user and device: a second would wipe nothing more.
            models.UniqueConstraint(
                fields=["user", "device_tag"],
                condition=models.Q(state="pending"),
                name="apps_wipe_pending_once",
            )
        ]
        indexes = [models.Index(fields=["tenant", "-requested_at"])]

    def __str__(self) -> str:
        return f"wipe {self.pk} of {self.user_id} on {self.device_name}"


class AppWipeTarget(models.Model):
    """One protected app of a wipe request, and what it reported."""

    request = models.ForeignKey(AppWipeRequest, on_delete=models.CASCADE, related_name="targets")
    app_identifier = models.CharField(_("bundle or package id"), max_length=200)
    app_name = models.CharField(_("app"), max_length=200)
    state = models.CharField(
        _("status"), max_length=16, choices=WipeState.choices, default=WipeState.PENDING
    )
    detail = models.CharField(_("detail"), max_length=1000, blank=True)
    # When the app first received the wipe in a check-in's answer.
    delivered_at = models.DateTimeField(_("received by the app"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)

    class Meta:
        ordering = ["app_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "app_identifier"], name="apps_wipe_target_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.app_identifier} of wipe {self.request_id}"
