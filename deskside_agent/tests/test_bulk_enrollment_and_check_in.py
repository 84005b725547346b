"""Enrolling with a bulk token through the real CLI, then checking in: the server stores the
facts the agent read (and its override hook), the credential stays private."""

from __future__ import annotations

import json
import stat

import pytest

pytestmark = pytest.mark.agent


def test_the_agent_enrolls_with_a_bulk_token_and_keeps_the_credential_private(
    agent, server
) -> None:
    device_id = agent.enroll()
    credential_file = agent.state / "credential.json"
    assert stat.S_IMODE(credential_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(agent.state.stat().st_mode) == 0o700
    credential = json.loads(credential_file.read_text())["credential"]
    assert len(credential) >= 32
    device = server.seed("device", deviceId=device_id)
    assert (device["enrollmentMethod"], device["serialNumber"]) == (
        "bulkToken",
        f"SN-{agent.root.name}",
    )
    assert credential not in agent.log()
    assert credential not in agent.cli("status").stdout
    assert credential not in agent.cli("status", "--json").stdout


def test_a_check_in_reports_the_facts_the_agent_read(agent, server) -> None:
    device_id = agent.enroll()
    agent.overrides({"isEncrypted": True, "firewallEnabled": False})
    done = agent.check_in()
    assert done.returncode == 0, done.stdout + done.stderr + agent.log()
    device = server.seed("device", deviceId=device_id)
    facts = json.loads(agent.cli("facts").stdout)["facts"]
    assert device["operatingSystem"] == "Linux"
    assert device["osVersion"] == facts["osVersion"]
    assert device["agentVersion"] == "1.0.0"
    assert (device["isEncrypted"], device["firewallEnabled"]) == (True, False)
    assert device["totalStorageSpaceInBytes"] == facts["totalStorageSpaceInBytes"] > 0
    assert device["lastSyncAt"] is not None
    status = agent.status()
    assert status["lastCheckIn"]["result"] == "ok"
    assert status["deviceId"] == device_id


def test_the_inventory_is_sent_only_when_it_changed(agent, server) -> None:
    agent.enroll()
    assert agent.check_in().returncode == 0
    assert agent.status()["lastCheckIn"]["inventorySent"] is True
    assert agent.check_in().returncode == 0
    assert agent.status()["lastCheckIn"]["inventorySent"] is False
    agent.overrides({"inventory": [{"name": "only-this", "version": "1", "publisher": "Us"}]})
    assert agent.check_in().returncode == 0
    assert agent.status()["lastCheckIn"]["inventorySent"] is True


def test_enrolling_twice_needs_force(agent) -> None:
    agent.enroll()
    token = agent.root / "token"
    again = agent.cli("enroll", "--bulk-token-file", str(token), "--tenant-domain", "lakeside.test")
    assert again.returncode == 2
    assert "already enrolled" in again.stderr
