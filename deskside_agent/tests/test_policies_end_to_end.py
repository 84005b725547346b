"""Compliance and configuration profiles end to end: policies and profiles made and assigned
through Deskside's services, the real agent reporting facts (through its override hook) and
writing keyfiles under tmp, the server storing the results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskside_agent.tests.conftest import AgentHome, Operator, running
from deskside_agent.tests.glib_keyfile import glib_keyfile

pytestmark = pytest.mark.agent


PASSPHRASE = "correct horse"


def _wifi(server, group: int, name: str) -> int:
    profile = server.seed(
        "profile",
        groupId=group,
        name=name,
        platform="Linux",
        profile_type="wifi",
        settings={"ssid": name, "security": "wpa2Personal", "hidden": False},
        secrets={"passphrase": PASSPHRASE},
    )
    return int(profile["profileId"])


def _enrolled_in_group(agent: AgentHome, server) -> tuple[int, int]:
    device_id = agent.enroll()
    return device_id, server.seed("device_group", deviceId=device_id)["groupId"]


def test_a_device_turns_noncompliant_when_a_reported_fact_changes(agent: AgentHome, server):
    device_id, group = _enrolled_in_group(agent, server)
    policy = server.seed(
        "compliance_policy",
        groupId=group,
        name=f"Linux baseline {device_id}",
        platform="Linux",
        require_encryption=True,
        require_firewall=True,
        grace_period_days=0,
    )["policyId"]
    agent.overrides({"isEncrypted": True, "firewallEnabled": True})
    assert agent.check_in().returncode == 0
    assert server.seed("compliance", deviceId=device_id) == {
        "complianceState": "compliant",
        "policies": {str(policy): "compliant"},
    }
    agent.overrides({"isEncrypted": True, "firewallEnabled": False})
    assert agent.check_in().returncode == 0
    compliance = server.seed("compliance", deviceId=device_id)
    assert compliance["complianceState"] == "noncompliant"
    assert compliance["policies"] == {str(policy): "nonCompliant"}
    assert agent.status()["complianceState"] == "noncompliant"
    assert "Compliance: noncompliant" in agent.cli("status").stdout


def test_a_wifi_profile_is_written_updated_and_removed(agent: AgentHome, server) -> None:
    device_id, group = _enrolled_in_group(agent, server)
    profile = _wifi(server, group, f"Lakeside-{device_id}")
    assert agent.check_in().returncode == 0
    keyfile = agent.nm / f"deskside-{profile}.nmconnection"
    first = glib_keyfile(keyfile)
    assert first["wifi-security"]["psk"] == "correct horse"
    assert "nmcli-reload" in agent.recorded()
    assert server.seed("profile_states", deviceId=device_id)[str(profile)] == {
        "status": "succeeded",
        "version": 1,
        "detail": "",
    }
    version = server.seed(
        "profile_update",
        profileId=profile,
        settings={"ssid": f"Lakeside-{device_id}", "security": "wpa3Personal", "hidden": True},
        secrets={"passphrase": "battery staple"},
    )["version"]
    assert version == 2
    assert agent.check_in().returncode == 0
    second = glib_keyfile(keyfile)
    assert second["connection"]["uuid"] == first["connection"]["uuid"]
    assert (second["wifi-security"]["key-mgmt"], second["wifi"]["hidden"]) == ("sae", "true")
    assert server.seed("profile_states", deviceId=device_id)[str(profile)]["version"] == 2
    server.seed("profile_unassign", profileId=profile)
    assert agent.check_in().returncode == 0
    assert not keyfile.exists()
    assert agent.status()["profiles"] == {}


def test_a_profile_fails_with_the_reason_then_succeeds(agent: AgentHome, server, tmp_path: Path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    agent.write_config(agent.config | {"nm_root": str(blocker / "nm")})
    device_id, group = _enrolled_in_group(agent, server)
    profile = _wifi(server, group, f"Blocked-{device_id}")
    assert agent.check_in().returncode == 0
    state = server.seed("profile_states", deviceId=device_id)[str(profile)]
    assert state["status"] == "failed"
    assert "cannot write" in state["detail"] and "Not a directory" in state["detail"]
    assert "failed" in agent.cli("status").stdout
    agent.write_config(agent.config | {"nm_root": str(agent.nm)})
    assert agent.check_in().returncode == 0
    assert server.seed("profile_states", deviceId=device_id)[str(profile)]["status"] == "succeeded"
    assert (agent.nm / f"deskside-{profile}.nmconnection").exists()


def test_a_wireguard_profile_without_a_tunnel_address_fails_on_the_server_too(
    agent: AgentHome, server
) -> None:
    device_id, group = _enrolled_in_group(agent, server)
    profile = server.seed(
        "profile",
        groupId=group,
        name=f"WG {device_id}",
        platform="Linux",
        profile_type="vpn",
        settings={
            "vpnType": "wireguard",
            "server": "wg.lakeside.test",
            "peerPublicKey": "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
            "allowedIps": ["10.8.0.0/24"],
        },
    )["profileId"]
    assert agent.check_in().returncode == 0
    state = server.seed("profile_states", deviceId=device_id)[str(profile)]
    assert state["status"] == "failed"
    assert "tunnel address" in state["detail"]


def test_a_custom_profile_becomes_a_settings_file(agent: AgentHome, server) -> None:
    device_id, group = _enrolled_in_group(agent, server)
    profile = server.seed(
        "profile",
        groupId=group,
        name=f"Proxy {device_id}",
        platform="Linux",
        profile_type="custom",
        settings={"proxy.url": "http://proxy.lakeside.test:3128"},
    )["profileId"]
    assert agent.check_in().returncode == 0
    written = json.loads((agent.root / "etc" / "profiles.d" / f"custom-{profile}.json").read_text())
    assert written["settings"] == {"proxy.url": "http://proxy.lakeside.test:3128"}
    assert server.seed("profile_states", deviceId=device_id)[str(profile)]["status"] == "succeeded"


def test_retire_removes_the_profiles_the_agent_wrote(agent: AgentHome, server) -> None:
    device_id, group = _enrolled_in_group(agent, server)
    profile = _wifi(server, group, f"Retired-{device_id}")
    assert agent.check_in().returncode == 0
    keyfile = agent.nm / f"deskside-{profile}.nmconnection"
    assert keyfile.exists()
    operator = Operator(server)
    with running(agent) as process:
        action_id = operator.act(device_id, "retire")
        assert process.wait(timeout=30) == 0
    assert server.seed("action", deviceId=device_id, actionId=action_id)["actionState"] == "done"
    assert not keyfile.exists()
    assert not (agent.state / "credential.json").exists()


def test_enrolling_again_removes_what_the_previous_enrollment_wrote(
    agent: AgentHome, server
) -> None:
    device_id, group = _enrolled_in_group(agent, server)
    profile = _wifi(server, group, f"Before-{device_id}")
    assert agent.check_in().returncode == 0
    keyfile = agent.nm / f"deskside-{profile}.nmconnection"
    assert keyfile.exists()
    agent.overrides(
        {"serialNumber": f"SN2-{agent.root.name}", "hardwareId": f"HW2-{agent.root.name}"}
    )
    token = agent.root / "token"
    again = agent.cli(
        "enroll", "--force", "--bulk-token-file", str(token), "--tenant-domain", "lakeside.test"
    )
    assert again.returncode == 0, again.stderr
    assert not keyfile.exists()
    assert agent.status()["deviceId"] != device_id
