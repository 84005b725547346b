"""What the agent reads about this device: facts and installed applications.

Every probe is guarded (a missing file or command, a permission error, a timeout) and gives an
empty string or None ("cannot tell") instead of failing; docs/agent.md says where each fact comes
from on Linux, macOS and Windows. ``facts_override_file`` (config) is a test and diagnostic hook:
its JSON keys (protocol names: ``isEncrypted``, ``deviceName``..., and ``inventory``) replace
what was read.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import shutil
import socket
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from deskside_agent import __version__
from deskside_agent.config import Config, platform_name
from deskside_agent.protocol import Facts, InventoryItem
from deskside_agent.system import output

log = logging.getLogger("deskside_agent")

DMI = Path("/sys/class/dmi/id")
# Firmware placeholders that mean "not set".
_PLACEHOLDERS = {
    "",
    "to be filled by o.e.m.",
    "default string",
    "system serial number",
    "system manufacturer",
    "system product name",
    "not specified",
    "none",
    "0",
    "123456789",
}
_FACT_KEYS = {
    "deviceName": "device_name",
    "operatingSystem": "operating_system",
    "osVersion": "os_version",
    "serialNumber": "serial_number",
    "manufacturer": "manufacturer",
    "model": "model",
    "hardwareId": "hardware_id",
    "isEncrypted": "is_encrypted",
    "firewallEnabled": "firewall_enabled",
    "screenLockEnabled": "screen_lock_enabled",
    "freeStorageSpaceInBytes": "free_storage_bytes",
    "totalStorageSpaceInBytes": "total_storage_bytes",
}


def _read(path: Path, limit: int = 65536) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(limit).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _clean(value: str, limit: int = 128) -> str:
    value = " ".join(value.split())
    return "" if value.lower() in _PLACEHOLDERS else value[:limit]


# -- Linux ------------------------------------------------------------------------------------


def os_release(path: Path = Path("/etc/os-release")) -> dict[str, str]:
    """``/etc/os-release`` (else ``/usr/lib/os-release``) as a dict."""
    text = _read(path) or _read(Path("/usr/lib/os-release"))
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip().strip("\"'")
    return values


def _linux_os_version(release: dict[str, str]) -> str:
    # Debian's point release ("12.8") is in /etc/debian_version; os-release only says "12".
    if release.get("ID") == "debian":
        point = _read(Path("/etc/debian_version"))
        if re.fullmatch(r"\d+(\.\d+)*", point):
            return point
    return release.get("VERSION_ID") or platform.release() or "unknown"


def _mount_source(mount_point: str = "/") -> str:
    """The device a mount point is mounted from (``/dev/mapper/root``), from mountinfo."""
    source = ""
    for line in _read(Path("/proc/self/mountinfo"), limit=1 << 20).splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if sep and len(fields) >= 5 and fields[4] == mount_point:
            parts = right.split()
            if len(parts) >= 2:
                source = parts[1]
    return source


def _block_name(source: str) -> str:
    """``/dev/mapper/x`` or ``/dev/dm-0`` or ``/dev/sda2`` → the name under /sys/class/block."""
    if not source.startswith("/dev/"):
        return ""
    try:
        resolved = os.path.realpath(source)
    except OSError:
        return ""
    name = os.path.basename(resolved)
    return name if Path("/sys/class/block", name).exists() else ""


def _is_crypt(name: str, seen: set[str] | None = None) -> bool:
    """Whether the block device, or one it sits on (LVM on LUKS), is a dm-crypt mapping."""
    seen = seen if seen is not None else set()
    if name in seen or len(seen) > 32:
        return False
    seen.add(name)
    block = Path("/sys/class/block", name)
    if _read(block / "dm" / "uuid").startswith("CRYPT-"):
        return True
    try:
        slaves = [entry.name for entry in (block / "slaves").iterdir()]
    except OSError:
        slaves = []
    return any(_is_crypt(slave, seen) for slave in slaves)


def linux_root_encrypted() -> bool | None:
    """Whether ``/`` is on dm-crypt/LUKS: /sys/class/block/*/dm/uuid (CRYPT-...) of the root
    device and what it sits on, else ``lsblk``; None for a root that is not a block device
    (a container's overlay, a network filesystem)."""
    source = _mount_source("/")
    name = _block_name(source)
    if name:
        return _is_crypt(name)
    if source.startswith("/dev/") and shutil.which("lsblk"):
        text = output(["lsblk", "-s", "-n", "-o", "TYPE", source])
        if text is not None:
            return "crypt" in text.split()
    return None


def _nft_has_rules(ruleset: str) -> bool:
    """An nftables ruleset that filters: a rule in a chain, or a chain whose policy drops."""
    in_chain = False
    for raw in ruleset.splitlines():
        line = raw.strip()
        if line.startswith("chain "):
            in_chain = True
            continue
        if line == "}":
            in_chain = False
            continue
        if not in_chain or not line:
            continue
        if line.startswith("type "):
            if "policy drop" in line or "policy reject" in line:
                return True
            continue
        return True
    return False


def linux_firewall_enabled() -> bool | None:
    """On when nftables holds rules, or ufw / firewalld says active; None when none can tell."""
    told = False
    if shutil.which("ufw"):
        text = output(["ufw", "status"])
        if text is not None:
            told = True
            if "Status: active" in text:
                return True
    if shutil.which("firewall-cmd"):
        text = output(["firewall-cmd", "--state"])
        told = True
        if text is not None and text.strip() == "running":
            return True
    if shutil.which("nft"):
        text = output(["nft", "list", "ruleset"])
        if text is not None:
            told = True
            if _nft_has_rules(text):
                return True
    if shutil.which("iptables"):
        text = output(["iptables", "-S"])
        if text is not None:
            told = True
            lines = text.splitlines()
            if any(line.startswith("-A ") for line in lines) or "-P INPUT DROP" in lines:
                return True
    return False if told else None


def _session_users() -> list[int]:
    """Uids of users with a session bus (``/run/user/<uid>/bus``), desktop users first."""
    uids: list[int] = []
    try:
        entries = list(Path("/run/user").iterdir())
    except OSError:
        return uids
    for entry in entries:
        if entry.name.isdigit() and (entry / "bus").exists():
            uids.append(int(entry.name))
    return sorted(uids, key=lambda uid: (uid < 1000, uid))


def _gsettings(uid: int | None, key: str) -> str | None:
    command = ["gsettings", "get", "org.gnome.desktop.screensaver", key]
    if uid is not None:
        command = ["env", f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{uid}/bus", *command]
    text = output(command, timeout=5, user=uid)
    return text.strip() if text is not None else None


def linux_screen_lock_enabled() -> bool | None:
    """GNOME's screensaver lock-enabled (and a non-zero idle delay) through gsettings, in the
    agent's own session, or as each user with a session bus when the agent runs as root;
    None without a desktop session to ask."""
    if not shutil.which("gsettings"):
        return None
    candidates: list[int | None] = []
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        candidates.append(None)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        candidates.extend(_session_users())
    for uid in candidates:
        lock = _gsettings(uid, "lock-enabled")
        if lock not in ("true", "false"):
            continue
        idle = _gsettings(uid, "idle-delay") or ""
        idle_seconds = idle.split()[-1] if idle.split() else ""
        return lock == "true" and idle_seconds != "0"
    return None


def linux_inventory(config: Config) -> list[InventoryItem]:
    """Installed Debian packages from ``dpkg-query`` (the maintainer as publisher), else rpm."""
    dpkg = [*config.dpkg_query_command]
    if dpkg and shutil.which(dpkg[0]):
        text = output(
            [
                *dpkg,
                "-W",
                "-f=${binary:Package}\\t${Version}\\t${Maintainer}\\t${db:Status-Abbrev}\\n",
            ],
            timeout=30,
        )
        if text is not None:
            items = []
            for line in text.splitlines():
                parts = line.split("\t")
                if len(parts) == 4 and parts[3].startswith("ii"):
                    items.append(_item(parts[0], parts[1], _publisher(parts[2])))
            return items
    if shutil.which("rpm"):
        text = output(["rpm", "-qa", "--qf", "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{VENDOR}\\n"])
        if text is not None:
            return [_item(*(line.split("\t") + ["", ""])[:3]) for line in text.splitlines() if line]
    return []


def _publisher(maintainer: str) -> str:
    """``Debian GNOME Maintainers <pkg-gnome@...>`` → ``Debian GNOME Maintainers``."""
    return maintainer.split("<", 1)[0].strip().strip('"')


def _item(name: str, version: str, publisher: str) -> InventoryItem:
    return InventoryItem(name=name[:300], version=version[:100], publisher=publisher[:200])


def _linux_hardware_id() -> str:
    return _read(DMI / "product_uuid").lower() or _read(Path("/etc/machine-id"))


# -- macOS ------------------------------------------------------------------------------------


MAC_FIREWALL = "/usr/libexec/ApplicationFirewall/socketfilterfw"


def _mac_facts() -> dict[str, Any]:
    found: dict[str, Any] = {"os_version": platform.mac_ver()[0] or platform.release()}
    hardware = output(["system_profiler", "SPHardwareDataType"], timeout=15) or ""
    for line in hardware.splitlines():
        key, _, value = line.strip().partition(":")
        if key == "Serial Number (system)":
            found["serial_number"] = _clean(value)
        elif key == "Model Identifier":
            found["model"] = _clean(value)
        elif key == "Hardware UUID":
            found["hardware_id"] = value.strip()
    found["manufacturer"] = "Apple"
    found["is_encrypted"] = _mac_filevault(output(["fdesetup", "status"]))
    found["firewall_enabled"] = _mac_firewall(output([MAC_FIREWALL, "--getglobalstate"]))
    return found


def _on_off(text: str | None, on: str, off: str) -> bool | None:
    """True when a tool's output says ``on``, false when it says ``off``, else unknown."""
    if text is None:
        return None
    if on in text:
        return True
    return False if off in text else None


def _mac_filevault(status: str | None) -> bool | None:
    """``fdesetup status``: "FileVault is On." or "FileVault is Off." (and while it converts,
    "Encryption in progress" / "Decryption in progress"); anything else is unknown."""
    return _on_off(status, "FileVault is On", "FileVault is Off")


def _mac_firewall(state: str | None) -> bool | None:
    """``socketfilterfw --getglobalstate``: "Firewall is enabled. (State = 1)", "(State = 2)"
    when it blocks every incoming connection, "Firewall is disabled. (State = 0)"."""
    if state is None:
        return None
    found = re.search(r"State\s*=\s*(\d)", state)
    if found:
        return int(found.group(1)) > 0
    if "disabled" in state.lower():
        return False
    return True if "enabled" in state.lower() else None


def _mac_inventory() -> list[InventoryItem]:
    import plistlib

    items: list[InventoryItem] = []
    for app in sorted(Path("/Applications").glob("*.app"))[:2000]:
        try:
            info = plistlib.loads((app / "Contents" / "Info.plist").read_bytes())
        except (OSError, ValueError, plistlib.InvalidFileException):
            continue
        version = str(info.get("CFBundleShortVersionString", ""))
        publisher = str(info.get("CFBundleIdentifier", "")).rsplit(".", 1)[0]
        items.append(_item(app.stem, version, publisher))
    return items


# -- Windows ----------------------------------------------------------------------------------


# One PowerShell call for what Windows keeps in WMI (as JSON, so the output is not localised).
WINDOWS_HARDWARE = [
    "powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
    "$c = Get-CimInstance Win32_ComputerSystem; $b = Get-CimInstance Win32_BIOS; "
    "[pscustomobject]@{Manufacturer=$c.Manufacturer; Model=$c.Model; "
    "SerialNumber=$b.SerialNumber} | ConvertTo-Json -Compress",
]  # fmt: skip


def _windows_facts() -> dict[str, Any]:
    found: dict[str, Any] = {"os_version": platform.version()}
    found.update(_windows_hardware(output(WINDOWS_HARDWARE, timeout=20)))
    found["firewall_enabled"] = _windows_firewall(
        output(["netsh", "advfirewall", "show", "allprofiles", "state"])
    )
    found["is_encrypted"] = _windows_bitlocker(output(["manage-bde", "-status", "C:"], timeout=15))
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(
                winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography"
            ) as key:
                found["hardware_id"] = str(winreg.QueryValueEx(key, "MachineGuid")[0])
        except OSError:
            pass
    return found


def _windows_hardware(text: str | None) -> dict[str, Any]:
    """Manufacturer, model and serial number from ``WINDOWS_HARDWARE``'s JSON; what is missing,
    empty or a vendor's placeholder stays unknown."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    fields = {"manufacturer": "Manufacturer", "model": "Model", "serial_number": "SerialNumber"}
    found = {}
    for name, key in fields.items():
        value = _clean(str(data.get(key) or ""))
        if value:
            found[name] = value
    return found


def _windows_firewall(text: str | None) -> bool | None:
    """``netsh advfirewall show allprofiles state``: on when every profile (domain, private,
    public) is ON; unknown when no state can be read (a localised Windows words it otherwise)."""
    states = re.findall(r"^State\s+(ON|OFF)\s*$", text or "", flags=re.IGNORECASE | re.MULTILINE)
    if not states:
        return None
    return all(state.upper() == "ON" for state in states)


def _windows_bitlocker(text: str | None) -> bool | None:
    """``manage-bde -status C:`` (it needs an administrator): "Protection On" or "Protection
    Off"; unknown otherwise."""
    return _on_off(text, "Protection On", "Protection Off")


def _windows_inventory() -> list[InventoryItem]:
    items: list[InventoryItem] = []
    if sys.platform != "win32":
        return items
    import winreg

    root = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, root) as uninstall:
            count = winreg.QueryInfoKey(uninstall)[0]
            for index in range(min(count, 5000)):
                try:
                    with winreg.OpenKey(uninstall, winreg.EnumKey(uninstall, index)) as app:

                        def value(name: str, key: Any = app) -> str:
                            try:
                                return str(winreg.QueryValueEx(key, name)[0])
                            except OSError:
                                return ""

                        name = value("DisplayName")
                        if name:
                            items.append(_item(name, value("DisplayVersion"), value("Publisher")))
                except OSError:
                    continue
    except OSError:
        pass
    return items


# -- every platform ---------------------------------------------------------------------------


def _override(config: Config) -> dict[str, Any]:
    path = config.facts_override_file
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("facts override %s ignored: %s", path, error)
        return {}
    return data if isinstance(data, dict) else {}


def _disk() -> tuple[int | None, int | None]:
    root = os.environ.get("SYSTEMDRIVE", "C:") + "\\" if sys.platform == "win32" else "/"
    try:
        usage = shutil.disk_usage(root)
    except OSError:
        return None, None
    return usage.free, usage.total


def _probe(name: str, probe: Any, *args: Any) -> Any:
    """Run one probe; any surprise is logged and counts as "cannot tell"."""
    try:
        return probe(*args)
    except Exception as error:  # noqa: BLE001 - a probe never stops a check-in
        log.warning("could not read %s: %s", name, error)
        return None


def collect_facts(config: Config) -> Facts:
    """The facts of this device now (then the override file's keys, if one is configured)."""
    system = platform_name()
    free, total = _disk()
    values: dict[str, Any] = {
        "device_name": socket.gethostname() or "unknown",
        "operating_system": system,
        "os_version": platform.release() or "unknown",
        "free_storage_bytes": free,
        "total_storage_bytes": total,
    }
    if system == "Linux":
        release = os_release()
        values["os_version"] = _linux_os_version(release)
        values["serial_number"] = _clean(_read(DMI / "product_serial"))
        values["manufacturer"] = _clean(_read(DMI / "sys_vendor"))
        values["model"] = _clean(_read(DMI / "product_name"))
        values["hardware_id"] = _probe("hardware id", _linux_hardware_id) or ""
        values["is_encrypted"] = _probe("encryption", linux_root_encrypted)
        values["firewall_enabled"] = _probe("firewall", linux_firewall_enabled)
        values["screen_lock_enabled"] = _probe("screen lock", linux_screen_lock_enabled)
    elif system == "macOS":
        values.update(_probe("macOS facts", _mac_facts) or {})
    elif system == "Windows":
        values.update(_probe("Windows facts", _windows_facts) or {})
    facts = Facts(**values)
    changes = {
        _FACT_KEYS[key]: value for key, value in _override(config).items() if key in _FACT_KEYS
    }
    return replace(facts, **changes) if changes else facts


def collect_inventory(config: Config) -> list[InventoryItem]:
    """The installed applications (the override file's ``inventory`` wins when it has one)."""
    override = _override(config).get("inventory")
    if isinstance(override, list):
        return [
            _item(str(i.get("name", "")), str(i.get("version", "")), str(i.get("publisher", "")))
            for i in override
            if isinstance(i, dict) and i.get("name")
        ]
    system = platform_name()
    probe = {"Linux": linux_inventory, "macOS": lambda _c: _mac_inventory()}.get(
        system, lambda _c: _windows_inventory()
    )
    return list(_probe("inventory", probe, config) or [])


def os_description() -> str:
    """A human name of the system, for ``status`` (``Debian GNU/Linux 12 (bookworm)``)."""
    if platform_name() == "Linux":
        return os_release().get("PRETTY_NAME", "") or "Linux"
    return f"{platform.system()} {platform.release()}"


def agent_version() -> str:
    return __version__
