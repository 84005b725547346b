"""The server goes away and comes back: the agent keeps its queue on disk, retries the same
report (same reportId), never crashes, and its results arrive once."""

from __future__ import annotations

import json

import pytest

from deskside_agent.agent import Agent
from deskside_agent.config import config_load
from deskside_agent.protocol import DesksideClient
from deskside_agent.tests.conftest import AgentHome, Operator, running, wait_for

pytestmark = pytest.mark.agent


@pytest.fixture
def agent(tmp_path, own_server) -> AgentHome:
    return AgentHome(tmp_path, own_server)


@pytest.fixture
def operator(own_server):
    signed_in = Operator(own_server)
    yield signed_in
    signed_in.http.close()


def _in_process(agent: AgentHome) -> Agent:
    return Agent(config_load(agent.config_path))


def test_results_queued_while_the_server_is_away_arrive_once(agent, operator, own_server):
    device_id = agent.enroll()
    action_id = operator.act(device_id, "remoteLock")
    local = _in_process(agent)
    assert local.check_in().ok  # the action runs; its result waits in the queue
    assert agent.recorded() == ["lock"]
    own_server.stop()
    try:
        outcome = local.check_in()
        assert outcome.kind == "offline"
        pending = local.store.queue()["pending"]
        assert pending["body"]["actionResults"] == [
            {"actionId": action_id, "state": "done", "detail": ""}
        ]
        assert local.check_in().kind == "offline"
        assert local.store.queue()["pending"]["reportId"] == pending["reportId"]
        status = agent.status()
        assert status["lastCheckIn"]["result"] == "offline"
        assert [r["actionId"] for r in status["queuedResults"]] == [action_id]
    finally:
        local.close()
        own_server.start()
    done = agent.check_in()
    assert done.returncode == 0, done.stdout + done.stderr
    assert operator.action(device_id, action_id)["actionState"] == "done"
    assert own_server.seed("device", deviceId=device_id)["lastReportId"] == pending["reportId"]
    assert agent.status()["queuedResults"] == []
    assert agent.recorded() == ["lock"]
    count = own_server.seed("audit_count", action="deviceActionFinished", actionId=action_id)
    assert count == {"count": 1}


def test_a_report_whose_answer_was_lost_is_resent_and_stored_once(agent, operator, own_server):
    device_id = agent.enroll()
    action_id = operator.act(device_id, "remoteLock")
    local = _in_process(agent)
    assert local.check_in().ok
    own_server.stop()
    try:
        assert local.check_in().kind == "offline"
    finally:
        own_server.start()
    # The server takes the report, but its answer never reaches the agent.
    pending = local.store.queue()["pending"]
    credential = json.loads((agent.state / "credential.json").read_text())["credential"]
    with DesksideClient(own_server.url, credential=credential) as client:
        client.check_in(pending["body"])
    assert local.check_in().ok  # the same report again: the stored answer, nothing twice
    local.close()
    assert local.store.queue() == {"seq": 1, "results": [], "pending": None}
    count = own_server.seed("audit_count", action="deviceActionFinished", actionId=action_id)
    assert count == {"count": 1}


def test_the_running_agent_outlives_the_server_and_reconnects(agent, operator, own_server):
    device_id = agent.enroll()
    with running(agent) as process:
        before = agent.log().count("push socket connected")
        own_server.stop()
        try:
            wait_for(lambda: "push socket:" in agent.log(), what="the socket to notice")
            assert process.poll() is None
        finally:
            own_server.start()
        wait_for(
            lambda: agent.log().count("push socket connected") > before,
            what="the socket to reconnect",
        )
        action_id = operator.act(device_id, "syncDevice")
        assert operator.finished(device_id, action_id)["actionState"] == "done"
        assert process.poll() is None
