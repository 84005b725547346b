"""Apps on this Debian machine: the real apt-get and dpkg-query, real /bin/sh scripts (writing only
under tmp), results reported once per change."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from deskside_agent.apps import apps_apply
from deskside_agent.config import Config

pytestmark = [
    pytest.mark.agent,
    # One apt-get at a time on this machine (the dpkg lock).
    pytest.mark.xdist_group("apt"),
    pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system"),
]

MISSING = "deskside-agent-test-no-such-package"


def _config(tmp_path: Path, **changes: Any) -> Config:
    return Config(path=tmp_path / "agent.toml", state_dir=tmp_path / "state", **changes)


def _apply(config: Config, apps: list[dict[str, Any]], records=None, requested=()):
    return apps_apply(
        config=config,
        apps=apps,
        records=records or {},
        requested=set(requested),
        platform="Linux",
    )


def _debian(name: str, intent: str = "required", **fields: Any) -> dict[str, Any]:
    return {
        "appId": 5,
        "name": name,
        "intent": intent,
        "appType": "debianPackage",
        "version": "",
        "packageName": name,
        "installScript": "",
        "uninstallScript": "",
        "detection": None,
        **fields,
    }


def _script(tmp_path: Path, install: str, intent: str = "required") -> dict[str, Any]:
    return {
        "appId": 9,
        "name": "Tool",
        "intent": intent,
        "appType": "script",
        "version": "",
        "packageName": "",
        "installScript": install,
        "uninstallScript": f"rm -f {tmp_path}/tool",
        "detection": {"type": "fileExists", "path": str(tmp_path / "tool")},
    }


def test_a_package_that_does_not_exist_fails_with_apts_exit_code(tmp_path: Path) -> None:
    _, results = _apply(_config(tmp_path), [_debian(MISSING)])
    [result] = results
    assert (result["appId"], result["installState"], result["errorCode"]) == (5, "failed", "100")
    assert f"Unable to locate package {MISSING}" in result["detail"]


def test_a_failure_is_reported_once_and_tried_again_only_when_due(tmp_path: Path) -> None:
    config = _config(tmp_path)
    records, _ = _apply(config, [_debian(MISSING)])
    again, results = _apply(config, [_debian(MISSING)], records)
    assert results == []
    assert again["5"]["attemptAt"] == records["5"]["attemptAt"]


def test_an_installed_package_is_detected_and_reported_installed_once(tmp_path: Path) -> None:
    config = _config(tmp_path, apt_command=["/bin/false"])
    records, results = _apply(config, [_debian("gettext")])
    [result] = results
    assert result["installState"] == "installed"
    assert result["version"]
    _, results = _apply(config, [_debian("gettext")], records)
    assert results == []


def test_a_package_pinned_to_another_version_is_installed_with_that_version(
    tmp_path: Path,
) -> None:
    log = tmp_path / "apt.log"
    config = _config(tmp_path, apt_command=["/bin/sh", "-c", f'echo "$@" > {log}; exit 100', "sh"])
    _, results = _apply(config, [_debian("gettext", version="0.0-deskside")])
    assert results[0]["installState"] == "failed"
    assert log.read_text().split() == ["install", "-y", "gettext=0.0-deskside"]


def test_an_uninstall_of_a_missing_package_is_not_installed(tmp_path: Path) -> None:
    config = _config(tmp_path, apt_command=["/bin/false"])
    _, results = _apply(config, [_debian(MISSING, intent="uninstall")])
    assert results[0]["installState"] == "notInstalled"


def test_an_available_app_is_only_detected_until_the_user_asks(tmp_path: Path) -> None:
    app = _script(tmp_path, f"touch {tmp_path}/tool", intent="available")
    records, results = _apply(_config(tmp_path), [app])
    assert results[0]["installState"] == "notInstalled"
    assert not (tmp_path / "tool").exists()
    _, results = _apply(_config(tmp_path), [app], records, requested=[9])
    assert results[0]["installState"] == "installed"
    assert (tmp_path / "tool").exists()


def test_a_script_app_installs_and_its_detection_rule_decides(tmp_path: Path) -> None:
    config = _config(tmp_path)
    records, results = _apply(config, [_script(tmp_path, f"touch {tmp_path}/tool")])
    assert results == [
        {"appId": 9, "installState": "installed", "errorCode": "", "detail": "", "version": ""}
    ]
    uninstall = {**_script(tmp_path, "true"), "intent": "uninstall"}
    _, results = _apply(config, [uninstall], records)
    assert results[0]["installState"] == "notInstalled"
    assert not (tmp_path / "tool").exists()


def test_a_failing_script_reports_its_exit_code_and_output(tmp_path: Path) -> None:
    _, results = _apply(_config(tmp_path), [_script(tmp_path, "echo no disk space >&2; exit 7")])
    assert (results[0]["installState"], results[0]["errorCode"]) == ("failed", "7")
    assert results[0]["detail"] == "no disk space"


def test_a_script_that_runs_too_long_is_stopped(tmp_path: Path) -> None:
    config = _config(tmp_path, script_timeout_seconds=0.5)
    _, results = _apply(config, [_script(tmp_path, "sleep 30")])
    assert (results[0]["installState"], results[0]["errorCode"]) == ("failed", "timeout")


@pytest.mark.parametrize(
    "app_type", ["windowsMsi", "macPkg", "iosStore", "androidStore", "webLink"]
)
def test_other_platforms_apps_are_not_applicable(tmp_path: Path, app_type: str) -> None:
    app = {**_debian("x"), "appType": app_type}
    _, results = _apply(_config(tmp_path), [app])
    assert results[0]["installState"] == "notApplicable"
    assert app_type in results[0]["detail"]
