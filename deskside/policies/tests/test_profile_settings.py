"""The shape of a profile's settings, as the service checks it whatever the form sends: each
kind keeps only its own keys, secrets its settings do not use are dropped, a secret left empty
keeps the stored one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from deskside.policies.delivery import profile_payload, profile_settings_clean
from deskside.policies.models import ConfigurationProfile
from deskside.policies.tests.helpers import PEER_KEY


def test_an_open_network_has_no_passphrase() -> None:
    settings, secrets = profile_settings_clean(
        profile_type="wifi",
        settings={"ssid": "Guest", "security": "open", "hidden": False, "extra": "dropped"},
        secrets={"passphrase": "left-over-passphrase"},
        current_secrets={"passphrase": "stored-passphrase"},
    )
    assert (settings, secrets) == ({"ssid": "Guest", "security": "open", "hidden": False}, {})
    profile = ConfigurationProfile(
        pk=4, name="Guest", platform="Linux", profile_type="wifi", settings=settings, version=3
    )
    assert profile_payload(profile)["settings"] == {
        "ssid": "Guest",
        "security": "open",
        "hidden": False,
        "passphrase": "",
    }


def test_an_empty_secret_keeps_the_stored_one() -> None:
    _settings, secrets = profile_settings_clean(
        profile_type="wifi",
        settings={"ssid": "Office", "security": "wpa3Personal"},
        secrets={"passphrase": ""},
        current_secrets={"passphrase": "stored-passphrase"},
    )
    assert secrets == {"passphrase": "stored-passphrase"}


def test_another_vpn_type_drops_the_other_type_s_secret() -> None:
    settings, secrets = profile_settings_clean(
        profile_type="vpn",
        settings={
            "vpnType": "wireguard",
            "server": "10.1.2.3",
            "peerPublicKey": PEER_KEY,
            "allowedIps": ["0.0.0.0/0"],
        },
        secrets={},
        current_secrets={"tlsAuthKey": "openvpn-static-key"},
    )
    assert secrets == {}
    assert settings["server"] == "10.1.2.3"


@pytest.mark.parametrize(
    ("kind", "settings", "field"),
    [
        ("wifi", {"ssid": "é" * 17, "security": "open"}, "ssid"),
        ("wifi", {"ssid": "Office", "security": "open", "hidden": "yes"}, "hidden"),
        ("vpn", {"vpnType": "ipsec", "server": "vpn"}, "vpnType"),
        ("vpn", {"vpnType": "openvpn", "server": "vpn", "protocol": "udp", "port": 0}, "port"),
        (
            "vpn",
            {
                "vpnType": "openvpn",
                "server": "vpn",
                "protocol": "udp",
                "caCertificate": "not a certificate",
            },
            "caCertificate",
        ),
        (
            "vpn",
            {"vpnType": "wireguard", "server": "vpn", "peerPublicKey": PEER_KEY, "allowedIps": []},
            "allowedIps",
        ),
        ("custom", {}, "settings"),
        ("custom", {"k": 5}, "settings"),
        ("email", {}, "profile_type"),
    ],
)
def test_bad_settings_name_the_key(kind, settings, field) -> None:
    with pytest.raises(ValidationError) as error:
        profile_settings_clean(profile_type=kind, settings=settings, secrets={})
    assert list(error.value.message_dict) == [field]
