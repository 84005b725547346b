"""collectDiagnostics: the agent builds a tar.gz (its log, a journal excerpt, the facts, its
state; never the credential), uploads it, reports done; an operator downloads it. A refused
upload is reported failed with the reason."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskside_agent.tests.conftest import AgentHome, Operator, serve_process

pytestmark = pytest.mark.agent


def _members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {
            member.name.split("/", 1)[1]: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
        }


def test_diagnostics_are_uploaded_and_an_operator_downloads_them(
    agent: AgentHome, operator: Operator
) -> None:
    device_id = agent.enroll()
    action_id = operator.act(device_id, "collectDiagnostics")
    done = agent.check_in()
    assert done.returncode == 0, done.stdout + done.stderr
    action = operator.action(device_id, action_id)
    assert action["actionState"] == "done", action
    bundle = action["diagnosticsBundle"]
    download = operator.http.get(f"/devices/{device_id}/diagnostics/{bundle['id']}/")
    assert download.status_code == 200
    assert len(download.content) == bundle["sizeInBytes"]
    files = _members(download.content)
    assert {"agent.log", "journal.txt", "facts.json", "status.json", "README.txt"} <= set(files)
    assert json.loads(files["facts.json"])["device_name"] == "agent-test-box"
    assert b"running action" in files["agent.log"]
    credential = json.loads((agent.state / "credential.json").read_text())["credential"]
    assert all(credential.encode() not in data for data in files.values())


def test_collect_logs_writes_the_same_bundle_for_the_user_to_send(agent: AgentHome) -> None:
    agent.enroll()
    done = agent.cli("collect-logs", "--output", str(agent.root / "logs.tar.gz"))
    assert done.returncode == 0, done.stderr
    files = _members((agent.root / "logs.tar.gz").read_bytes())
    assert json.loads(files["status.json"])["enrolled"] is True


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Iterator:
    """A server that takes diagnostics of 200 bytes at most."""
    yield from serve_process(tmp_path_factory, template, DESKSIDE_DIAGNOSTICS_MAX_BYTES="200")


def test_a_refused_upload_is_reported_failed_with_the_reason(tmp_path: Path, small_server):
    agent = AgentHome(tmp_path, small_server)
    device_id = agent.enroll()
    operator = Operator(small_server)
    action_id = operator.act(device_id, "collectDiagnostics")
    assert agent.check_in().returncode == 0
    action = operator.action(device_id, action_id)
    assert action["actionState"] == "failed"
    assert "HTTP 413" in action["resultDetail"]
    assert action["diagnosticsBundle"] is None
