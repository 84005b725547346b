"""Pre-provisioned enrollment with the machine's hardware id, and refusals as the agent shows
them: the server's reason code, title, details and remediation; an outdated agent is told to
update, with the minimum version."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskside_agent.tests.conftest import PYTHON, AgentHome, serve_process

pytestmark = pytest.mark.agent


def test_a_registered_hardware_id_enrolls_pre_provisioned(agent: AgentHome, server) -> None:
    server.seed("register", hardwareId=f"HW-{agent.root.name}")
    done = agent.cli("enroll", "--preprovisioned", "--tenant-domain", "lakeside.test")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Enrolled: device" in done.stdout
    device_id = agent.status()["deviceId"]
    device = server.seed("device", deviceId=device_id)
    assert (device["enrollmentMethod"], device["hardwareId"]) == (
        "preProvisioned",
        f"HW-{agent.root.name}",
    )


def test_an_unregistered_hardware_id_is_refused_with_the_servers_reason(agent, server) -> None:
    done = agent.cli("enroll", "--preprovisioned", "--tenant-domain", "lakeside.test")
    assert done.returncode == 1
    assert done.stderr.startswith("Enrollment refused: AutopilotDeviceNotFound\n")
    assert "What to do:\n  - " in done.stderr
    assert "Enrolled: no" in agent.cli("status").stdout


def test_an_unknown_tenant_domain_is_an_error(agent: AgentHome) -> None:
    done = agent.cli("enroll", "--preprovisioned", "--tenant-domain", "nowhere.test")
    assert done.returncode == 1
    assert "Unknown tenant domain" in done.stderr


def test_a_refusal_comes_in_the_users_language(agent: AgentHome) -> None:
    done = subprocess.run(
        [PYTHON, "-m", "deskside_agent.cli", "--config", str(agent.config_path), "enroll"]
        + ["--preprovisioned", "--tenant-domain", "lakeside.test"],
        env=agent.env() | {"LANG": "nl_NL.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    # The agent's own words from its catalog, the reason's from the server.
    assert done.stderr.startswith("Inschrijving geweigerd: AutopilotDeviceNotFound\n")
    assert "Apparaat niet vooraf ingericht" in done.stderr
    assert "Wat u kunt doen:\n  - " in done.stderr


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Iterator:
    """A server that wants agents of version 2.0 or later."""
    yield from serve_process(tmp_path_factory, template, DESKSIDE_MIN_AGENT_VERSION="2.0.0")


def test_an_outdated_agent_is_told_to_update(tmp_path: Path, strict_server) -> None:
    agent = AgentHome(tmp_path, strict_server)
    token = tmp_path / "token"
    token.write_text(strict_server.base["token"])
    done = agent.cli("enroll", "--bulk-token-file", str(token), "--tenant-domain", "lakeside.test")
    assert done.returncode == 1
    assert "Enrollment refused: EnrollmentAuthorizationFailed" in done.stderr
    assert "the server needs 2.0.0 or later. Update deskside-agent" in done.stderr
