"""deskside_agent.protocol as a library: simulated devices with made-up facts enroll and check in
against the served Deskside (as the demo and the benchmarks do), and errors become exceptions."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from deskside_agent.protocol import (
    DesksideClient,
    Facts,
    Invalid,
    Offline,
    Refused,
    Report,
    Unauthorized,
)
from deskside_agent.tests.conftest import free_port

pytestmark = pytest.mark.agent


def _facts(**changes) -> Facts:
    values = {
        "device_name": "SIM-0001",
        "operating_system": "Windows",
        "os_version": "10.0.19045",
        "serial_number": f"SIM-{uuid.uuid4().hex[:10]}",
        "manufacturer": "Dell Inc.",
        "model": "Latitude 5440",
        "is_encrypted": True,
        "firewall_enabled": True,
        "screen_lock_enabled": None,
        "free_storage_bytes": 10**11,
        "total_storage_bytes": 5 * 10**11,
    }
    return Facts(**(values | changes))


def test_a_simulated_device_enrolls_and_checks_in_with_made_up_facts(server) -> None:
    facts = _facts()
    with DesksideClient(server.url) as client:
        session = client.start_session("lakeside.test")
        enrolled = client.enroll(
            method="bulkToken",
            bulk_token=server.base["token"],
            facts=facts,
            session_id=session.session_id,
        )
        answer = client.check_in(Report.new(facts=facts, inventory=[]))
    assert answer.device_id == enrolled.device_id
    assert answer.check_in_interval_seconds > 0
    device = server.seed("device", deviceId=enrolled.device_id)
    assert (device["operatingSystem"], device["osVersion"]) == ("Windows", "10.0.19045")


def test_a_retry_of_the_same_report_gets_the_same_answer(server) -> None:
    facts = _facts()
    with DesksideClient(server.url) as client:
        client.enroll(method="bulkToken", bulk_token=server.base["token"], facts=facts)
        report = Report.new(facts=facts, inventory=None)
        assert client.check_in(report) == client.check_in(report)


def test_errors_are_exceptions_that_name_what_is_wrong(server) -> None:
    facts = _facts()
    with DesksideClient(server.url) as client:
        with pytest.raises(Refused) as refused:
            client.enroll(method="preProvisioned", tenant_domain="lakeside.test", facts=facts)
        assert refused.value.refusal.code == "AutopilotDeviceNotFound"
        assert refused.value.refusal.remediation
        client.enroll(method="bulkToken", bulk_token=server.base["token"], facts=facts)
        with pytest.raises(Invalid) as invalid:
            client.check_in(Report.new(facts=_facts(operating_system="Linux"), inventory=None))
        assert invalid.value.field == "facts.operatingSystem"
    stranger = DesksideClient(server.url, credential="not-a-credential")
    with stranger, pytest.raises(Unauthorized):
        stranger.check_in(Report.new(facts=facts, inventory=None))
    nowhere = DesksideClient(f"http://127.0.0.1:{free_port()}", credential="x")
    with nowhere, pytest.raises(Offline):
        nowhere.check_in(Report.new(facts=facts, inventory=None))


def test_the_websocket_address_follows_the_server() -> None:
    client = DesksideClient("https://deskside.example.org/", credential="c")
    assert client.websocket_url() == "wss://deskside.example.org/ws/agent/"
    assert client.websocket_headers() == {"Authorization": "Bearer c"}
    client.close()


def test_the_protocol_module_reads_nothing_of_the_local_machine() -> None:
    code = (
        "import sys, deskside_agent.protocol; "
        "print(sorted(m for m in sys.modules if m.startswith('deskside_agent')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "['deskside_agent', 'deskside_agent.protocol']"
