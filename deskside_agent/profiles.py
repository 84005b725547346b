"""Configuration profiles: Wi-Fi and VPN as NetworkManager keyfiles, custom as a settings file.

Each assigned profile is written (atomically, mode 0600) under the configured root:
``<nm_root>/deskside-<profileId>.nmconnection`` for Wi-Fi, OpenVPN and WireGuard, with a
connection uuid derived from the server, the device and the profile id (stable across versions);
``<profiles_dir>/custom-<profileId>.json`` for custom key/value profiles. A profile that leaves the
check-in answer has its files removed. NetworkManager is asked to reload its connections
(``nmcli connection reload``) when a keyfile changed and nmcli exists; its absence is no failure.

A result (succeeded, failed with the reason, notApplicable with the reason) is reported per
profile version, and again only when it changes (a failed profile is tried at each check-in).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import json
import logging
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deskside_agent.config import Config
from deskside_agent.state import atomic_write
from deskside_agent.system import available, run

log = logging.getLogger("deskside_agent")

NAMESPACE = uuid.UUID("6f1b2a4e-3c1d-4b8e-9a51-0d7c2e9f4a10")
OPENVPN_SERVICE = "org.freedesktop.NetworkManager.openvpn"
# OpenVPN settings the profile may carry besides the common ones, as NetworkManager names them.
OPENVPN_EXTRA = {
    "cipher": "cipher",
    "auth": "auth",
    "remoteCertTls": "remote-cert-tls",
    "verifyX509Name": "verify-x509-name",
    "compress": "compress",
    "mssfix": "mssfix",
    "tunnelMtu": "tunnel-mtu",
    "renegSeconds": "reneg-seconds",
}
# File settings: the server's name (and this agent's own alternatives) → NetworkManager's key.
OPENVPN_FILES = {
    "caCertificate": "ca",
    "ca": "ca",
    "cert": "cert",
    "key": "key",
    "tlsAuthKey": "ta",
    "tlsCrypt": "tls-crypt",
}
CONNECTION_TYPES = {"tls", "password", "password-tls"}


class ProfileError(Exception):
    """The profile cannot be applied as it is; the message is the result's detail."""


class NotApplicable(Exception):
    """This device cannot apply the profile; the message says why."""


@dataclass
class Written:
    """What one profile becomes on disk: path → content, and whether NetworkManager cares."""

    files: dict[Path, str] = field(default_factory=dict)
    network_manager: bool = False


# -- keyfile syntax -----------------------------------------------------------------------------


def _escape(value: str) -> str:
    """A GKeyFile string value: backslash escapes, a leading space as ``\\s``."""
    if "\x00" in value:
        raise ProfileError("a setting contains a NUL character")
    out = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return "\\s" + out[1:] if out.startswith(" ") else out


def keyfile(sections: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """Render ``[section]`` blocks of ``key=value`` lines (values already escaped)."""
    blocks = []
    for name, entries in sections:
        lines = [f"[{name}]", *(f"{key}={value}" for key, value in entries)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def parse_keyfile(text: str) -> dict[str, dict[str, str]]:
    """A small reader for the files this module writes (and for tests of their syntax)."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = raw.partition("=")
        if not sep or current is None or not key.strip():
            raise ValueError(f"line {number} is not key=value inside a section: {raw!r}")
        current[key.strip()] = value
    return sections


def connection_uuid(device_key: str, profile_id: int) -> str:
    """The same uuid for the profile on this device, whatever its version."""
    return str(uuid.uuid5(NAMESPACE, f"{device_key}/profile/{profile_id}"))


def _text(settings: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = settings.get(key)
    if value is None or value == "":
        if required:
            raise ProfileError(f"the profile has no {key}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ProfileError(f"{key} must be a string")
    return str(value)


def _port(settings: dict[str, Any], default: int) -> int:
    raw = settings.get("port")
    if raw in (None, ""):
        return default
    try:
        port = int(raw)
    except (TypeError, ValueError):
        raise ProfileError(f"port must be a number, not {raw!r}") from None
    if not 1 <= port <= 65535:
        raise ProfileError(f"port {port} is out of range")
    return port


def _connection(name: str, uid: str, kind: str, **extra: str) -> tuple[str, list[tuple[str, str]]]:
    entries = [("id", _escape(name)), ("uuid", uid), ("type", kind)]
    entries.extend((key.replace("_", "-"), value) for key, value in extra.items())
    return "connection", entries


# -- the profile types -----------------------------------------------------------------------


def _ssid(ssid: str) -> str:
    """The ssid as NetworkManager's keyfile writer puts it: printable ASCII as a string with
    ``;`` escaped (then GKeyFile-escaped), anything else as a list of byte values."""
    raw = ssid.encode("utf-8")
    if all(0x20 <= byte < 0x7F for byte in raw):
        return _escape(ssid.replace(";", "\\;"))
    return ";".join(str(byte) for byte in raw) + ";"


def _wifi(profile: dict[str, Any], settings: dict[str, Any], uid: str) -> list[Any]:
    ssid = _text(settings, "ssid", required=True)
    if len(ssid.encode()) > 32:
        raise ProfileError("the ssid is longer than 32 bytes")
    security = _text(settings, "security") or "wpa2Personal"
    hidden = settings.get("hidden") is True
    wifi = [("mode", "infrastructure"), ("ssid", _ssid(ssid))]
    if hidden:
        wifi.append(("hidden", "true"))
    sections: list[Any] = [
        _connection(str(profile.get("name") or ssid), uid, "wifi", autoconnect="true"),
        ("wifi", wifi),
    ]
    if security in ("wpa2Personal", "wpa3Personal"):
        passphrase = _text(settings, "passphrase", required=True)
        if security == "wpa2Personal" and not (
            8 <= len(passphrase) <= 63 or re.fullmatch(r"[0-9a-fA-F]{64}", passphrase)
        ):
            raise ProfileError("a WPA2 passphrase must be 8 to 63 characters (or 64 hex digits)")
        key_mgmt = "wpa-psk" if security == "wpa2Personal" else "sae"
        sections.append(
            (
                "wifi-security",
                [("key-mgmt", key_mgmt), ("psk", _escape(passphrase)), ("psk-flags", "0")],
            )
        )
    elif security != "open":
        raise ProfileError(f"unknown Wi-Fi security {security!r}")
    sections += [("ipv4", [("method", "auto")]), ("ipv6", [("method", "auto")])]
    return sections


def _openvpn(
    profile: dict[str, Any], settings: dict[str, Any], uid: str, certs: Path, written: Written
) -> list[Any]:
    """OpenVPN through NetworkManager's openvpn plugin. The server's settings: ``server``,
    ``port``, ``protocol`` (udp/tcp), ``caCertificate`` (PEM), ``tlsAuthKey`` (secret); also
    taken when present: ``username``, ``password``, ``cert``/``key`` (client certificate),
    ``connectionType``. Without a client certificate it is a password connection: the user
    gives their credentials when they connect."""
    server = _text(settings, "server", required=True)
    port = _port(settings, 1194)
    protocol = (_text(settings, "protocol") or "udp").lower()
    if protocol not in ("udp", "tcp"):
        raise ProfileError(f"protocol must be udp or tcp, not {protocol!r}")
    username = _text(settings, "username")
    password = _text(settings, "password")
    has_cert = bool(_text(settings, "cert") and _text(settings, "key"))
    default_type = ("password-tls" if username else "tls") if has_cert else "password"
    connection_type = _text(settings, "connectionType") or default_type
    if connection_type not in CONNECTION_TYPES:
        raise ProfileError(f"unknown OpenVPN connectionType {connection_type!r}")
    if connection_type in ("tls", "password-tls") and not has_cert:
        raise ProfileError(f"an OpenVPN {connection_type} connection needs cert and key")
    if not (_text(settings, "caCertificate") or _text(settings, "ca")):
        raise ProfileError(
            "an OpenVPN connection needs the server's CA certificate (caCertificate)"
        )
    data = [
        ("service-type", OPENVPN_SERVICE),
        ("connection-type", connection_type),
        ("remote", _escape(server)),
        ("port", str(port)),
        ("dev-type", "tun"),
    ]
    if protocol == "tcp":
        data.append(("proto-tcp", "yes"))
    if username:
        data.append(("username", _escape(username)))
    if connection_type != "tls":
        data.append(("password-flags", "0" if password else "2"))
    for key, nm_key in OPENVPN_FILES.items():
        value = _text(settings, key)
        if not value:
            continue
        if value.lstrip().startswith("-----BEGIN"):
            path = certs / f"{uid}-{nm_key}.pem"
            written.files[path] = value if value.endswith("\n") else value + "\n"
            value = str(path)
        elif not value.startswith("/"):
            raise ProfileError(f"{key} must be a PEM block or an absolute path")
        data.append((nm_key, _escape(value)))
        if nm_key == "ta":
            data.append(("ta-dir", "1"))
    for key, name in OPENVPN_EXTRA.items():
        value = _text(settings, key)
        if value:
            data.append((name, _escape(value)))
    sections: list[Any] = [
        _connection(str(profile.get("name") or server), uid, "vpn", autoconnect="false"),
        ("vpn", sorted(data)),
    ]
    if password:
        sections.append(("vpn-secrets", [("password", _escape(password))]))
    sections += [("ipv4", [("method", "auto")]), ("ipv6", [("method", "auto")])]
    return sections


def _wireguard_key(settings: dict[str, Any], *keys: str, required: bool) -> str:
    value = next((_text(settings, key) for key in keys if _text(settings, key)), "")
    if not value:
        if required:
            raise ProfileError(f"the profile has no {keys[0]}")
        return ""
    if not re.fullmatch(r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=", value):
        raise ProfileError(f"{keys[0]} is not a WireGuard key (44 characters of base64)")
    return value


def wireguard_private_key(state_dir: Path, profile_id: int) -> str:
    """This device's own WireGuard key for the profile: made once (a clamped Curve25519 secret)
    and kept in the state directory, the same across versions of the profile."""
    path = state_dir / "wireguard" / f"profile-{profile_id}.key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    raw = bytearray(secrets.token_bytes(32))
    raw[0] &= 248
    raw[31] = (raw[31] & 127) | 64
    key = base64.b64encode(bytes(raw)).decode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, key.encode("ascii"), 0o600)
    return key


def _wireguard(
    profile: dict[str, Any], settings: dict[str, Any], uid: str, pid: int, state_dir: Path
) -> list[Any]:
    """WireGuard as NetworkManager's own connection type. The server's settings: ``server``,
    ``port``, ``peerPublicKey``, ``allowedIps``, ``dns``, ``persistentKeepalive``,
    ``presharedKey`` (secret); the device's tunnel ``address`` is needed too, and a
    ``privateKey`` when the profile gives one (else the agent makes and keeps its own)."""
    server = _text(settings, "server", required=True)
    port = _port(settings, 51820)
    peer_key = _wireguard_key(settings, "peerPublicKey", "publicKey", required=True)
    preshared = _wireguard_key(settings, "presharedKey", required=False)
    addresses = _list(settings.get("address") or settings.get("addresses"), "address")
    if not addresses:
        raise ProfileError("the profile gives no tunnel address for this device (address)")
    private_key = _wireguard_key(settings, "privateKey", required=False)
    private_key = private_key or wireguard_private_key(state_dir, pid)
    v4: list[str] = []
    v6: list[str] = []
    for address in addresses:
        try:
            network = ipaddress.ip_interface(address)
        except ValueError:
            raise ProfileError(f"address {address!r} is not an IP address") from None
        (v4 if network.version == 4 else v6).append(network.with_prefixlen)
    allowed = _list(settings.get("allowedIps"), "allowedIps") or ["0.0.0.0/0", "::/0"]
    for network_text in allowed:
        try:
            ipaddress.ip_network(network_text, strict=False)
        except ValueError:
            raise ProfileError(f"allowedIps entry {network_text!r} is not a network") from None
    dns = _list(settings.get("dns"), "dns")
    host = f"[{server}]" if ":" in server and not server.startswith("[") else server
    peer = [("endpoint", _escape(f"{host}:{port}")), ("allowed-ips", ";".join(allowed) + ";")]
    if preshared:
        peer += [("preshared-key", preshared), ("preshared-key-flags", "0")]
    keepalive = settings.get("persistentKeepalive")
    if keepalive not in (None, ""):
        try:
            peer.append(("persistent-keepalive", str(int(keepalive))))
        except (TypeError, ValueError):
            raise ProfileError("persistentKeepalive must be a number of seconds") from None
    sections: list[Any] = [
        _connection(
            str(profile.get("name") or server),
            uid,
            "wireguard",
            autoconnect="false",
            interface_name=f"dswg{pid}"[:15],
        ),
        ("wireguard", [("private-key", private_key), ("private-key-flags", "0")]),
        (f"wireguard-peer.{peer_key}", peer),
    ]
    sections.append(("ipv4", _ip_section(v4, [d for d in dns if ":" not in d])))
    sections.append(("ipv6", _ip_section(v6, [d for d in dns if ":" in d])))
    return sections


def _ip_section(addresses: list[str], dns: list[str]) -> list[tuple[str, str]]:
    if not addresses:
        return [("method", "disabled")]
    entries = [("method", "manual")]
    entries += [(f"address{i}", address) for i, address in enumerate(addresses, start=1)]
    if dns:
        entries.append(("dns", ";".join(dns) + ";"))
    return entries


def _list(value: Any, key: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;\s]+", value) if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise ProfileError(f"{key} must be a string or a list of strings")


def render(profile: dict[str, Any], *, config: Config, device_key: str, platform: str) -> Written:
    """What the profile becomes on this device; raises ProfileError or NotApplicable."""
    try:
        pid = int(profile["profileId"])
    except (KeyError, TypeError, ValueError):
        raise ProfileError("the profile has no profileId") from None
    kind = profile.get("profileType")
    target = profile.get("platform")
    if target and target != platform:
        raise NotApplicable(f"the profile is for {target}, this device runs {platform}")
    settings = profile.get("settings")
    if not isinstance(settings, dict):
        raise ProfileError("the profile's settings are not an object")
    written = Written()
    if kind == "custom":
        for key, value in settings.items():
            if isinstance(value, dict | list):
                raise ProfileError(f"custom setting {key!r} is not a plain value")
        body = {"profileId": pid, "version": profile.get("version"), "name": profile.get("name")}
        body["settings"] = settings
        text = json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        written.files[config.custom_profiles_dir / f"custom-{pid}.json"] = text
        return written
    if kind not in ("wifi", "vpn"):
        raise NotApplicable(f"this agent cannot apply {kind!r} profiles")
    if platform != "Linux":
        raise NotApplicable(
            f"{kind} profiles are applied as NetworkManager keyfiles, on Linux only"
        )
    uid = connection_uuid(device_key, pid)
    if kind == "wifi":
        sections = _wifi(profile, settings, uid)
    else:
        vpn_type = settings.get("vpnType")
        if vpn_type == "openvpn":
            sections = _openvpn(profile, settings, uid, config.state_dir / "certs", written)
        elif vpn_type == "wireguard":
            sections = _wireguard(profile, settings, uid, pid, config.state_dir)
        else:
            raise NotApplicable(f"this agent cannot apply {vpn_type!r} VPN profiles")
    written.files[config.nm_root / f"deskside-{pid}.nmconnection"] = keyfile(sections)
    written.network_manager = True
    return written


# -- applying -----------------------------------------------------------------------------------


def _digest(files: dict[Path, str]) -> str:
    text = json.dumps({str(k): v for k, v in sorted(files.items())}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _on_disk(files: dict[Path, str]) -> bool:
    for path, content in files.items():
        try:
            if path.read_text(encoding="utf-8") != content:
                return False
        except (OSError, UnicodeDecodeError):
            return False
    return True


def _remove(paths: Iterable[str]) -> list[str]:
    """Remove files the agent wrote; the errors (a missing file is none)."""
    errors = []
    for name in paths:
        try:
            Path(name).unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            errors.append(f"cannot remove {name}: {error.strerror}")
    return errors


def _reload(config: Config) -> None:
    if not available(config.nmcli_command):
        log.info("nmcli is not installed; NetworkManager reads the keyfiles when it starts")
        return
    result = run(config.nmcli_command, timeout=config.command_timeout_seconds)
    if not result.ok:
        log.warning("nmcli connection reload failed: %s", result.reason())


def profiles_apply(
    *,
    config: Config,
    profiles: list[dict[str, Any]],
    applied: dict[str, Any],
    device_key: str,
    platform: str,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Apply the assigned profiles; remove the files of the ones no longer assigned.

    ``applied`` is what was done before (profile id → version, state, files, digest); the new
    record and the results to report (only those that changed) come back."""
    new: dict[str, Any] = {}
    results: list[dict[str, Any]] = []
    nm_changed = False
    for profile in profiles:
        try:
            pid = int(profile.get("profileId"))  # type: ignore[arg-type]
            version = int(profile.get("version"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            log.warning("a profile without a valid profileId/version was ignored")
            continue
        before = applied.get(str(pid), {})
        record, changed_nm = _apply_one(
            profile, before, config=config, device_key=device_key, platform=platform
        )
        record["version"] = version
        nm_changed = nm_changed or changed_nm
        new[str(pid)] = record
        old_files = set(before.get("files", [])) - set(record["files"])
        if old_files:
            nm_changed = nm_changed or any(f.endswith(".nmconnection") for f in old_files)
            for error in _remove(old_files):
                log.warning("%s", error)
        reported = (before.get("version"), before.get("state"), before.get("detail"))
        if reported != (version, record["state"], record["detail"]):
            results.append(
                {
                    "profileId": pid,
                    "version": version,
                    "state": record["state"],
                    "detail": record["detail"][:1000],
                }
            )
            log.info(
                "profile %s version %s: %s %s", pid, version, record["state"], record["detail"]
            )
    for key, gone in applied.items():
        if key in new:
            continue
        files = gone.get("files", [])
        nm_changed = nm_changed or any(f.endswith(".nmconnection") for f in files)
        for error in _remove(files):
            log.warning("%s", error)
        log.info("profile %s is no longer assigned; its files were removed", key)
    if nm_changed:
        _reload(config)
    return new, results


def _apply_one(
    profile: dict[str, Any],
    before: dict[str, Any],
    *,
    config: Config,
    device_key: str,
    platform: str,
) -> tuple[dict[str, Any], bool]:
    try:
        written = render(profile, config=config, device_key=device_key, platform=platform)
    except NotApplicable as reason:
        return {"state": "notApplicable", "detail": str(reason), "files": []}, False
    except ProfileError as reason:
        return {
            "state": "failed",
            "detail": str(reason),
            "files": list(before.get("files", [])),
        }, False
    digest = _digest(written.files)
    files = [str(path) for path in written.files]
    unchanged = before.get("digest") == digest and before.get("state") == "succeeded"
    if unchanged and _on_disk(written.files):
        return dict(before, files=files), False
    try:
        for path, content in written.files.items():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(path, content.encode("utf-8"), 0o600)
    except OSError as error:
        where = error.filename or config.nm_root
        detail = f"cannot write {where}: {error.strerror or error}"
        for path in written.files:
            if str(path) not in before.get("files", []):
                with contextlib.suppress(OSError):
                    path.unlink()
        return {"state": "failed", "detail": detail, "files": list(before.get("files", []))}, False
    return {"state": "succeeded", "detail": "", "files": files, "digest": digest}, (
        written.network_manager
    )


def profiles_remove_all(*, config: Config, applied: dict[str, Any]) -> list[str]:
    """Remove every file the agent wrote for profiles (retire, wipe); the errors."""
    files = [f for record in applied.values() for f in record.get("files", [])]
    errors = _remove(files)
    if any(f.endswith(".nmconnection") for f in files):
        _reload(config)
    return errors
