"""Enums of apps and app protection, stored as Microsoft Graph's Intune values; only their labels
are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from deskside.fleet.choices import OperatingSystem

# An app's platform is one of the device platforms (Graph: the mobileApp subtype's platform).
AppPlatform = OperatingSystem


class AppType(models.TextChoices):
    """What the app is and how it is delivered (Graph: the mobileApp subtype)."""

    DEBIAN_PACKAGE = "debianPackage", _("Debian package")
    SCRIPT = "script", _("Script")
    WINDOWS_MSI = "windowsMsi", _("Windows installer (MSI)")
    MAC_PKG = "macPkg", _("macOS package (PKG)")
    IOS_STORE = "iosStore", _("iOS store app")
    ANDROID_STORE = "androidStore", _("Android store app")
    WEB_LINK = "webLink", _("Web link")


# The platforms an app type may be made for. Scripts run where the agent runs; a web link
# opens anywhere.
TYPE_PLATFORMS: dict[str, tuple[str, ...]] = {
    AppType.DEBIAN_PACKAGE: (OperatingSystem.LINUX,),
    AppType.SCRIPT: (OperatingSystem.LINUX, OperatingSystem.MACOS, OperatingSystem.WINDOWS),
    AppType.WINDOWS_MSI: (OperatingSystem.WINDOWS,),
    AppType.MAC_PKG: (OperatingSystem.MACOS,),
    AppType.IOS_STORE: (OperatingSystem.IOS,),
    AppType.ANDROID_STORE: (OperatingSystem.ANDROID,),
    AppType.WEB_LINK: tuple(OperatingSystem.values),
}


class DetectionType(models.TextChoices):
    """How a script app's agent tells whether the app is installed."""

    FILE_EXISTS = "fileExists", _("A file exists")
    COMMAND_SUCCEEDS = "commandSucceeds", _("A command succeeds")


class InstallIntent(models.TextChoices):
    """Graph's installIntent of a mobileAppAssignment."""

    REQUIRED = "required", _("Required")
    AVAILABLE = "available", _("Available for enrolled devices")
    UNINSTALL = "uninstall", _("Uninstall")
    AVAILABLE_WITHOUT_ENROLLMENT = "availableWithoutEnrollment", _("Available without enrollment")


# The intents that reach the agent; "available without enrollment" is for app protection only.
DEVICE_INTENTS = (InstallIntent.REQUIRED, InstallIntent.AVAILABLE, InstallIntent.UNINSTALL)


class InstallState(models.TextChoices):
    """Graph's resultantAppState of a mobileAppInstallStatus."""

    INSTALLED = "installed", _("Installed")
    FAILED = "failed", _("Failed")
    NOT_INSTALLED = "notInstalled", _("Not installed")
    PENDING_INSTALL = "pendingInstall", _("Install pending")
    UNINSTALL_FAILED = "uninstallFailed", _("Uninstall failed")
    NOT_APPLICABLE = "notApplicable", _("Not applicable")
    UNKNOWN = "unknown", _("No result yet")


# The states an agent may report (docs/agent-protocol.md); the others are the server's own.
REPORTED_STATES = (
    InstallState.INSTALLED,
    InstallState.FAILED,
    InstallState.NOT_INSTALLED,
    InstallState.UNINSTALL_FAILED,
    InstallState.NOT_APPLICABLE,
)
# States whose error code and detail are kept.
ERROR_STATES = (InstallState.FAILED, InstallState.UNINSTALL_FAILED)


class ProtectionPlatform(models.TextChoices):
    """The platforms of app protection policies (Graph: ios/android/windowsManagedAppProtection)."""

    IOS = "iOS", "iOS/iPadOS"
    ANDROID = "Android", "Android"
    WINDOWS = "Windows", "Windows"


class ManagementLevel(models.TextChoices):
    """Which apps a policy targets by their device's enrollment (Graph: appManagementLevel)."""

    UNSPECIFIED = "unspecified", _("All app types")
    MDM = "mdm", _("Apps on enrolled devices")
    UNMANAGED = "unmanaged", _("Apps on devices without enrollment")


class FlaggedReason(models.TextChoices):
    """Why an app registration is flagged (Graph: managedAppFlaggedReason)."""

    ROOTED_DEVICE = "rootedDevice", _("Rooted or jailbroken device")
    ANDROID_BOOTLOADER_UNLOCKED = "androidBootloaderUnlocked", _("Android bootloader unlocked")
    ANDROID_FACTORY_ROM_MODIFIED = "androidFactoryRomModified", _("Android factory ROM modified")


class WipeState(models.TextChoices):
    """A selective wipe request's state, and each of its apps' (Intune's app selective wipe)."""

    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


# What a protected app may report for its part of a wipe.
WIPE_REPORTED_STATES = (WipeState.SUCCEEDED, WipeState.FAILED)
