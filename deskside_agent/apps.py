"""Assigned apps: install, uninstall, detect, and report only what changed.

- ``debianPackage``: detected with ``dpkg-query``; installed with
  ``apt-get install -y PKG[=VERSION]``, removed with ``apt-get remove -y PKG``
  (``DEBIAN_FRONTEND=noninteractive``; the command is ``apt_command`` in the config). A failure
  reports apt's exit code as ``errorCode`` and the last lines of its error output as ``detail``.
- ``script``: the install (or uninstall) script runs with ``/bin/sh`` under a timeout; then the
  detection rule (``fileExists`` / ``commandSucceeds``) decides: installed, or failed with the
  script's exit code.
- ``windowsMsi``, ``macPkg``, ``iosStore``, ``androidStore``, ``webLink``: notApplicable here.

Intents: ``required`` is installed (a failure is tried again after ``app_retry_seconds``, or at
once when the app's definition changes); ``uninstall`` is removed; ``available`` is only detected,
and installed when the user asks (``deskside-agent install APP_ID``), then kept like a required
one. A state is reported once, and again only when it changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskside_agent.config import Config
from deskside_agent.system import CommandResult, available, run, tail

log = logging.getLogger("deskside_agent")

ELSEWHERE = {
    "windowsMsi": "Windows",
    "macPkg": "macOS",
    "iosStore": "iOS",
    "androidStore": "Android",
    "webLink": "a browser (a web link is opened by the user, not installed)",
}
PACKAGE_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?")
PACKAGE_VERSION = re.compile(r"[A-Za-z0-9.+~:-]+")


@dataclass(frozen=True)
class Outcome:
    """One app's state after the agent looked or acted: the result body's fields."""

    install_state: str
    error_code: str = ""
    detail: str = ""
    version: str = ""

    def result(self, app_id: int) -> dict[str, Any]:
        return {
            "appId": app_id,
            "installState": self.install_state,
            "errorCode": self.error_code[:64],
            "detail": self.detail[:1000],
            "version": self.version[:100],
        }


def signature(app: dict[str, Any]) -> str:
    """What the app is; when it changes, a failed app is tried again at once."""
    keys = ("appType", "packageName", "version", "installScript", "uninstallScript", "detection")
    text = json.dumps({key: app.get(key) for key in keys}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- Debian packages ------------------------------------------------------------------------


def _package(app: dict[str, Any]) -> tuple[str, str]:
    name = str(app.get("packageName") or "")
    version = str(app.get("version") or "")
    if not PACKAGE_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a Debian package name")
    if version and not PACKAGE_VERSION.fullmatch(version):
        raise ValueError(f"{version!r} is not a Debian version")
    return name, version


def dpkg_installed(config: Config, name: str) -> str | None:
    """The installed version of the package, or None when it is not installed."""
    result = run(
        [*config.dpkg_query_command, "-W", "-f=${db:Status-Abbrev}\\t${Version}", name],
        timeout=config.command_timeout_seconds,
    )
    if not result.ok:
        return None
    status, _, version = result.stdout.partition("\t")
    return version.strip() if status.startswith("ii") else None


def _apt(config: Config, *args: str) -> CommandResult:
    return run(
        [*config.apt_command, *args],
        timeout=config.script_timeout_seconds,
        env={"DEBIAN_FRONTEND": "noninteractive", "NEEDRESTART_MODE": "a"},
    )


def _apt_failure(result: CommandResult, state: str) -> Outcome:
    code = "timeout" if result.returncode is None and "timed out" in result.error else ""
    if result.returncode is not None:
        code = str(result.returncode)
    detail = result.error or tail(result.stderr) or tail(result.stdout)
    return Outcome(state, error_code=code or "notStarted", detail=detail)


def _debian_detect(config: Config, app: dict[str, Any]) -> Outcome:
    name, wanted = _package(app)
    version = dpkg_installed(config, name)
    if version is not None and (not wanted or version == wanted):
        return Outcome("installed", version=version)
    return Outcome("notInstalled")


def _debian_install(config: Config, app: dict[str, Any]) -> Outcome:
    name, wanted = _package(app)
    result = _apt(config, "install", "-y", f"{name}={wanted}" if wanted else name)
    if not result.ok:
        return _apt_failure(result, "failed")
    detected = _debian_detect(config, app)
    if detected.install_state != "installed":
        return Outcome("failed", "notDetected", f"apt-get succeeded but {name} is not installed")
    return detected


def _debian_uninstall(config: Config, app: dict[str, Any]) -> Outcome:
    name, _wanted = _package(app)
    result = _apt(config, "remove", "-y", name)
    if not result.ok:
        return _apt_failure(result, "uninstallFailed")
    if dpkg_installed(config, name) is not None:
        return Outcome("uninstallFailed", "notRemoved", f"{name} is still installed")
    return Outcome("notInstalled")


# -- scripts ----------------------------------------------------------------------------------


def _sh(config: Config, script: str, timeout: float) -> CommandResult:
    """Run ``script`` with /bin/sh from a private temporary file."""
    work = config.state_dir / "scripts"
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(prefix="app-", suffix=".sh", dir=work)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(script)
        return run(["/bin/sh", name], timeout=timeout, cwd=str(work))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _script_detect(config: Config, app: dict[str, Any]) -> Outcome | None:
    """installed / notInstalled by the detection rule; None without a rule."""
    rule = app.get("detection")
    if not isinstance(rule, dict):
        return None
    if rule.get("type") == "fileExists":
        path = str(rule.get("path") or "")
        found = bool(path) and Path(path).exists()
    elif rule.get("type") == "commandSucceeds":
        found = _sh(config, str(rule.get("command") or ""), config.command_timeout_seconds).ok
    else:
        return None
    return Outcome("installed" if found else "notInstalled")


def _script_run(config: Config, app: dict[str, Any], *, install: bool) -> Outcome:
    script = str(app.get("installScript" if install else "uninstallScript") or "")
    if not script.strip():
        if install:
            return Outcome("failed", "noScript", "the app has no install script")
        return Outcome("uninstallFailed", "noScript", "the app has no uninstall script")
    result = _sh(config, script, config.script_timeout_seconds)
    code = str(result.returncode) if result.returncode is not None else "timeout"
    detected = _script_detect(config, app)
    if install:
        installed = detected.install_state == "installed" if detected else result.ok
        if installed:
            return Outcome("installed")
        why = result.reason() if not result.ok else "the detection rule did not find the app"
        return Outcome("failed", code, why)
    removed = detected.install_state == "notInstalled" if detected else result.ok
    if removed:
        return Outcome("notInstalled")
    why = result.reason() if not result.ok else "the detection rule still finds the app"
    return Outcome("uninstallFailed", code, why)


# -- one app --------------------------------------------------------------------------------


def not_applicable(app: dict[str, Any], platform: str) -> str:
    """Why this device cannot handle the app, or "" when it can."""
    kind = str(app.get("appType") or "")
    target = app.get("platform")
    if target and target != platform:
        return f"the app is for {target}, this device runs {platform}"
    if kind in ELSEWHERE:
        return f"a {platform} agent cannot install {kind} apps (they are for {ELSEWHERE[kind]})"
    if kind == "debianPackage":
        if platform != "Linux":
            return f"Debian packages cannot be installed on {platform}"
        return ""
    if kind == "script":
        if platform == "Windows" or not Path("/bin/sh").exists():
            return "script apps need /bin/sh"
        return ""
    return f"this agent does not know {kind!r} apps"


def detect(config: Config, app: dict[str, Any]) -> Outcome:
    if app.get("appType") == "debianPackage":
        if not available(config.dpkg_query_command):
            return Outcome("notInstalled")
        return _debian_detect(config, app)
    return _script_detect(config, app) or Outcome("notInstalled")


def install(config: Config, app: dict[str, Any], platform: str) -> Outcome:
    """Install the app now (whatever its intent) and say how it went."""
    why = not_applicable(app, platform)
    if why:
        return Outcome("notApplicable", detail=why)
    try:
        if app.get("appType") == "debianPackage":
            return _debian_install(config, app)
        return _script_run(config, app, install=True)
    except ValueError as error:
        return Outcome("failed", "invalid", str(error))


def uninstall(config: Config, app: dict[str, Any], platform: str) -> Outcome:
    why = not_applicable(app, platform)
    if why:
        return Outcome("notApplicable", detail=why)
    try:
        if app.get("appType") == "debianPackage":
            return _debian_uninstall(config, app)
        return _script_run(config, app, install=False)
    except ValueError as error:
        return Outcome("uninstallFailed", "invalid", str(error))


def _settle(
    config: Config,
    app: dict[str, Any],
    record: dict[str, Any],
    platform: str,
    requested: bool,
    now: float,
) -> Outcome | None:
    """What to report for one app this round (None: nothing new was learnt)."""
    why = not_applicable(app, platform)
    if why:
        return Outcome("notApplicable", detail=why)
    intent = "required" if requested else str(app.get("intent") or "")
    try:
        current = detect(config, app)
    except ValueError as error:
        return Outcome("failed", "invalid", str(error))
    if intent == "required":
        if current.install_state == "installed":
            return current
        retry_due = now - float(record.get("attemptAt", 0)) >= config.app_retry_seconds
        same_app = record.get("signature") == signature(app)
        if record.get("state") == "failed" and same_app and not retry_due:
            return None
        record["attemptAt"] = now
        log.info("installing app %s (%s)", app.get("appId"), app.get("name"))
        return install(config, app, platform)
    if intent == "uninstall":
        if current.install_state != "installed":
            return Outcome("notInstalled")
        retry_due = now - float(record.get("attemptAt", 0)) >= config.app_retry_seconds
        same_app = record.get("signature") == signature(app)
        if record.get("state") == "uninstallFailed" and same_app and not retry_due:
            return None
        record["attemptAt"] = now
        log.info("uninstalling app %s (%s)", app.get("appId"), app.get("name"))
        return uninstall(config, app, platform)
    return current


def apps_apply(
    *,
    config: Config,
    apps: list[dict[str, Any]],
    records: dict[str, Any],
    requested: set[int],
    platform: str,
    now: float | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Bring the assigned apps to their intent; the new records and the changed results."""
    now = time.time() if now is None else now
    new: dict[str, Any] = {}
    results = []
    for app in apps:
        try:
            app_id = int(app["appId"])
        except (KeyError, TypeError, ValueError):
            log.warning("an app without a valid appId was ignored")
            continue
        record = dict(records.get(str(app_id), {}))
        outcome = _settle(config, app, record, platform, app_id in requested, now)
        if outcome is not None:
            key = (outcome.install_state, outcome.error_code)
            if (record.get("state"), record.get("errorCode")) != key:
                results.append(outcome.result(app_id))
                log.info("app %s: %s %s", app_id, outcome.install_state, outcome.error_code)
            record.update(state=outcome.install_state, errorCode=outcome.error_code)
            record["detail"] = outcome.detail
            record["version"] = outcome.version
        record["signature"] = signature(app)
        record["name"] = str(app.get("name") or "")
        record["intent"] = str(app.get("intent") or "")
        new[str(app_id)] = record
    return new, results
