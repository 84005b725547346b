"""Facts on macOS and Windows, read on this Linux machine: the agent's own code for those
platforms runs, with stand-ins on PATH for the tools it calls there (system_profiler, fdesetup,
socketfilterfw; PowerShell, netsh, manage-bde) printing what those tools print. What a tool does
not tell, or tells in words the agent does not know, is unknown; nothing stops a check-in.

No macOS or Windows machine can run here, so these tests prove the parsing and the guarding, not
the tools' output on a real machine (docs/agent.md, "Facts", says so). The actions this agent
cannot run there are notSupported with the platform named."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskside_agent import facts as facts_module
from deskside_agent.actions import ActionRunner
from deskside_agent.config import Config
from deskside_agent.facts import (
    _mac_filevault,
    _mac_firewall,
    _windows_bitlocker,
    _windows_firewall,
    _windows_hardware,
    collect_facts,
    collect_inventory,
)
from deskside_agent.state import Store

pytestmark = pytest.mark.agent

SYSTEM_PROFILER = """Hardware:

    Hardware Overview:

      Model Name: MacBook Pro
      Model Identifier: Mac15,6
      Model Number: MRX33LL/A
      Chip: Apple M3 Pro
      Total Number of Cores: 11 (5 performance and 6 efficiency)
      Memory: 18 GB
      System Firmware Version: 10151.140.19
      Serial Number (system): C02XK1JHJGH5
      Hardware UUID: 5A3E2C4B-1F6D-4E8A-9B7C-2D1E0F3A4B5C
      Activation Lock Status: Disabled
"""

NETSH = """
Domain Profile Settings:
----------------------------------------------------------------------
State                                 ON

Private Profile Settings:
----------------------------------------------------------------------
State                                 ON

Public Profile Settings:
----------------------------------------------------------------------
State                                 {public}
Ok.
"""

NETSH_DUTCH = """
Instellingen voor domeinprofiel:
----------------------------------------------------------------------
Status                                AAN
Ok.
"""

MANAGE_BDE = """BitLocker Drive Encryption: Configuration Tool version 10.0.19041
Copyright (C) 2013 Microsoft Corporation. All rights reserved.

Volume C: [Windows]
[OS Volume]

    Size:                 237,00 GB
    Conversion Status:    Fully Encrypted
    Percentage Encrypted: 100,0%
    Encryption Method:    XTS-AES 128
    Protection Status:    Protection On
    Lock Status:          Unlocked
"""

BLOCKING_ALL = "Firewall is blocking all non-essential incoming connections. (State = 2)"
ACCESS_DENIED = "ERROR: An attempt to access a required resource was denied."
POWERSHELL = '{"Manufacturer":"LENOVO","Model":"20XW0055MH","SerialNumber":"PF3ABCDE"}'


def _tool(bin_dir: Path, name: str, out: str, code: int = 0) -> Path:
    """An executable ``name`` that prints ``out`` and exits with ``code``."""
    text = bin_dir / f"{name}.out"
    text.write_text(out)
    tool = bin_dir / name
    tool.write_text(f"#!/bin/sh\n/bin/cat '{text}'\nexit {code}\n")
    tool.chmod(0o755)
    return tool


@pytest.fixture
def tools(tmp_path: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """An empty PATH of stand-ins; each test puts the tools it wants in it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


@pytest.fixture
def macos(monkeypatch, tools: Path) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(facts_module, "platform_name", lambda: "macOS")
    monkeypatch.setattr(facts_module.platform, "mac_ver", lambda: ("14.6.1", ("", "", ""), "arm64"))
    monkeypatch.setattr(facts_module, "MAC_FIREWALL", str(tools / "socketfilterfw"))
    return tools


@pytest.fixture
def windows(monkeypatch, tools: Path) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(facts_module, "platform_name", lambda: "Windows")
    monkeypatch.setattr(facts_module.platform, "version", lambda: "10.0.19045")
    return tools


def _config(tmp_path: Path) -> Config:
    return Config(path=tmp_path / "agent.toml")


def test_on_macos_the_hardware_filevault_and_firewall_are_read(macos: Path, tmp_path) -> None:
    _tool(macos, "system_profiler", SYSTEM_PROFILER)
    _tool(macos, "fdesetup", "FileVault is On.\n")
    _tool(macos, "socketfilterfw", f"{BLOCKING_ALL}\n")
    facts = collect_facts(_config(tmp_path))
    assert (facts.operating_system, facts.os_version) == ("macOS", "14.6.1")
    assert (facts.manufacturer, facts.model, facts.serial_number) == (
        "Apple",
        "Mac15,6",
        "C02XK1JHJGH5",
    )
    assert facts.hardware_id == "5A3E2C4B-1F6D-4E8A-9B7C-2D1E0F3A4B5C"
    assert (facts.is_encrypted, facts.firewall_enabled) == (True, True)
    assert facts.screen_lock_enabled is None  # not read on macOS: unknown
    assert facts.checkin_json()["screenLockEnabled"] is None


def test_on_macos_without_the_tools_the_facts_are_unknown(macos: Path, tmp_path) -> None:
    facts = collect_facts(_config(tmp_path))
    assert facts.operating_system == "macOS" and facts.device_name
    assert (facts.serial_number, facts.model) == ("", "")
    assert (facts.is_encrypted, facts.firewall_enabled, facts.screen_lock_enabled) == (
        None,
        None,
        None,
    )
    assert collect_inventory(_config(tmp_path)) == []  # no /Applications here


def test_on_windows_wmi_the_firewall_and_bitlocker_are_read(windows: Path, tmp_path) -> None:
    _tool(windows, "powershell.exe", POWERSHELL)
    _tool(windows, "netsh", NETSH.format(public="OFF"))
    _tool(windows, "manage-bde", MANAGE_BDE)
    facts = collect_facts(_config(tmp_path))
    assert (facts.operating_system, facts.os_version) == ("Windows", "10.0.19045")
    assert (facts.manufacturer, facts.model, facts.serial_number) == (
        "LENOVO",
        "20XW0055MH",
        "PF3ABCDE",
    )
    assert facts.firewall_enabled is False  # the public profile is off
    assert facts.is_encrypted is True
    assert facts.screen_lock_enabled is None
    assert collect_inventory(_config(tmp_path)) == []  # the registry is Windows' own


def test_on_windows_output_it_cannot_read_is_unknown_not_false(windows: Path, tmp_path) -> None:
    _tool(windows, "powershell.exe", "Get-CimInstance : Access denied\n", code=1)
    _tool(windows, "netsh", NETSH_DUTCH)
    _tool(windows, "manage-bde", f"{ACCESS_DENIED}\n", code=1)
    facts = collect_facts(_config(tmp_path))
    assert (facts.manufacturer, facts.model, facts.serial_number) == ("", "", "")
    assert (facts.firewall_enabled, facts.is_encrypted) == (None, None)


@pytest.mark.parametrize(
    ("state", "enabled"),
    [
        ("Firewall is enabled. (State = 1)", True),
        (BLOCKING_ALL, True),
        ("Firewall is disabled. (State = 0)", False),
        ("Firewall is disabled.", False),
        ("socketfilterfw: unexpected", None),
        (None, None),
    ],
)
def test_the_macos_firewall_state(state, enabled) -> None:
    assert _mac_firewall(state) is enabled


@pytest.mark.parametrize(
    ("status", "encrypted"),
    [
        ("FileVault is On.", True),
        ("FileVault is Off.", False),
        ("Encryption in progress: Percent completed = 42", None),
        (None, None),
    ],
)
def test_the_macos_filevault_status(status, encrypted) -> None:
    assert _mac_filevault(status) is encrypted


@pytest.mark.parametrize(
    ("text", "enabled"),
    [(NETSH.format(public="ON"), True), (NETSH.format(public="OFF"), False), (NETSH_DUTCH, None)],
)
def test_the_windows_firewall_profiles(text, enabled) -> None:
    assert _windows_firewall(text) is enabled


def test_bitlocker_and_wmi_placeholders() -> None:
    assert _windows_bitlocker(MANAGE_BDE.replace("Protection On", "Protection Off")) is False
    assert _windows_bitlocker("Beveiligingsstatus: Beveiliging ingeschakeld") is None
    placeholder = (
        '{"Manufacturer":"System manufacturer","Model":"","SerialNumber":"Default string"}'
    )
    assert _windows_hardware(placeholder) == {}
    assert _windows_hardware("[1, 2]") == {} and _windows_hardware(None) == {}


@pytest.mark.parametrize("platform_name", ["macOS", "Windows"])
def test_elsewhere_than_linux_the_actions_it_cannot_run_are_not_supported_by_name(
    platform_name: str, tmp_path: Path
) -> None:
    config = Config(path=tmp_path / "agent.toml", allow_power_actions=True, allow_rename=True)
    store = Store(tmp_path / "state")
    store.ensure()
    runner = ActionRunner(
        config=config,
        store=store,
        client=None,  # type: ignore[arg-type]  # none of these actions calls the server
        platform=platform_name,
        facts=lambda: collect_facts(config),
        diagnostics=lambda: b"",
    )
    names = ["remoteLock", "rebootNow", "shutDown", "setDeviceName", "syncDevice"]
    runner.run_all(
        [
            {"actionId": n, "action": name, "parameters": {"deviceName": "kiosk-7"}}
            for n, name in enumerate(names, start=1)
        ]
    )
    results = {item["body"]["actionId"]: item["body"] for item in store.queue()["results"]}
    assert [results[n]["state"] for n in range(1, 6)] == ["notSupported"] * 4 + ["done"]
    for n in range(1, 5):
        assert f"not supported on {platform_name}" in results[n]["detail"]
    assert runner.sync_requested
