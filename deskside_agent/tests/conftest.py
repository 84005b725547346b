"""End-to-end fixtures for the agent: a real ``deskside serve`` process on loopback with its own
SQLite file, seeded through Deskside's own code (seed.py), and agents run as the real
``deskside-agent`` command with their configuration, state and NetworkManager root under tmp.

Nothing here touches /etc, the machine's network set-up, its host name or its power state:
every command that would (rename, lock, reboot, shut down, wipe) is configured to a harmless one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Any, timeout: float = 20.0, interval: float = 0.1, what: str = "") -> Any:
    """Poll ``condition()`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or condition}")
        time.sleep(interval)


def _server_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKSIDE_")}
    env.update(
        {
            "DESKSIDE_SECRET_KEY": "agent-e2e-tests",
            "DESKSIDE_DATA_DIR": str(data),
            "DESKSIDE_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
            "DESKSIDE_HTTPS": "0",
            "DESKSIDE_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "deskside.settings",
        }
    )
    return env


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Once per test session: a migrated SQLite file with the personas' tenant onboarded
    (seed.py base) and the collected static files, copied for each served process."""
    data = tmp_path_factory.mktemp("template")
    env = _server_env(data)
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [PYTHON, "-m", "deskside.cli", *command], env=env, cwd=ROOT, check=True, timeout=300
        )
    seeded = subprocess.run(
        [PYTHON, "-m", "deskside_agent.tests.seed", "base"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (data / "base.json").write_text(seeded.stdout.strip().splitlines()[-1])
    return data


class Served:
    """A ``deskside serve`` process that can be stopped and started again on the same port."""

    def __init__(self, data: Path, template: Path, **env: str) -> None:
        self.data = data
        shutil.copy(template / "db.sqlite3", data / "db.sqlite3")
        shutil.copytree(template / "static", data / "static")
        self.base: dict[str, Any] = json.loads((template / "base.json").read_text())
        self.env = _server_env(data) | env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._seeder: subprocess.Popen[str] | None = None
        self.log = (data / "server.log").open("ab")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [PYTHON, "-m", "deskside.cli", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

        def up() -> bool:
            assert self.process is not None and self.process.poll() is None, "server exited"
            try:
                return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, timeout=60, what="the server to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def seed(self, command: str, **args: Any) -> Any:
        """Run one seed.py command against this server's database (through one ``seed.py
        --serve`` process per server); its JSON answer."""
        seeder = self._seeder
        if seeder is None or seeder.poll() is not None:
            seeder = self._seeder = subprocess.Popen(
                [PYTHON, "-m", "deskside_agent.tests.seed", "--serve"],
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                text=True,
            )
        assert seeder.stdin is not None and seeder.stdout is not None
        seeder.stdin.write(json.dumps({"command": command, "args": args}) + "\n")
        seeder.stdin.flush()
        line = seeder.stdout.readline()
        assert line, f"the seeder ended; see {self.data / 'server.log'}"
        reply = json.loads(line)
        assert "error" not in reply, reply["error"]
        return reply["result"]

    def close(self) -> None:
        self.stop()
        if self._seeder is not None and self._seeder.poll() is None:
            assert self._seeder.stdin is not None
            self._seeder.stdin.close()
            self._seeder.wait(timeout=30)
        self.log.close()


def serve_process(
    tmp_path_factory: pytest.TempPathFactory, template: Path, **env: str
) -> Iterator[Served]:
    """A started server (stopped when the generator ends); ``env`` adds to its environment."""
    process = Served(tmp_path_factory.mktemp("served"), template, **env)
    process.start()
    yield process
    process.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Iterator[Served]:
    """A served Deskside with the personas' tenant onboarded, shared by the tests of a session:
    each test's agent is another device (its own serial number and hardware id)."""
    yield from serve_process(tmp_path_factory, template)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory, template: Path) -> Iterator[Served]:
    """A served Deskside of the module's own, for tests that stop and start it."""
    yield from serve_process(tmp_path_factory, template)


# Harmless stand-ins for the commands that would change this machine.
RECORD = [PYTHON, "-c", "import sys; open(sys.argv[1], 'a').write(' '.join(sys.argv[2:]) + '\\n')"]


class AgentHome:
    """One agent: its config file, state directory, NetworkManager root and facts override."""

    def __init__(self, root: Path, server: Served, **config: Any) -> None:
        self.root = root
        self.server = server
        self.state = root / "state"
        self.nm = root / "nm"
        self.nm.mkdir()
        self.commands = root / "commands.log"
        self.override = root / "facts.json"
        self.config_path = root / "etc" / "agent.toml"
        self.config_path.parent.mkdir()
        self.overrides({})
        record = [*RECORD, str(self.commands)]
        values: dict[str, Any] = {
            "server": server.url,
            "state_dir": str(self.state),
            "nm_root": str(self.nm),
            "facts_override_file": str(self.override),
            "nmcli_command": [*record, "nmcli-reload"],
            "lock_command": [*record, "lock"],
            "reboot_command": [*record, "reboot"],
            "shutdown_command": [*record, "poweroff"],
            "rename_command": [*record, "rename", "{name}"],
            "allow_rename": True,
            "retry_initial_seconds": 0.3,
            "retry_max_seconds": 1.0,
            "socket_retry_max_seconds": 1.0,
            "http_timeout_seconds": 10.0,
            "log_level": "DEBUG",
        }
        values.update(config)
        self.write_config(values)

    def write_config(self, values: dict[str, Any]) -> None:
        self.config = values
        lines = [f"{key} = {json.dumps(value)}" for key, value in values.items()]
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def overrides(self, facts: dict[str, Any]) -> None:
        """Facts the agent reports instead of the machine's (its documented test hook)."""
        base = {
            "deviceName": "agent-test-box",
            "serialNumber": f"SN-{self.root.name}",
            "hardwareId": f"HW-{self.root.name}",
        }
        self.override.write_text(json.dumps(base | facts), encoding="utf-8")

    def env(self) -> dict[str, str]:
        locale = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("DESKSIDE_") and k not in locale
        }
        # English, whatever the machine's locale: the tests read the agent's words (a test that
        # wants another language sets it).
        env["LANG"] = "C.UTF-8"
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "deskside_agent.cli", "--config", str(self.config_path), *args],
            env=self.env(),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [PYTHON, "-m", "deskside_agent.cli", "--config", str(self.config_path), *args],
            env=self.env(),
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def enroll(self) -> int:
        """Enroll with the bulk token; the device id."""
        token = self.root / "token"
        token.write_text(self.server.base["token"] + "\n")
        done = self.cli(
            "enroll", "--bulk-token-file", str(token), "--tenant-domain", "lakeside.test"
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return int(json.loads((self.state / "credential.json").read_text())["deviceId"])

    def status(self) -> dict[str, Any]:
        done = self.cli("status", "--json")
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def check_in(self) -> subprocess.CompletedProcess[str]:
        return self.cli("run", "--once")

    def log(self) -> str:
        try:
            return (self.state / "agent.log").read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def recorded(self) -> list[str]:
        try:
            return self.commands.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []


@pytest.fixture
def agent(tmp_path: Path, server: Served) -> AgentHome:
    return AgentHome(tmp_path, server)


def stop(process: subprocess.Popen[str], timeout: float = 15) -> tuple[int, str, str]:
    """SIGTERM a running agent; its exit code and output."""
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


class Operator:
    """An operator signed in to the portal through its real sign-in form, using the operators'
    API (session and CSRF token) as the portal's pages do."""

    def __init__(self, server: Served, email: str = "admin@lakeside.test") -> None:
        self.http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)
        form = self.http.get("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, form.text
        signed_in = self.http.post(
            "/sign-in/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "email": email,
                "password": server.base["password"],
            },
        )
        assert signed_in.status_code == 302, signed_in.text

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.http.cookies["deskside_csrf"]}

    def act(self, device_id: int, action: str, **parameters: Any) -> int:
        """Queue an action for the device (the server pushes it to a connected agent)."""
        answer = self.http.post(
            f"/api/v1/devices/{device_id}/actions",
            json={"action": action, "parameters": parameters},
            headers=self._headers(),
        )
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    def actions(self, device_id: int) -> dict[int, dict[str, Any]]:
        answer = self.http.get(f"/api/v1/devices/{device_id}/actions")
        assert answer.status_code == 200, answer.text
        return {int(a["id"]): a for a in answer.json()}

    def action(self, device_id: int, action_id: int) -> dict[str, Any]:
        return self.actions(device_id)[action_id]

    def finished(self, device_id: int, action_id: int, timeout: float = 30) -> dict[str, Any]:
        """Wait until the action has its result; the action."""

        def result() -> dict[str, Any] | None:
            action = self.action(device_id, action_id)
            return action if action["actionState"] not in ("pending", "active") else None

        return dict(wait_for(result, timeout=timeout, interval=0.2, what="the action's result"))

    def device(self, device_id: int) -> dict[str, Any]:
        answer = self.http.get(f"/api/v1/devices/{device_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest.fixture
def operator(server: Served) -> Iterator[Operator]:
    signed_in = Operator(server)
    yield signed_in
    signed_in.http.close()


@contextlib.contextmanager
def running(agent: AgentHome, *, connected: bool = True) -> Iterator[subprocess.Popen[str]]:
    """``deskside-agent run`` while the block runs (its push socket up, unless told not to wait
    for it); stopped with SIGTERM after, which must end it cleanly."""
    before = agent.log().count("push socket connected")
    process = agent.popen("run")
    try:
        if connected:
            wait_for(
                lambda: (
                    agent.log().count("push socket connected") > before
                    or process.poll() is not None
                ),
                what="the agent's push socket",
            )
            assert process.poll() is None, process.communicate()
        yield process
    finally:
        if process.poll() is None:
            code, out, err = stop(process)
            assert code == 0, out + err
