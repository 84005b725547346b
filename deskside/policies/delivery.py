"""Configuration profiles: the shape of their settings, conflicts between them, and what the
agent gets (docs/agent-protocol.md, docs/policies.md). No queries here.

Settings are stored in two parts: ``settings`` (shown in the portal) and ``secret_settings``
(passphrases and keys: write-only in the portal, delivered only to assigned devices).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from deskside.policies.choices import ProfileType, VpnProtocol, VpnType, WifiSecurity
from deskside.policies.models import ConfigurationProfile

# The secret keys of each kind of profile (the payload always carries them, "" when unset).
WIFI_SECRETS = ("passphrase",)
OPENVPN_SECRETS = ("tlsAuthKey",)
WIREGUARD_SECRETS = ("presharedKey",)
CUSTOM_MAX_KEYS = 200
_CUSTOM_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,127}$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9\-.]{0,251}[A-Za-z0-9])?$")


def secret_keys(profile_type: str, settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The secret settings a profile of this type (and VPN type) may hold."""
    if profile_type == ProfileType.WIFI:
        return WIFI_SECRETS
    if profile_type == ProfileType.VPN:
        if settings.get("vpnType") == VpnType.WIREGUARD:
            return WIREGUARD_SECRETS
        return OPENVPN_SECRETS
    return ()


def _text(data: Mapping[str, Any], key: str, *, max_length: int, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValidationError({key: _("Enter text.")})
    value = value.strip()
    if required and not value:
        raise ValidationError({key: _("This setting is required.")})
    if len(value) > max_length:
        raise ValidationError({key: _("At most %(count)d characters.") % {"count": max_length}})
    return value


def _choice(data: Mapping[str, Any], key: str, choices: Iterable[str]) -> str:
    value = data.get(key)
    allowed = list(choices)
    if value not in allowed:
        raise ValidationError(
            {key: _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}}
        )
    return str(value)


def _port(data: Mapping[str, Any], default: int) -> int:
    value = data.get("port")
    if value in (None, ""):
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValidationError({"port": _("Enter a port from 1 to 65535.")})
    return value


def _server(data: Mapping[str, Any]) -> str:
    server = _text(data, "server", max_length=253)
    try:
        ipaddress.ip_address(server)
    except ValueError:
        if not _HOST.match(server):
            raise ValidationError({"server": _("Enter a host name or an IP address.")}) from None
    return server


def _wireguard_key(value: str, key: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValidationError({key: _("Enter a WireGuard key: 44 characters of base64.")})
    return value


def _networks(data: Mapping[str, Any], key: str, *, required: bool) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({key: _("Enter a list of networks.")})
    networks = []
    for item in value:
        try:
            networks.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise ValidationError(
                {key: _("%(value)s is not an IP network.") % {"value": item}}
            ) from None
    if required and not networks:
        raise ValidationError({key: _("This setting is required.")})
    return networks


def _addresses(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({key: _("Enter a list of IP addresses.")})
    addresses = []
    for item in value:
        try:
            addresses.append(str(ipaddress.ip_address(item.strip())))
        except ValueError:
            raise ValidationError(
                {key: _("%(value)s is not an IP address.") % {"value": item}}
            ) from None
    return addresses


def _secret(secrets: Mapping[str, Any], current: Mapping[str, Any], key: str) -> str:
    """A new secret, or the stored one when left empty (write-only: the form never shows it)."""
    value = secrets.get(key)
    if value is None or value == "":
        return str(current.get(key, ""))
    if not isinstance(value, str):
        raise ValidationError({key: _("Enter text.")})
    return value


def _wifi(
    settings: Mapping[str, Any], secrets: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    ssid = _text(settings, "ssid", max_length=64)
    if len(ssid.encode()) > 32:
        raise ValidationError({"ssid": _("An SSID is at most 32 bytes.")})
    security = _choice(settings, "security", WifiSecurity.values)
    hidden = settings.get("hidden", False)
    if not isinstance(hidden, bool):
        raise ValidationError({"hidden": _("Enter yes or no.")})
    if security == WifiSecurity.OPEN:
        return {"ssid": ssid, "security": security, "hidden": hidden}, {}
    passphrase = _secret(secrets, current, "passphrase")
    if not 8 <= len(passphrase) <= 63:
        raise ValidationError(
            {"passphrase": _("A passphrase of 8 to 63 characters is required for this security.")}
        )
    return {"ssid": ssid, "security": security, "hidden": hidden}, {"passphrase": passphrase}


def _vpn(
    settings: Mapping[str, Any], secrets: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    vpn_type = _choice(settings, "vpnType", VpnType.values)
    server = _server(settings)
    if vpn_type == VpnType.OPENVPN:
        clean: dict[str, Any] = {
            "vpnType": vpn_type,
            "server": server,
            "port": _port(settings, 1194),
            "protocol": _choice(settings, "protocol", VpnProtocol.values),
            "caCertificate": _text(settings, "caCertificate", max_length=20000, required=False),
        }
        if clean["caCertificate"] and "-----BEGIN CERTIFICATE-----" not in clean["caCertificate"]:
            raise ValidationError({"caCertificate": _("Paste the certificate in PEM form.")})
        tls_auth = _secret(secrets, current, "tlsAuthKey")
        return clean, ({"tlsAuthKey": tls_auth} if tls_auth else {})
    keepalive = settings.get("persistentKeepalive")
    if keepalive in ("", None):
        keepalive = None
    elif (
        isinstance(keepalive, bool) or not isinstance(keepalive, int) or not 1 <= keepalive <= 3600
    ):
        raise ValidationError({"persistentKeepalive": _("Enter seconds from 1 to 3600.")})
    clean = {
        "vpnType": vpn_type,
        "server": server,
        "port": _port(settings, 51820),
        "peerPublicKey": _wireguard_key(
            _text(settings, "peerPublicKey", max_length=64), "peerPublicKey"
        ),
        "allowedIps": _networks(settings, "allowedIps", required=True),
        "dns": _addresses(settings, "dns"),
        "persistentKeepalive": keepalive,
    }
    preshared = _secret(secrets, current, "presharedKey")
    if preshared:
        _wireguard_key(preshared, "presharedKey")
    return clean, ({"presharedKey": preshared} if preshared else {})


def _custom(settings: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    if not settings:
        raise ValidationError({"settings": _("Give at least one key and value.")})
    if len(settings) > CUSTOM_MAX_KEYS:
        raise ValidationError(
            {"settings": _("At most %(count)d keys.") % {"count": CUSTOM_MAX_KEYS}}
        )
    clean = {}
    for key, value in settings.items():
        if not isinstance(key, str) or not _CUSTOM_KEY.match(key):
            raise ValidationError(
                {
                    "settings": _("%(key)s is not a valid key: letters, digits and _ . - / only.")
                    % {"key": key}
                }
            )
        if not isinstance(value, str) or len(value) > 1000:
            raise ValidationError(
                {
                    "settings": _("The value of %(key)s must be text of at most 1000 characters.")
                    % {"key": key}
                }
            )
        clean[key] = value
    return clean, {}


def profile_settings_clean(
    *,
    profile_type: str,
    settings: Mapping[str, Any],
    secrets: Mapping[str, Any],
    current_secrets: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The validated (settings, secret settings) of a profile; ValidationError names the key.

    A secret left empty keeps ``current_secrets``' value; secrets the new settings do not use
    (a Wi-Fi that became open, another VPN type) are dropped."""
    current = current_secrets or {}
    if profile_type == ProfileType.WIFI:
        return _wifi(settings, secrets, current)
    if profile_type == ProfileType.VPN:
        return _vpn(settings, secrets, current)
    if profile_type == ProfileType.CUSTOM:
        return _custom(settings)
    raise ValidationError({"profile_type": _("Unknown profile type.")})


def profile_payload(profile: ConfigurationProfile) -> dict[str, Any]:
    """One profile as the check-in answer lists it (docs/agent-protocol.md)."""
    settings = dict(profile.settings)
    for key in secret_keys(profile.profile_type, settings):
        settings[key] = str(profile.secret_settings.get(key, ""))
    return {
        "profileId": profile.pk,
        "version": profile.version,
        "name": profile.name,
        "profileType": profile.profile_type,
        "platform": profile.platform,
        "settings": settings,
    }


def _claims(profile: ConfigurationProfile) -> dict[tuple[Any, ...], tuple[str, str, str]]:
    """What a profile sets on a device: {what: (setting name, shown value, compared value)}.

    Wi-Fi: the network of its SSID; VPN: the connection to its server and port; custom: each key.
    The compared value may hold secrets; it is only compared, never stored or shown."""
    settings = profile.settings
    if profile.profile_type == ProfileType.WIFI:
        value = json.dumps([settings, profile.secret_settings], sort_keys=True)
        return {("wifi", settings.get("ssid")): ("ssid", str(settings.get("ssid")), value)}
    if profile.profile_type == ProfileType.VPN:
        server = f"{settings.get('server', '')}:{settings.get('port', '')}"
        value = json.dumps([settings, profile.secret_settings], sort_keys=True)
        return {("vpn", server.lower()): ("server", server, value)}
    return {("custom", key): ("key", key, str(value)) for key, value in settings.items()}


@dataclass
class ProfilePlan:
    """What a device gets: ``deliver`` (by id), ``conflicts`` per profile id (the other profile
    and the setting), ``other_platform`` (ids of profiles for another platform)."""

    deliver: list[ConfigurationProfile] = field(default_factory=list)
    conflicts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    other_platform: set[int] = field(default_factory=set)

    def payload(self) -> list[dict[str, Any]]:
        return [profile_payload(profile) for profile in self.deliver]


def profile_plan(*, platform: str, profiles: Iterable[ConfigurationProfile]) -> ProfilePlan:
    """Decide which assigned profiles a device of ``platform`` gets. Two profiles for the
    device's platform that set one thing differently conflict: neither is delivered."""
    plan = ProfilePlan()
    applicable = []
    for profile in sorted(profiles, key=lambda p: p.pk):
        if profile.platform != platform:
            plan.other_platform.add(profile.pk)
        else:
            applicable.append(profile)
    claimed: dict[tuple[Any, ...], list[tuple[ConfigurationProfile, tuple[str, str, str]]]] = {}
    for profile in applicable:
        for what, claim in _claims(profile).items():
            claimed.setdefault(what, []).append((profile, claim))
    for holders in claimed.values():
        if len({claim[2] for _profile, claim in holders}) < 2:
            continue
        for profile, (_setting, _shown, mine) in holders:
            for other, (setting, shown, theirs) in holders:
                if theirs == mine:
                    continue
                entry = {
                    "profileId": other.pk,
                    "name": other.name,
                    "setting": setting,
                    "value": shown,
                }
                if entry not in plan.conflicts.setdefault(profile.pk, []):
                    plan.conflicts[profile.pk].append(entry)
    plan.deliver = [profile for profile in applicable if profile.pk not in plan.conflicts]
    return plan
