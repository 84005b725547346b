"""Portal forms of apps and app protection. They parse input; the services validate it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from deskside.apps.choices import (
    AppPlatform,
    AppType,
    DetectionType,
    InstallIntent,
    ManagementLevel,
    ProtectionPlatform,
)
from deskside.apps.models import MobileApp
from deskside.core.forms import add_service_errors
from deskside.directory.models import Group

DETECTION_NONE = ""


class AppForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=1000, required=False, widget=forms.Textarea
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    platform = forms.ChoiceField(label=_("Platform"), choices=AppPlatform.choices)
    app_type = forms.ChoiceField(
        label=_("App type"),
        choices=AppType.choices,
        help_text=_(
            "Debian package: package name, optional version. Script: install script, detection "
            "rule, uninstall script. MSI: product code and installer URL. PKG: bundle id and "
            "installer URL. Store apps: store URL and bundle or package id. Web link: URL."
        ),
    )
    version = forms.CharField(label=_("Version"), max_length=100, required=False)
    package_name = forms.CharField(label=_("Package or bundle id"), max_length=200, required=False)
    url = forms.CharField(label=_("URL"), max_length=500, required=False)
    install_script = forms.CharField(
        label=_("Install script"), required=False, strip=False, widget=forms.Textarea
    )
    uninstall_script = forms.CharField(
        label=_("Uninstall script"), required=False, strip=False, widget=forms.Textarea
    )
    detection_type = forms.ChoiceField(
        label=_("Detection rule"),
        choices=[(DETECTION_NONE, _("None")), *DetectionType.choices],
        required=False,
    )
    detection_value = forms.CharField(
        label=_("File path or command to detect the app"), max_length=1000, required=False
    )

    def __init__(self, *args: Any, app: MobileApp | None = None, **kwargs: Any) -> None:
        if app is not None and "initial" not in kwargs:
            detection = app.detection or {}
            kwargs["initial"] = {
                **{name: getattr(app, name) for name in self.base_fields if hasattr(app, name)},
                "detection_type": detection.get("type", DETECTION_NONE),
                "detection_value": detection.get("path") or detection.get("command", ""),
            }
        super().__init__(*args, **kwargs)
        if app is not None:
            # Platform and type are fixed once the app exists.
            for name in ("platform", "app_type"):
                self.fields[name].disabled = True
                self.fields[name].required = False

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the services take it: a detection rule instead of its parts."""
        data = dict(self.cleaned_data)
        kind = data.pop("detection_type")
        value = data.pop("detection_value")
        key = "path" if kind == DetectionType.FILE_EXISTS else "command"
        data["detection"] = {"type": kind, key: value} if kind else None
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "detection" in error.error_dict:
            error.error_dict["detection_value"] = error.error_dict.pop("detection")
        add_service_errors(self, error)


class GroupChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Group) -> str:
        return obj.display_name


class AppAssignmentForm(forms.Form):
    group = GroupChoiceField(label=_("Group"), queryset=Group.objects.none())
    intent = forms.ChoiceField(label=_("Assignment type"), choices=InstallIntent.choices)

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class IntentForm(forms.Form):
    intent = forms.ChoiceField(label=_("Assignment type"), choices=InstallIntent.choices)


class ProtectionPolicyForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=1000, required=False, widget=forms.Textarea
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=ProtectionPlatform.choices)
    management_level = forms.ChoiceField(label=_("Target apps on"), choices=ManagementLevel.choices)
    apps = forms.CharField(
        label=_("Targeted apps"),
        widget=forms.Textarea,
        help_text=_("One bundle id (iOS) or package id (Android, Windows) per line."),
    )
    pin_required = forms.BooleanField(label=_("PIN for access"), required=False, initial=True)
    block_copy_paste_to_unmanaged = forms.BooleanField(
        label=_("Block copy-paste to unmanaged apps"), required=False, initial=True
    )
    block_backup = forms.BooleanField(label=_("Block backup"), required=False, initial=True)
    minimum_app_version = forms.CharField(
        label=_("Minimum app version"), max_length=64, required=False
    )
    offline_grace_period_minutes = forms.IntegerField(
        label=_("Offline grace period (minutes)"),
        initial=720,
        help_text=_(
            "How long the app works offline before it must check in again; also the window in "
            "which an app counts as checked in."
        ),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["platform"].disabled = True
            self.fields["platform"].required = False

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["apps"] = str(data["apps"]).splitlines()
        return data


class PolicyGroupForm(forms.Form):
    group = GroupChoiceField(label=_("Group"), queryset=Group.objects.none())

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class WipeRequestForm(forms.Form):
    """Whose app data to wipe, on which device (as the protected apps know it: its tag)."""

    user = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    device = forms.CharField(widget=forms.HiddenInput, max_length=200)

    @property
    def user_id(self) -> int:
        return int(self.cleaned_data["user"])
