"""Device actions from an operator to the running agent: pushed over the websocket, run once
(journaled, also across restarts), reported; the commands that would change this machine are
configured to harmless recorders (conftest.RECORD)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from deskside_agent.tests.conftest import AgentHome, Operator, running, wait_for

pytestmark = pytest.mark.agent


def test_a_queued_action_is_pushed_to_the_running_agent(agent: AgentHome, operator: Operator):
    device_id = agent.enroll()
    with running(agent):
        # The check-in interval is the server's 900 s: only the push makes this quick.
        action_id = operator.act(device_id, "syncDevice")
        assert operator.finished(device_id, action_id)["actionState"] == "done"
        lock_id = operator.act(device_id, "remoteLock")
        assert operator.finished(device_id, lock_id)["actionState"] == "done"
    assert agent.recorded() == ["lock"]
    assert "push: check in now" in agent.log()


def test_a_rename_runs_the_rename_command_and_the_new_name_is_reported(
    agent: AgentHome, operator: Operator
) -> None:
    # The stand-in for hostnamectl makes the facts report the new host name.
    rename = [
        sys.executable,
        "-c",
        "import json, sys; p = sys.argv[1]; d = json.load(open(p)); d['deviceName'] = sys.argv[2];"
        " json.dump(d, open(p, 'w'))",
        str(agent.override),
        "{name}",
    ]
    agent.write_config(agent.config | {"rename_command": rename})
    device_id = agent.enroll()
    with running(agent):
        action_id = operator.act(device_id, "setDeviceName", deviceName="AMS-0042")
        assert operator.finished(device_id, action_id)["actionState"] == "done"
    assert json.loads(agent.override.read_text())["deviceName"] == "AMS-0042"
    assert agent.check_in().returncode == 0
    assert operator.device(device_id)["deviceName"] == "AMS-0042"


def test_a_rename_the_configuration_forbids_is_not_supported(agent, operator) -> None:
    agent.write_config(agent.config | {"allow_rename": False})
    device_id = agent.enroll()
    action_id = operator.act(device_id, "setDeviceName", deviceName="AMS-0043")
    assert agent.check_in().returncode == 0
    action = operator.action(device_id, action_id)
    assert action["actionState"] == "notSupported"
    assert "allow_rename" in action["resultDetail"]
    assert agent.recorded() == []


@pytest.mark.parametrize("action", ["rebootNow", "shutDown"])
def test_power_actions_are_not_supported_unless_the_configuration_allows_them(
    agent, operator, action
) -> None:
    device_id = agent.enroll()
    action_id = operator.act(device_id, action)
    assert agent.check_in().returncode == 0
    result = operator.action(device_id, action_id)
    assert result["actionState"] == "notSupported"
    assert "allow_power_actions" in result["resultDetail"]
    assert agent.recorded() == []


@pytest.mark.parametrize(("action", "command"), [("rebootNow", "reboot"), ("shutDown", "poweroff")])
def test_an_allowed_power_action_runs_once_and_is_done_when_the_agent_comes_back(
    agent: AgentHome, operator: Operator, action: str, command: str
) -> None:
    agent.write_config(agent.config | {"allow_power_actions": True})
    device_id = agent.enroll()
    action_id = operator.act(device_id, action)
    assert agent.check_in().returncode == 0
    assert agent.recorded() == [command]
    # The command ran; the machine would now go down. Until the agent starts again the server
    # keeps giving the action, and the journal keeps it from running twice.
    assert operator.action(device_id, action_id)["actionState"] == "active"
    assert agent.check_in().returncode == 0
    assert agent.recorded() == [command]
    with running(agent):
        result = operator.finished(device_id, action_id)
    assert result["actionState"] == "done"
    assert agent.recorded() == [command]


def test_an_action_the_agent_was_killed_in_is_not_run_again(
    agent: AgentHome, operator: Operator
) -> None:
    slow_lock = [
        sys.executable,
        "-c",
        "import sys, time; open(sys.argv[1], 'a').write('lock\\n'); time.sleep(60)",
        str(agent.commands),
    ]
    agent.write_config(agent.config | {"lock_command": slow_lock})
    device_id = agent.enroll()
    action_id = operator.act(device_id, "remoteLock")
    process = agent.popen("run")
    wait_for(lambda: agent.recorded() == ["lock"], what="the lock command to start")
    process.send_signal(signal.SIGKILL)
    process.wait()
    with running(agent):
        action = operator.finished(device_id, action_id)
    assert action["actionState"] == "failed"
    assert "not run again" in action["resultDetail"]
    assert agent.recorded() == ["lock"]


def test_sigterm_stops_the_agent_cleanly(agent: AgentHome) -> None:
    agent.enroll()
    with running(agent) as process:
        pass
    assert process.returncode == 0
    assert "agent stopped" in agent.log()


def test_retire_removes_what_the_agent_wrote_and_forgets_the_enrollment(
    agent: AgentHome, operator: Operator, server
) -> None:
    device_id = agent.enroll()
    with running(agent) as process:
        action_id = operator.act(device_id, "retire")
        code, out, _err = (process.wait(timeout=30), *process.communicate())
    assert code == 0
    assert "retired" in out
    # Unenrolled, the device is in no operator's scope any more: read the database.
    assert server.seed("action", deviceId=device_id, actionId=action_id)["actionState"] == "done"
    assert server.seed("device", deviceId=device_id)["managementState"] == "unenrolled"
    assert not (agent.state / "credential.json").exists()
    assert "Enrolled: no" in agent.cli("status").stdout


def test_wipe_is_not_supported_unless_the_configuration_allows_it(agent, operator) -> None:
    device_id = agent.enroll()
    action_id = operator.act(device_id, "wipe")
    assert agent.check_in().returncode == 0
    action = operator.action(device_id, action_id)
    assert action["actionState"] == "notSupported"
    assert "allow_wipe" in action["resultDetail"]
    assert operator.device(device_id)["managementState"] == "managed"
    assert (agent.state / "credential.json").exists()


def test_an_allowed_wipe_runs_the_configured_command_and_unenrolls(agent, operator, server) -> None:
    agent.write_config(
        agent.config
        | {"allow_wipe": True, "wipe_command": [*agent.config["lock_command"][:-1], "wipe"]}
    )
    device_id = agent.enroll()
    action_id = operator.act(device_id, "wipe")
    done = agent.check_in()
    assert done.returncode == 0, done.stdout + done.stderr
    assert server.seed("action", deviceId=device_id, actionId=action_id)["actionState"] == "done"
    assert agent.recorded() == ["wipe"]
    assert server.seed("device", deviceId=device_id)["managementState"] == "unenrolled"
    assert not (agent.state / "credential.json").exists()


def test_a_checked_in_agent_that_is_no_longer_enrolled_stops_and_says_so(
    agent: AgentHome, operator: Operator
) -> None:
    device_id = agent.enroll()
    # A copy of this agent's state reports the retire; the original is left with a dead
    # credential and must tell the user to enroll again.
    spare = agent.root / "spare"
    shutil.copytree(agent.state, spare)
    operator.act(device_id, "retire")
    assert agent.check_in().returncode == 0
    shutil.rmtree(agent.state)
    shutil.copytree(spare, agent.state)
    process = agent.popen("run")
    out, _err = process.communicate(timeout=60)
    assert process.returncode == 3
    assert "enroll the device again" in out
    assert agent.status()["lastCheckIn"]["result"] == "unauthorized"


def test_a_running_agent_whose_device_left_stops_at_once(agent: AgentHome, operator) -> None:
    device_id = agent.enroll()
    # A copy of this agent (its state in another folder) reports the retire; the server closes
    # the running agent's socket (4401), which checks in, gets 401, and stops.
    spare = agent.root / "spare-state"
    shutil.copytree(agent.state, spare)
    spare_config = agent.root / "spare.toml"
    values = agent.config | {"state_dir": str(spare), "nm_root": str(agent.root / "spare-nm")}
    spare_config.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
    with running(agent) as process:
        # Holding the running agent's state lock keeps it from checking in (and running the
        # retire itself) until the copy has reported it.
        lock = os.open(agent.state / ".lock", os.O_RDWR)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            operator.act(device_id, "retire")
            retired = subprocess.run(
                [sys.executable, "-m", "deskside_agent.cli", "--config", str(spare_config)]
                + ["run", "--once"],
                env=agent.env(),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert "retired" in retired.stdout, retired.stdout + retired.stderr
            wait_for(lambda: "4401" in agent.log(), what="the server to close the socket")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            os.close(lock)
        assert process.wait(timeout=30) == 3
    assert "enroll the device again" in process.communicate()[0]
