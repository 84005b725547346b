"""Portal forms. They parse input into what the services take; the services validate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deskside.directory.models import Group
from deskside.fleet.choices import OperatingSystem
from deskside.policies.choices import NoPolicyState, VpnProtocol, VpnType, WifiSecurity
from deskside.policies.models import CompliancePolicy, ConfigurationProfile
from deskside.policies.selectors import tenant_groups

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_VERSION_HELP = _("A dotted version such as 13.0 or 10.0.19045; empty for no rule.")


class CompliancePolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    platform = forms.ChoiceField(label=_("Platform"), choices=OperatingSystem.choices)
    os_minimum_version = forms.CharField(
        label=_("Minimum OS version"), max_length=64, required=False, help_text=_VERSION_HELP
    )
    os_maximum_version = forms.CharField(
        label=_("Maximum OS version"), max_length=64, required=False, help_text=_VERSION_HELP
    )
    require_encryption = forms.BooleanField(label=_("Require encryption"), required=False)
    require_firewall = forms.BooleanField(label=_("Require the firewall on"), required=False)
    require_screen_lock = forms.BooleanField(label=_("Require a screen lock"), required=False)
    minimum_agent_version = forms.CharField(
        label=_("Minimum agent version"), max_length=32, required=False, help_text=_VERSION_HELP
    )
    max_days_since_check_in = forms.IntegerField(
        label=_("Last check-in at most this many days ago"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Empty for no rule."),
    )
    grace_period_days = forms.IntegerField(
        label=_("Mark noncompliant after (days)"),
        min_value=0,
        max_value=3650,
        initial=0,
        help_text=_("The grace period: a device that starts failing is in it for this long."),
    )

    @classmethod
    def initial_of(cls, policy: CompliancePolicy) -> dict[str, Any]:
        return {name: getattr(policy, name) for name in cls.base_fields}


class AssignmentForm(forms.Form):
    include_groups = forms.ModelMultipleChoiceField(
        label=_("Included groups"),
        queryset=Group.objects.none(),
        required=False,
        help_text=_("Devices of these groups, and devices of their users, get it."),
    )
    exclude_groups = forms.ModelMultipleChoiceField(
        label=_("Excluded groups"),
        queryset=Group.objects.none(),
        required=False,
        help_text=_("Left out even when an included group reaches them."),
    )

    def __init__(self, *args: Any, tenant_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = tenant_groups(tenant_id=tenant_id)
        self.fields["include_groups"].queryset = groups  # type: ignore[attr-defined]
        self.fields["exclude_groups"].queryset = groups  # type: ignore[attr-defined]

    @staticmethod
    def initial_of(links: Any) -> dict[str, Any]:
        """The current assignments (prefetched) as the form's initial values."""
        return {
            "include_groups": [link.group_id for link in links if not link.excluded],
            "exclude_groups": [link.group_id for link in links if link.excluded],
        }


class ComplianceSettingsForm(forms.Form):
    no_policy_state = forms.ChoiceField(
        label=_("Mark devices with no compliance policy assigned as"),
        choices=NoPolicyState.choices,
        widget=forms.RadioSelect,
    )


def _secret_field(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


class ProfileForm(forms.Form):
    """The fields every profile has; subclasses add their type's settings."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    platform = forms.ChoiceField(label=_("Platform"), choices=OperatingSystem.choices)

    # The secret fields of the type, with the settings key they fill.
    secret_fields: tuple[str, ...] = ()

    def __init__(
        self, *args: Any, profile: ConfigurationProfile | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        stored = profile.secret_settings if profile is not None else {}
        for name in self.secret_fields:
            if stored.get(name):
                self.fields[name].help_text = _("Set. Leave empty to keep it.")
            else:
                self.fields[name].help_text = _("Not set.")

    @classmethod
    def initial_of(cls, profile: ConfigurationProfile) -> dict[str, Any]:
        initial = {"name": profile.name, "description": profile.description}
        initial["platform"] = profile.platform
        for name in cls.base_fields:
            if name in profile.settings and name not in cls.secret_fields:
                value = profile.settings[name]
                initial[name] = ", ".join(value) if isinstance(value, list) else value
        return initial

    def profile_settings(self) -> dict[str, Any]:
        """The profile type's settings from the cleaned form (each type's form defines them)."""
        raise NotImplementedError

    def profile_secrets(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.secret_fields}

    def secrets_to_clear(self) -> tuple[str, ...]:
        return self.secret_fields if self.cleaned_data.get("clear_secrets") else ()

    def common(self) -> dict[str, Any]:
        return {
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data["description"],
            "platform": self.cleaned_data["platform"],
        }


class WifiProfileForm(ProfileForm):
    ssid = forms.CharField(label=_("SSID (network name)"), max_length=64)
    security = forms.ChoiceField(label=_("Security"), choices=WifiSecurity.choices)
    passphrase = _secret_field(_("Passphrase"))
    hidden = forms.BooleanField(label=_("Hidden network"), required=False)

    secret_fields = ("passphrase",)

    def profile_settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"ssid": data["ssid"], "security": data["security"], "hidden": data["hidden"]}


class VpnProfileForm(ProfileForm):
    vpnType = forms.ChoiceField(label=_("VPN type"), choices=VpnType.choices)  # noqa: N815
    server = forms.CharField(label=_("Server"), max_length=253)
    port = forms.IntegerField(
        label=_("Port"),
        required=False,
        min_value=1,
        max_value=65535,
        help_text=_("Empty: 1194 for OpenVPN, 51820 for WireGuard."),
    )
    protocol = forms.ChoiceField(
        label=_("OpenVPN: protocol"), choices=VpnProtocol.choices, initial=VpnProtocol.UDP
    )
    caCertificate = forms.CharField(  # noqa: N815
        label=_("OpenVPN: CA certificate (PEM)"), required=False, widget=forms.Textarea
    )
    tlsAuthKey = _secret_field(_("OpenVPN: TLS auth key"))  # noqa: N815
    peerPublicKey = forms.CharField(  # noqa: N815
        label=_("WireGuard: the server's public key"), max_length=64, required=False
    )
    allowedIps = forms.CharField(  # noqa: N815
        label=_("WireGuard: allowed IPs"),
        required=False,
        initial="0.0.0.0/0, ::/0",
        help_text=_("Networks routed through the tunnel, separated by commas."),
    )
    dns = forms.CharField(
        label=_("WireGuard: DNS servers"),
        required=False,
        help_text=_("IP addresses, separated by commas."),
    )
    persistentKeepalive = forms.IntegerField(  # noqa: N815
        label=_("WireGuard: keepalive (seconds)"), required=False, min_value=1, max_value=3600
    )
    presharedKey = _secret_field(_("WireGuard: preshared key"))  # noqa: N815
    clear_secrets = forms.BooleanField(
        label=_("Remove the stored TLS auth key or preshared key"), required=False
    )

    secret_fields = ("tlsAuthKey", "presharedKey")

    def profile_settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        common = {"vpnType": data["vpnType"], "server": data["server"], "port": data["port"]}
        if data["vpnType"] == VpnType.OPENVPN:
            return {**common, "protocol": data["protocol"], "caCertificate": data["caCertificate"]}
        return {
            **common,
            "peerPublicKey": data["peerPublicKey"],
            "allowedIps": _list(data["allowedIps"]),
            "dns": _list(data["dns"]),
            "persistentKeepalive": data["persistentKeepalive"],
        }


class CustomProfileForm(ProfileForm):
    settings = forms.CharField(
        label=_("Settings"),
        widget=forms.Textarea,
        help_text=_("One key=value per line. Values are shown in the portal: no secrets here."),
    )

    @classmethod
    def initial_of(cls, profile: ConfigurationProfile) -> dict[str, Any]:
        initial = super().initial_of(profile)
        initial["settings"] = "\n".join(f"{key}={value}" for key, value in profile.settings.items())
        return initial

    def clean_settings(self) -> dict[str, str]:
        parsed: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["settings"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            key = key.strip()
            if not sep or not key:
                raise forms.ValidationError(
                    _("Line %(number)d is not key=value."), params={"number": number}
                )
            if key in parsed:
                raise forms.ValidationError(
                    _("The key %(key)s appears twice."), params={"key": key}
                )
            parsed[key] = value.strip()
        return parsed

    def profile_settings(self) -> dict[str, Any]:
        return dict(self.cleaned_data["settings"])


PROFILE_FORMS: dict[str, type[ProfileForm]] = {
    "wifi": WifiProfileForm,
    "vpn": VpnProfileForm,
    "custom": CustomProfileForm,
}
