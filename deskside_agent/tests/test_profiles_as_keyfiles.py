"""Profiles become NetworkManager keyfiles (checked with GLib's parser) or a custom settings file,
under roots in tmp; failures carry the reason; removal removes the files; results per version."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from deskside_agent.config import Config
from deskside_agent.profiles import connection_uuid, profiles_apply
from deskside_agent.tests.glib_keyfile import glib_keyfile

pytestmark = pytest.mark.agent

WG_PRIVATE = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
WG_PEER = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="


def _config(tmp_path: Path) -> Config:
    record = ["true"]
    return Config(
        path=tmp_path / "etc" / "agent.toml",
        state_dir=tmp_path / "state",
        nm_root=tmp_path / "nm",
        nmcli_command=record,
    )


def _wifi(version: int = 1, **settings: Any) -> dict[str, Any]:
    return {
        "profileId": 3,
        "version": version,
        "name": "Office Wi-Fi",
        "profileType": "wifi",
        "platform": "Linux",
        "settings": {
            "ssid": "Lakeside",
            "security": "wpa2Personal",
            "passphrase": "correct horse",
            "hidden": False,
            **settings,
        },
    }


def _apply(config: Config, profiles: list[dict[str, Any]], applied: dict[str, Any] | None = None):
    return profiles_apply(
        config=config,
        profiles=profiles,
        applied=applied or {},
        device_key="http://server/7",
        platform="Linux",
    )


def test_a_wifi_profile_is_a_valid_private_keyfile(tmp_path: Path) -> None:
    config = _config(tmp_path)
    applied, results = _apply(config, [_wifi(ssid="Lake;side ")])
    path = config.nm_root / "deskside-3.nmconnection"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    parsed = glib_keyfile(path)
    assert parsed["connection"]["type"] == "wifi"
    assert parsed["connection"]["id"] == "Office Wi-Fi"
    assert parsed["connection"]["uuid"] == connection_uuid("http://server/7", 3)
    # NetworkManager escapes ';' in an ssid and unescapes it after GLib's own unescaping.
    assert parsed["wifi"]["ssid"].replace("\\;", ";") == "Lake;side "
    assert parsed["wifi-security"] == {
        "key-mgmt": "wpa-psk",
        "psk": "correct horse",
        "psk-flags": "0",
    }
    assert results == [{"profileId": 3, "version": 1, "state": "succeeded", "detail": ""}]
    assert applied["3"]["files"] == [str(path)]


def test_the_uuid_stays_and_a_result_is_sent_once_per_version(tmp_path: Path) -> None:
    config = _config(tmp_path)
    applied, _ = _apply(config, [_wifi(1)])
    again, results = _apply(config, [_wifi(1)], applied)
    assert results == []
    newer, results = _apply(config, [_wifi(2, security="wpa3Personal")], again)
    assert [r["version"] for r in results] == [2]
    parsed = glib_keyfile(config.nm_root / "deskside-3.nmconnection")
    assert parsed["connection"]["uuid"] == connection_uuid("http://server/7", 3)
    assert parsed["wifi-security"]["key-mgmt"] == "sae"


def test_an_open_hidden_network_has_no_security_section(tmp_path: Path) -> None:
    config = _config(tmp_path)
    _apply(config, [_wifi(security="open", passphrase="", hidden=True, ssid="Café")])
    parsed = glib_keyfile(config.nm_root / "deskside-3.nmconnection")
    assert "wifi-security" not in parsed
    assert parsed["wifi"]["hidden"] == "true"
    assert bytes(int(b) for b in parsed["wifi"]["ssid"].rstrip(";").split(";")) == "Café".encode()


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"ssid": ""}, "the profile has no ssid"),
        ({"passphrase": "short"}, "8 to 63 characters"),
        ({"security": "wep"}, "unknown Wi-Fi security"),
    ],
)
def test_a_bad_wifi_profile_fails_with_the_reason(tmp_path: Path, settings, reason) -> None:
    config = _config(tmp_path)
    _, results = _apply(config, [_wifi(**settings)])
    assert results[0]["state"] == "failed"
    assert reason in results[0]["detail"]
    assert not (config.nm_root / "deskside-3.nmconnection").exists()


def test_an_unwritable_root_fails_and_a_later_success_is_reported(tmp_path: Path) -> None:
    config = _config(tmp_path)
    (tmp_path / "blocker").write_text("not a directory")
    config.nm_root = tmp_path / "blocker" / "nm"
    applied, results = _apply(config, [_wifi()])
    assert results[0]["state"] == "failed"
    assert "cannot write" in results[0]["detail"] and "Not a directory" in results[0]["detail"]
    config.nm_root = tmp_path / "nm"
    _, results = _apply(config, [_wifi()], applied)
    assert results == [{"profileId": 3, "version": 1, "state": "succeeded", "detail": ""}]


CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"


def _openvpn(**settings: Any) -> dict[str, Any]:
    return {
        "profileId": 4,
        "version": 1,
        "name": "Office VPN",
        "profileType": "vpn",
        "platform": "Linux",
        "settings": {
            "vpnType": "openvpn",
            "server": "vpn.lakeside.test",
            "port": 443,
            "protocol": "tcp",
            "caCertificate": CA,
            "tlsAuthKey": "",
            **settings,
        },
    }


def test_an_openvpn_profile_writes_its_certificate_apart(tmp_path: Path) -> None:
    config = _config(tmp_path)
    key = "-----BEGIN OpenVPN Static key V1-----\nabcd\n-----END OpenVPN Static key V1-----"
    applied, results = _apply(config, [_openvpn(tlsAuthKey=key)])
    assert results[0]["state"] == "succeeded", results
    parsed = glib_keyfile(config.nm_root / "deskside-4.nmconnection")
    assert parsed["connection"]["type"] == "vpn"
    vpn = parsed["vpn"]
    assert vpn["service-type"] == "org.freedesktop.NetworkManager.openvpn"
    assert (vpn["remote"], vpn["port"], vpn["proto-tcp"]) == ("vpn.lakeside.test", "443", "yes")
    assert (vpn["connection-type"], vpn["password-flags"]) == ("password", "2")
    assert vpn["ta-dir"] == "1"
    for name in ("ca", "ta"):
        written = Path(vpn[name])
        assert written.read_text().startswith("-----BEGIN")
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert str(written) in applied["4"]["files"]


def test_an_openvpn_profile_without_a_ca_fails(tmp_path: Path) -> None:
    _, results = _apply(_config(tmp_path), [_openvpn(caCertificate="")])
    assert results[0]["state"] == "failed"
    assert "caCertificate" in results[0]["detail"]


def _wireguard(**settings: Any) -> dict[str, Any]:
    """As the server sends it (deskside/policies/delivery.py), plus what the test adds."""
    return {
        "profileId": 5,
        "version": 1,
        "name": "WG",
        "profileType": "vpn",
        "platform": "Linux",
        "settings": {
            "vpnType": "wireguard",
            "server": "wg.lakeside.test",
            "port": 51820,
            "peerPublicKey": WG_PEER,
            "allowedIps": ["10.8.0.0/24"],
            "dns": ["10.8.0.1"],
            "persistentKeepalive": 25,
            "presharedKey": "",
            **settings,
        },
    }


def test_a_wireguard_profile(tmp_path: Path) -> None:
    config = _config(tmp_path)
    applied, results = _apply(config, [_wireguard(address="10.8.0.2/24")])
    assert results[0]["state"] == "succeeded", results
    parsed = glib_keyfile(config.nm_root / "deskside-5.nmconnection")
    assert parsed["connection"]["type"] == "wireguard"
    assert parsed["connection"]["interface-name"] == "dswg5"
    private_key = parsed["wireguard"]["private-key"]
    assert len(private_key) == 44
    peer = parsed[f"wireguard-peer.{WG_PEER}"]
    assert peer["endpoint"] == "wg.lakeside.test:51820"
    assert (peer["allowed-ips"], peer["persistent-keepalive"]) == ("10.8.0.0/24;", "25")
    assert parsed["ipv4"] == {"method": "manual", "address1": "10.8.0.2/24", "dns": "10.8.0.1;"}
    # The device's own key stays the same across versions.
    newer = {**_wireguard(address="10.8.0.2/24", port=51821), "version": 2}
    _apply(config, [newer], applied)
    again = glib_keyfile(config.nm_root / "deskside-5.nmconnection")
    assert again["wireguard"]["private-key"] == private_key


def test_a_wireguard_profile_given_its_private_key_uses_it(tmp_path: Path) -> None:
    config = _config(tmp_path)
    _apply(config, [_wireguard(address="10.8.0.2/24", privateKey=WG_PRIVATE)])
    parsed = glib_keyfile(config.nm_root / "deskside-5.nmconnection")
    assert parsed["wireguard"]["private-key"] == WG_PRIVATE


def test_a_wireguard_profile_without_a_tunnel_address_fails_with_the_reason(
    tmp_path: Path,
) -> None:
    _, results = _apply(_config(tmp_path), [_wireguard()])
    assert results[0]["state"] == "failed"
    assert results[0]["detail"] == "the profile gives no tunnel address for this device (address)"


def test_a_wireguard_profile_without_a_peer_key_fails(tmp_path: Path) -> None:
    _, results = _apply(_config(tmp_path), [_wireguard(peerPublicKey="", address="10.0.0.2")])
    assert (results[0]["state"], results[0]["detail"]) == (
        "failed",
        "the profile has no peerPublicKey",
    )


def test_a_custom_profile_is_a_file_in_the_agents_config_dir(tmp_path: Path) -> None:
    config = _config(tmp_path)
    profile = {
        "profileId": 6,
        "version": 2,
        "name": "Proxy",
        "profileType": "custom",
        "platform": "Linux",
        "settings": {"proxy": "http://proxy:3128", "strict": "yes"},
    }
    applied, results = _apply(config, [profile])
    path = tmp_path / "etc" / "profiles.d" / "custom-6.json"
    assert results[0]["state"] == "succeeded"
    assert '"proxy": "http://proxy:3128"' in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_profile_removed_from_the_answer_has_its_files_removed(tmp_path: Path) -> None:
    config = _config(tmp_path)
    applied, _ = _apply(config, [_wifi()])
    assert (config.nm_root / "deskside-3.nmconnection").exists()
    applied, results = _apply(config, [], applied)
    assert not (config.nm_root / "deskside-3.nmconnection").exists()
    assert (applied, results) == ({}, [])


@pytest.mark.parametrize(
    ("profile", "platform", "reason"),
    [
        (_wifi(), "macOS", "the profile is for Linux, this device runs macOS"),
        ({**_wifi(), "platform": ""}, "Windows", "on Linux only"),
        ({**_wifi(), "profileType": "emailExchange"}, "Linux", "cannot apply 'emailExchange'"),
        (
            {**_wifi(), "profileType": "vpn", "settings": {"vpnType": "ipsec"}},
            "Linux",
            "cannot apply 'ipsec' VPN profiles",
        ),
    ],
)
def test_what_this_device_cannot_apply_is_not_applicable(
    tmp_path: Path, profile, platform, reason
) -> None:
    config = _config(tmp_path)
    _, results = profiles_apply(
        config=config, profiles=[profile], applied={}, device_key="k", platform=platform
    )
    assert results[0]["state"] == "notApplicable"
    assert reason in results[0]["detail"]


def test_a_missing_nmcli_is_no_failure(tmp_path: Path) -> None:
    config = _config(tmp_path)
    config.nmcli_command = ["/nonexistent/nmcli", "connection", "reload"]
    _, results = _apply(config, [_wifi()])
    assert results[0]["state"] == "succeeded"
