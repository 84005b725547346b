"""Forms of the fleet's portal pages: the device list's filters and the enrollment administration.

Forms parse and check the shape of input; the rules live in ``enrollment_admin`` (which the forms
call for the pasted lists, so the two never disagree)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from deskside.directory.models import Group, Tenant
from deskside.fleet.choices import ComplianceState, OperatingSystem, OwnerType
from deskside.fleet.enrollment import BULK_TOKEN, PREPROVISIONED, USER
from deskside.fleet.enrollment_admin import (
    DEVICE_LIMIT_MAX,
    DOTTED_VERSION,
    HardwareRow,
    RestrictionFields,
    SettingsFields,
    hardware_rows_parse,
    serial_numbers_parse,
    version_field,
)
from deskside.fleet.models import DeploymentProfile, EnrollmentRestriction
from deskside.fleet.selectors import DEVICE_SORTS, DeviceFilters

METHOD_LABELS = {
    USER: _("User enrollment"),
    BULK_TOKEN: _("Bulk enrollment token"),
    PREPROVISIONED: _("Pre-provisioned"),
}
ALL: list[tuple[str, Any]] = [("", _("All"))]


class DeviceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name, serial number or user"), required=False)
    os = forms.ChoiceField(label=_("OS"), choices=ALL + OperatingSystem.choices, required=False)
    compliance = forms.ChoiceField(
        label=_("Compliance"), choices=ALL + ComplianceState.choices, required=False
    )
    ownership = forms.ChoiceField(
        label=_("Ownership"), choices=ALL + OwnerType.choices, required=False
    )
    stale = forms.BooleanField(label=_("Not responding only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[(key, key) for key in DEVICE_SORTS]
        + [(f"-{key}", f"-{key}") for key in DEVICE_SORTS],
        required=False,
        widget=forms.HiddenInput,
    )

    def filters(self) -> DeviceFilters:
        data = self.cleaned_data
        sort = data["sort"] or "name"
        return DeviceFilters(
            text=data["q"][:200],
            operating_system=data["os"],
            compliance_state=data["compliance"],
            owner_type=data["ownership"],
            stale_only=data["stale"],
            sort=sort.lstrip("-"),
            descending=sort.startswith("-"),
        )

    def used(self) -> dict[str, str | bool]:
        """The filters that narrow or order the list, as the address names them (for the audit
        log)."""
        used = {name: value for name, value in self.cleaned_data.items() if value}
        if "q" in used:
            used["q"] = self.filters().text
        return used

    def errors_text(self) -> str:
        """What is wrong with the filters, one line per field, as plain text."""
        lines: list[str] = []
        for name, errors in self.errors.items():
            label = self.fields[name].label
            lines.extend(f"{label}: {error}" for error in errors)
        return "\n".join(lines) + "\n"

    def sort_links(self, query: QueryDict) -> dict[str, dict[str, str]]:
        """Per column: the query string that sorts by it (the other way when it is the current
        sort) and the arrow to show."""
        current = (self.cleaned_data.get("sort") if self.is_bound else "") or "name"
        links = {}
        for key in DEVICE_SORTS:
            params = query.copy()
            params.pop("page", None)
            params["sort"] = f"-{key}" if current == key else key
            arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
            links[key] = {"query": params.urlencode(), "arrow": arrow}
        return links


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class EnrollmentSettingsForm(forms.Form):
    management_authority_set = forms.BooleanField(
        label=_("Device management authority set"),
        required=False,
        help_text=_("Until it is set, every enrollment is refused (TenantNotOnboarded)."),
    )
    allow_user_enrollment = forms.BooleanField(label=METHOD_LABELS[USER], required=False)
    allow_bulk_enrollment = forms.BooleanField(label=METHOD_LABELS[BULK_TOKEN], required=False)
    allow_preprovisioned_enrollment = forms.BooleanField(
        label=METHOD_LABELS[PREPROVISIONED], required=False
    )
    apple_push_certificate_expires_at = forms.DateTimeField(
        label=_("Apple push certificate expires"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("iOS and iPadOS devices enroll only while it is valid (UTC)."),
    )

    def settings_fields(self) -> SettingsFields:
        return SettingsFields(**self.cleaned_data)


def _version_validator(value: str) -> None:
    if value and not DOTTED_VERSION.match(value):
        raise ValidationError(_("Enter a dotted version such as 10.0.19045."))


class RestrictionForm(forms.Form):
    """An enrollment restriction; the min/max version fields are made per platform."""

    name = forms.CharField(label=_("Name"), max_length=200)
    groups = forms.ModelMultipleChoiceField(
        label=_("Assigned groups"),
        queryset=Group.objects.none(),
        required=False,
        help_text=_("Users of these groups (directly or through nesting) get this restriction."),
    )
    blocked_platforms = forms.MultipleChoiceField(
        label=_("Blocked platforms"),
        choices=OperatingSystem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    block_personal = forms.BooleanField(label=_("Block personally owned devices"), required=False)
    blocked_manufacturers = forms.CharField(
        label=_("Blocked manufacturers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line; compared without regard to case."),
    )
    device_limit = forms.IntegerField(
        label=_("Device limit per user"), min_value=1, max_value=DEVICE_LIMIT_MAX, initial=5
    )

    def __init__(self, *args: Any, tenant: Tenant, is_default: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.is_default = is_default
        if is_default:
            del self.fields["groups"]
        else:
            groups: QuerySet[Group] = Group.objects.filter(tenant=tenant).order_by("display_name")
            self.fields["groups"].queryset = groups  # type: ignore[attr-defined]
        for platform, label in OperatingSystem.choices:
            for bound, text in (("min", _("minimum version")), ("max", _("maximum version"))):
                self.fields[version_field(bound, platform)] = forms.CharField(
                    label=f"{label}: {text}",
                    required=False,
                    max_length=64,
                    validators=[_version_validator],
                )

    @classmethod
    def initial_of(cls, restriction: EnrollmentRestriction) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": restriction.name,
            "groups": list(restriction.groups.all()),
            "blocked_platforms": restriction.blocked_platforms,
            "block_personal": restriction.block_personal,
            "blocked_manufacturers": "\n".join(restriction.blocked_manufacturers),
            "device_limit": restriction.device_limit,
        }
        for bound, versions in (
            ("min", restriction.min_os_versions),
            ("max", restriction.max_os_versions),
        ):
            for platform, version in versions.items():
                initial[version_field(bound, platform)] = version
        return initial

    def version_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(platform label, minimum field, maximum field) per platform, for the template."""
        return [
            (label, self[version_field("min", value)], self[version_field("max", value)])
            for value, label in OperatingSystem.choices
        ]

    def other_fields(self) -> list[forms.BoundField]:
        versions = {version_field(b, p) for b in ("min", "max") for p in OperatingSystem.values}
        return [field for field in self.visible_fields() if field.name not in versions]

    def restriction_fields(self) -> RestrictionFields:
        data = self.cleaned_data

        def versions(bound: str) -> dict[str, str]:
            return {
                platform: data[version_field(bound, platform)]
                for platform in OperatingSystem.values
                if data.get(version_field(bound, platform))
            }

        return RestrictionFields(
            name=data["name"],
            groups=list(data.get("groups") or []),
            blocked_platforms=list(data["blocked_platforms"]),
            min_os_versions=versions("min"),
            max_os_versions=versions("max"),
            block_personal=data["block_personal"],
            blocked_manufacturers=data["blocked_manufacturers"].splitlines(),
            device_limit=data["device_limit"],
        )


class MoveForm(forms.Form):
    priority = forms.IntegerField(label=_("Priority"), min_value=1)


class BulkTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        widget=DateTimeInput(),
        help_text=_("UTC; at most a year ahead."),
    )


class DeploymentProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    allowed_methods = forms.MultipleChoiceField(
        label=_("Allowed enrollment methods"),
        choices=list(METHOD_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ProfileChoiceForm(forms.Form):
    """A deployment profile of the tenant, or none."""

    profile = forms.ModelChoiceField(
        label=_("Deployment profile"),
        queryset=DeploymentProfile.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any):
        super().__init__(*args, **kwargs)
        profiles = DeploymentProfile.objects.filter(tenant=tenant).order_by("name")
        self.fields["profile"].queryset = profiles  # type: ignore[attr-defined]


class HardwareIdsForm(ProfileChoiceForm):
    rows = forms.CharField(
        label=_("Hardware ids (CSV: hardwareId,serialNumber)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One device a line; the serial number may be left out."),
    )

    field_order = ["rows", "profile"]

    def clean_rows(self) -> list[HardwareRow]:
        try:
            return hardware_rows_parse(self.cleaned_data["rows"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["rows"]) from error


class SerialNumbersForm(forms.Form):
    serial_numbers = forms.CharField(
        label=_("Serial numbers"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One a line."),
    )

    def clean_serial_numbers(self) -> list[str]:
        try:
            return serial_numbers_parse(self.cleaned_data["serial_numbers"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["serial_numbers"]) from error
