"""With the Redis channel layer, an app or a profile assigned in another process (the seeding
process, as a second server process would be) reaches the running agent at once: the server
pushes over the websocket, the agent checks in and installs or applies. And the push socket
stays up while nothing happens."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskside_agent.tests.conftest import AgentHome, free_port, running, serve_process, wait_for

pytestmark = [
    pytest.mark.agent,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    ping = ["redis-cli", "-p", str(port), "ping"]
    wait_for(lambda: subprocess.run(ping, capture_output=True, text=True).stdout.strip() == "PONG")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory, template: Path, redis_url: str) -> Iterator:
    yield from serve_process(tmp_path_factory, template, DESKSIDE_REDIS_URL=redis_url)


def test_an_app_assigned_in_another_process_is_installed_at_once(
    tmp_path: Path, redis_server
) -> None:
    agent = AgentHome(tmp_path, redis_server)
    device_id = agent.enroll()
    group = redis_server.seed("device_group", deviceId=device_id)["groupId"]
    marker = tmp_path / "pushed-tool"
    with running(agent):
        app = redis_server.seed(
            "app",
            groupId=group,
            intent="required",
            display_name=f"Pushed {device_id}",
            platform="Linux",
            app_type="script",
            install_script=f"touch {marker}",
            detection={"type": "fileExists", "path": str(marker)},
        )["appId"]
        # The check-in interval is 900 s: only the push makes this quick.
        wait_for(marker.exists, what="the pushed install")
        wait_for(
            lambda: (
                redis_server.seed("app_states", deviceId=device_id)
                .get(str(app), {})
                .get("installState")
                == "installed"
            ),
            what="the installed state on the server",
        )
    assert "push: check in now" in agent.log()


def test_a_profile_assigned_and_changed_in_another_process_is_applied_at_once(
    tmp_path: Path, redis_server
) -> None:
    agent = AgentHome(tmp_path, redis_server)
    device_id = agent.enroll()
    group = redis_server.seed("device_group", deviceId=device_id)["groupId"]
    with running(agent):
        profile = redis_server.seed(
            "profile",
            groupId=group,
            name=f"Pushed Wi-Fi {device_id}",
            platform="Linux",
            profile_type="wifi",
            settings={"ssid": f"Pushed-{device_id}", "security": "wpa2Personal", "hidden": False},
            secrets={"passphrase": "correct horse"},
        )["profileId"]
        keyfile = agent.nm / f"deskside-{profile}.nmconnection"
        # The check-in interval is 900 s: only the push makes this quick.
        wait_for(keyfile.exists, what="the pushed Wi-Fi profile")
        redis_server.seed(
            "profile_update",
            profileId=profile,
            settings={"ssid": f"Pushed-{device_id}", "security": "wpa3Personal", "hidden": False},
            secrets={"passphrase": "battery staple"},
        )
        wait_for(lambda: "key-mgmt=sae" in keyfile.read_text(), what="the pushed profile change")
        wait_for(
            lambda: (
                redis_server.seed("profile_states", deviceId=device_id)[str(profile)]["version"]
                == 2
            ),
            what="the applied version on the server",
        )


def test_the_push_socket_stays_connected_while_nothing_happens(
    tmp_path: Path, redis_server
) -> None:
    """redis-py 8 times a read out after 5 s by default: each idle consumer died, and every
    agent reconnected and checked in every 5 seconds (settings.CHANNEL_LAYERS)."""
    agent = AgentHome(tmp_path, redis_server)
    agent.enroll()
    with running(agent):
        time.sleep(7)
    log = agent.log()
    assert log.count("push socket connected") == 1, log
    assert "no close frame" not in log
