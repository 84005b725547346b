"""Facts read from this machine: every probe guarded; the parsers of what the probes read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deskside_agent.config import Config
from deskside_agent.facts import (
    _nft_has_rules,
    _publisher,
    collect_facts,
    collect_inventory,
    os_release,
)

pytestmark = pytest.mark.agent

RULESET_EMPTY = """table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
"""
RULESET_DROP = RULESET_EMPTY.replace("policy accept", "policy drop")
RULESET_RULE = RULESET_EMPTY.replace(
    "policy accept;\n", "policy accept;\n\t\ttcp dport 22 accept\n"
)


@pytest.mark.parametrize(
    ("ruleset", "filtering"),
    [("", False), (RULESET_EMPTY, False), (RULESET_DROP, True), (RULESET_RULE, True)],
)
def test_an_nftables_ruleset_filters_when_it_has_a_rule_or_drops(ruleset, filtering) -> None:
    assert _nft_has_rules(ruleset) is filtering


def test_the_maintainer_is_the_publisher_without_the_address() -> None:
    assert _publisher("Debian GNOME Maintainers <pkg-gnome@lists.debian.org>") == (
        "Debian GNOME Maintainers"
    )


def test_os_release_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "os-release"
    path.write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
    assert os_release(path)["PRETTY_NAME"] == "Debian GNU/Linux 12 (bookworm)"


def test_the_facts_of_this_machine(tmp_path: Path) -> None:
    facts = collect_facts(Config(path=tmp_path / "agent.toml"))
    assert facts.operating_system == "Linux"
    assert facts.os_version and facts.device_name
    total = facts.total_storage_bytes
    assert total is not None and facts.free_storage_bytes is not None and total > 0
    assert facts.is_encrypted in (True, False, None)


def test_no_probe_fails_without_any_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    config = Config(path=tmp_path / "agent.toml", dpkg_query_command=["dpkg-query"])
    facts = collect_facts(config)
    assert facts.firewall_enabled is None
    assert facts.screen_lock_enabled is None
    assert collect_inventory(config) == []


@pytest.mark.skipif(not Path("/usr/bin/dpkg-query").exists(), reason="not Debian")
def test_the_inventory_lists_the_installed_packages(tmp_path: Path) -> None:
    items = {item.name: item for item in collect_inventory(Config(path=tmp_path / "a.toml"))}
    assert "gettext" in items
    assert items["gettext"].version and items["gettext"].publisher


def test_the_override_file_replaces_facts(tmp_path: Path) -> None:
    override = tmp_path / "facts.json"
    override.write_text('{"isEncrypted": false, "deviceName": "kiosk-7", "unknownKey": 1}')
    facts = collect_facts(Config(path=tmp_path / "a.toml", facts_override_file=override))
    assert (facts.is_encrypted, facts.device_name) == (False, "kiosk-7")
    assert os.path.exists(override)
