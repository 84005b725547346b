"""Apps assigned on the server reach the agent, which installs them with the real apt-get and
/bin/sh and reports back: the server stores failed with apt's exit code, installed, and the
user's own install of an available app. The inventory arrives too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskside_agent.tests.conftest import AgentHome

pytestmark = [pytest.mark.agent, pytest.mark.xdist_group("apt")]

MISSING = "deskside-agent-test-no-such-package"


def _assign(server, group_id: int, name: str, intent: str, **fields) -> int:
    app = server.seed(
        "app",
        groupId=group_id,
        intent=intent,
        display_name=name,
        platform="Linux",
        **fields,
    )
    return int(app["appId"])


def test_assigned_apps_are_installed_and_their_states_reach_the_server(
    agent: AgentHome, server, tmp_path: Path
) -> None:
    device_id = agent.enroll()
    group = server.seed("device_group", deviceId=device_id)["groupId"]
    missing = _assign(
        server,
        group,
        f"Missing {device_id}",
        "required",
        app_type="debianPackage",
        package_name=MISSING,
    )
    gettext = _assign(
        server,
        group,
        f"gettext {device_id}",
        "required",
        app_type="debianPackage",
        package_name="gettext",
    )
    marker = tmp_path / "tool-installed"
    script = _assign(
        server,
        group,
        f"Tool {device_id}",
        "required",
        app_type="script",
        install_script=f"touch {marker}",
        uninstall_script=f"rm -f {marker}",
        detection={"type": "fileExists", "path": str(marker)},
    )
    done = agent.check_in()
    assert done.returncode == 0, done.stdout + done.stderr + agent.log()
    states = server.seed("app_states", deviceId=device_id)
    assert states[str(missing)]["installState"] == "failed"
    assert states[str(missing)]["errorCode"] == "100"
    assert f"Unable to locate package {MISSING}" in states[str(missing)]["detail"]
    assert states[str(gettext)]["installState"] == "installed"
    assert states[str(gettext)]["version"]
    assert states[str(script)]["installState"] == "installed"
    assert marker.exists()
    assert agent.status()["queuedResults"] == []


def test_the_user_installs_an_available_app(agent: AgentHome, server, tmp_path: Path) -> None:
    device_id = agent.enroll()
    group = server.seed("device_group", deviceId=device_id)["groupId"]
    marker = tmp_path / "optional-tool"
    app_id = _assign(
        server,
        group,
        f"Optional {device_id}",
        "available",
        app_type="script",
        install_script=f"touch {marker}",
        uninstall_script=f"rm -f {marker}",
        detection={"type": "fileExists", "path": str(marker)},
    )
    assert agent.check_in().returncode == 0
    status = agent.status()
    assert [a["appId"] for a in status["available"]] == [app_id]
    assert "Available to install" in agent.cli("status").stdout
    assert not marker.exists()
    installed = agent.cli("install", str(app_id))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert marker.exists()
    states = server.seed("app_states", deviceId=device_id)
    assert states[str(app_id)]["installState"] == "installed"
    assert agent.status()["available"] == []


def test_installing_an_app_that_is_not_offered_says_so(agent: AgentHome, server) -> None:
    agent.enroll()
    assert agent.check_in().returncode == 0
    refused = agent.cli("install", "999999")
    assert refused.returncode == 1
    assert "not offered to this device" in refused.stderr


def test_the_inventory_reaches_the_server(agent: AgentHome, server) -> None:
    device_id = agent.enroll()
    agent.overrides({"inventory": [{"name": "vlc", "version": "3.0.21", "publisher": "Debian"}]})
    assert agent.check_in().returncode == 0
    assert server.seed("inventory", deviceId=device_id)["items"] == [["vlc", "3.0.21", "Debian"]]
    agent.overrides({})
    assert agent.check_in().returncode == 0
    real = json.loads(agent.cli("facts").stdout)["inventoryCount"]
    assert len(server.seed("inventory", deviceId=device_id)["items"]) == real
