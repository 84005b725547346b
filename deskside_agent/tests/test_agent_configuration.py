"""The agent's configuration: TOML or JSON, environment overrides, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskside_agent.config import ConfigError, config_load

pytestmark = pytest.mark.agent


def test_a_missing_file_means_the_defaults(tmp_path: Path) -> None:
    config = config_load(tmp_path / "absent.toml", environ={})
    assert config.state_dir == Path("/var/lib/deskside-agent")
    assert config.nm_root == Path("/etc/NetworkManager/system-connections")
    assert (config.allow_power_actions, config.allow_wipe) == (False, False)
    assert config.apt_command == ["apt-get", "-o", "DPkg::Lock::Timeout=120"]
    assert config.log_path == Path("/var/lib/deskside-agent/agent.log")
    assert config.custom_profiles_dir == tmp_path / "profiles.d"


def test_toml_then_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_text(
        'server = "https://deskside.example.org"\n'
        'state_dir = "/srv/agent"\n'
        "allow_power_actions = true\n"
        'wipe_command = ["/usr/local/sbin/factory-reset", "--yes"]\n'
    )
    environ = {
        "DESKSIDE_AGENT_STATE_DIR": str(tmp_path / "state"),
        "DESKSIDE_AGENT_ALLOW_WIPE": "1",
        "DESKSIDE_AGENT_APT_COMMAND": "sudo apt-get",
    }
    config = config_load(path, environ=environ)
    assert config.server == "https://deskside.example.org"
    assert config.state_dir == tmp_path / "state"
    assert (config.allow_power_actions, config.allow_wipe) == (True, True)
    assert config.wipe_command == ["/usr/local/sbin/factory-reset", "--yes"]
    assert config.apt_command == ["sudo", "apt-get"]


def test_json_works_too(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    path.write_text('{"nm_root": "/srv/nm", "check_in_interval_seconds": 60}')
    config = config_load(path, environ={})
    assert (config.nm_root, config.check_in_interval_seconds) == (Path("/srv/nm"), 60.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 'blue'\n", "unknown key 'colour'"),
        ("allow_wipe = 'maybe'\n", "allow_wipe must be true or false"),
        ("retry_max_seconds = -1\n", "retry_max_seconds must not be negative"),
        ("reboot_command = 5\n", "reboot_command must be a list of strings"),
        ("server = [\n", "is not valid TOML"),
    ],
)
def test_a_bad_configuration_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "agent.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        config_load(path, environ={})


def test_the_command_exits_2_on_a_bad_configuration(agent) -> None:
    agent.config_path.write_text("colour = 'blue'\n")
    done = agent.cli("status")
    assert done.returncode == 2
    assert "configuration error" in done.stderr and "colour" in done.stderr
