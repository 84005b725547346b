"""The agent's local configuration: a TOML (or JSON) file, then ``DESKSIDE_AGENT_*`` overrides.

The file is ``--config PATH``, else ``$DESKSIDE_AGENT_CONFIG``, else
``/etc/deskside-agent/agent.toml``; a missing file means every default. Each key can be overridden
by the environment variable ``DESKSIDE_AGENT_<KEY>`` (``DESKSIDE_AGENT_STATE_DIR=/tmp/x``):
booleans as 1/0/true/false, numbers as digits, commands as a JSON list or a shell-like string.
docs/agent.md lists the keys.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from deskside_agent.i18n import _

DEFAULT_CONFIG = Path("/etc/deskside-agent/agent.toml")
DEFAULT_STATE_DIR = Path("/var/lib/deskside-agent")
DEFAULT_NM_ROOT = Path("/etc/NetworkManager/system-connections")
ENV_PREFIX = "DESKSIDE_AGENT_"


class ConfigError(Exception):
    """The configuration cannot be used as it is; the message (in the person's language) names
    the key and the file."""


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return bool(geteuid is not None and geteuid() == 0)


@dataclass
class Config:
    """What the agent may do on this device and where it keeps its files."""

    path: Path = DEFAULT_CONFIG
    server: str = ""
    state_dir: Path = DEFAULT_STATE_DIR
    nm_root: Path = DEFAULT_NM_ROOT
    # Custom (key/value) profiles are written here; default: profiles.d next to the config file.
    profiles_dir: Path | None = None
    log_file: Path | None = None
    log_level: str = "INFO"
    allow_power_actions: bool = False
    allow_wipe: bool = False
    # Renaming the host needs root; the default follows whether the agent runs as root.
    allow_rename: bool = field(default_factory=_is_root)
    # Waits for the dpkg lock (held by unattended-upgrades, say) instead of failing at once.
    apt_command: list[str] = field(
        default_factory=lambda: ["apt-get", "-o", "DPkg::Lock::Timeout=120"]
    )
    dpkg_query_command: list[str] = field(default_factory=lambda: ["dpkg-query"])
    nmcli_command: list[str] = field(default_factory=lambda: ["nmcli", "connection", "reload"])
    lock_command: list[str] = field(default_factory=lambda: ["loginctl", "lock-sessions"])
    reboot_command: list[str] = field(default_factory=lambda: ["systemctl", "reboot"])
    shutdown_command: list[str] = field(default_factory=lambda: ["systemctl", "poweroff"])
    rename_command: list[str] = field(
        default_factory=lambda: ["hostnamectl", "set-hostname", "{name}"]
    )
    # Run by a wipe after the agent's own data is removed; empty: nothing more is run.
    wipe_command: list[str] = field(default_factory=list)
    command_timeout_seconds: float = 60.0
    script_timeout_seconds: float = 1800.0
    # A failed required app is tried again after this long (or at once when its definition changes).
    app_retry_seconds: float = 3600.0
    retry_initial_seconds: float = 5.0
    retry_max_seconds: float = 300.0
    socket_retry_max_seconds: float = 300.0
    socket_ping_seconds: float = 3600.0
    http_timeout_seconds: float = 30.0
    # None: follow checkInIntervalSeconds from the server's answer.
    check_in_interval_seconds: float | None = None
    diagnostics_max_bytes: int = 8 * 1024 * 1024
    ca_file: str = ""
    # A JSON file whose keys replace collected facts (a test and diagnostic hook; docs/agent.md).
    facts_override_file: Path | None = None
    ownership: str = "unknown"

    @property
    def custom_profiles_dir(self) -> Path:
        return self.profiles_dir or self.path.parent / "profiles.d"

    @property
    def log_path(self) -> Path:
        return self.log_file or self.state_dir / "agent.log"


_PATHS = {"state_dir", "nm_root", "profiles_dir", "log_file", "facts_override_file"}
_COMMANDS = {
    "apt_command",
    "dpkg_query_command",
    "nmcli_command",
    "lock_command",
    "reboot_command",
    "shutdown_command",
    "rename_command",
    "wipe_command",
}
_BOOLS = {"allow_power_actions", "allow_wipe", "allow_rename"}
_FLOATS = {
    "command_timeout_seconds",
    "script_timeout_seconds",
    "app_retry_seconds",
    "retry_initial_seconds",
    "retry_max_seconds",
    "socket_retry_max_seconds",
    "socket_ping_seconds",
    "http_timeout_seconds",
    "check_in_interval_seconds",
}
_INTS = {"diagnostics_max_bytes"}
_STRINGS = {"server", "log_level", "ca_file", "ownership"}
KEYS = _PATHS | _COMMANDS | _BOOLS | _FLOATS | _INTS | _STRINGS


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on"}:
        return True
    if isinstance(value, str) and value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(
        _("{key} must be true or false, not {value}").format(key=key, value=repr(value))
    )


def _command(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                raise ConfigError(
                    _("{key}: not a JSON list ({error})").format(key=key, error=error)
                ) from error
        else:
            return shlex.split(text)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ConfigError(
        _("{key} must be a list of strings (the command and its arguments)").format(key=key)
    )


def _number(key: str, value: Any, kind: type[float] | type[int]) -> float | int | None:
    if value is None or value == "":
        if key == "check_in_interval_seconds":
            return None
        raise ConfigError(_("{key} must be a number").format(key=key))
    if isinstance(value, bool):
        raise ConfigError(
            _("{key} must be a number, not {value}").format(key=key, value=repr(value))
        )
    try:
        number = kind(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(
            _("{key} must be a number, not {value}").format(key=key, value=repr(value))
        ) from error
    if number < 0:
        raise ConfigError(_("{key} must not be negative").format(key=key))
    return number


def _convert(key: str, value: Any) -> Any:
    if key in _PATHS:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise ConfigError(_("{key} must be a path").format(key=key))
        return Path(value).expanduser()
    if key in _COMMANDS:
        return _command(key, value)
    if key in _BOOLS:
        return _bool(key, value)
    if key in _FLOATS:
        return _number(key, value, float)
    if key in _INTS:
        return _number(key, value, int)
    if not isinstance(value, str):
        raise ConfigError(_("{key} must be a string").format(key=key))
    return value


def _read_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(
            _("cannot read {path}: {error}").format(path=path, error=error.strerror)
        ) from error
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        kind = "JSON" if path.suffix == ".json" else "TOML"
        raise ConfigError(
            _("{path} is not valid {kind}: {error}").format(path=path, kind=kind, error=error)
        ) from error
    if not isinstance(data, dict):
        raise ConfigError(_("{path} must hold a table of keys").format(path=path))
    return data


def config_load(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """The configuration from the file (missing: defaults), then the environment's overrides."""
    env = dict(os.environ if environ is None else environ)
    chosen = Path(path or env.get(f"{ENV_PREFIX}CONFIG") or DEFAULT_CONFIG).expanduser()
    values: dict[str, Any] = {}
    for key, value in _read_file(chosen).items():
        if key not in KEYS:
            raise ConfigError(_("{path}: unknown key {key}").format(path=chosen, key=repr(key)))
        values[key] = _convert(key, value)
    for key in KEYS:
        raw = env.get(f"{ENV_PREFIX}{key.upper()}")
        if raw is not None:
            values[key] = _convert(key, raw)
    known = {f.name for f in fields(Config)}
    config = Config(
        path=chosen, **{k: v for k, v in values.items() if k in known and v is not None}
    )
    if "check_in_interval_seconds" in values:
        config.check_in_interval_seconds = values["check_in_interval_seconds"]
    for key in ("state_dir", "nm_root"):
        if values.get(key, "") is None:
            raise ConfigError(_("{key} must not be empty").format(key=key))
    if config.ownership not in {"company", "personal", "unknown"}:
        raise ConfigError(_("ownership must be company, personal or unknown"))
    return config


def platform_name() -> str:
    """The protocol's name of this platform: Linux, macOS or Windows."""
    if sys.platform == "darwin":
        return "macOS"
    if sys.platform == "win32":
        return "Windows"
    return "Linux"
