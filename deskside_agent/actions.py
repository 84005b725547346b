"""Device actions, each run at most once: the id is journaled on disk before it runs.

A journal entry is ``running`` while the action runs, ``awaitingRestart`` after a restart or shut
down command returned, ``finished`` once its result is queued. When the agent starts again
(``recover``), an entry left ``awaitingRestart`` is reported done; one left ``running`` is done
for a power action when the machine booted since, else failed (the agent stopped in the middle);
none of them runs again. docs/agent.md says what each action does on Linux.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskside_agent.config import Config
from deskside_agent.profiles import profiles_remove_all
from deskside_agent.protocol import DesksideClient, Facts, ProtocolError, Rejected
from deskside_agent.state import Store, now_iso
from deskside_agent.system import available, run

log = logging.getLogger("deskside_agent")

POWER = {"rebootNow", "shutDown"}
FINAL = {"retire", "wipe"}
HOSTNAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


def managed_data_remove(*, config: Config, store: Store) -> list[str]:
    """Remove what the agent wrote on the device (profile files, certificates, WireGuard keys,
    scripts); the errors. Used by retire, wipe, and enrolling again."""
    state = store.state()
    errors = profiles_remove_all(config=config, applied=state.get("profiles", {}))
    for name in ("certs", "scripts", "wireguard"):
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(config.state_dir / name)
    if state:
        state["profiles"] = {}
        store.state_save(state)
    return errors


def boot_id() -> str:
    """This boot's id (Linux); empty where the system does not say."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class Done:
    state: str
    detail: str = ""


AWAIT_RESTART = Done("awaitingRestart")


def _done(detail: str = "") -> Done:
    return Done("done", detail)


def _failed(detail: str) -> Done:
    return Done("failed", detail[:1000])


def _not_supported(detail: str) -> Done:
    return Done("notSupported", detail)


class ActionRunner:
    """Runs the actions of one check-in answer for one agent."""

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        client: DesksideClient,
        platform: str,
        facts: Callable[[], Facts],
        diagnostics: Callable[[], bytes],
    ) -> None:
        self.config = config
        self.store = store
        self.client = client
        self.platform = platform
        self.facts = facts
        self.diagnostics = diagnostics
        self.sync_requested = False

    # -- the journal ---------------------------------------------------------------------

    def recover(self) -> None:
        """At start: settle the actions a previous run left unfinished (none runs again)."""
        journal = self.store.journal()
        queued = self.store.queued_keys()
        changed = False
        this_boot = boot_id()
        for action_id, entry in journal["actions"].items():
            state = entry.get("state")
            if state == "finished":
                continue
            name = entry.get("action", "")
            rebooted = bool(this_boot) and entry.get("bootId") not in ("", None, this_boot)
            if f"action:{action_id}" in queued:
                result = None
            elif state == "awaitingRestart":
                result = _done("the device restarted" if rebooted else "the agent restarted")
            elif name in POWER and rebooted:
                result = _done("the device restarted")
            else:
                result = _failed("the agent stopped while running this action; not run again")
            if result is not None:
                self._queue(int(action_id), result)
                log.info("action %s (%s) settled after a restart: %s", action_id, name, result)
            entry["state"] = "finished"
            entry["finishedAt"] = now_iso()
            changed = True
        if changed:
            self.store.journal_save(journal)

    def _queue(self, action_id: int, result: Done) -> None:
        body = {"actionId": action_id, "state": result.state, "detail": result.detail}
        self.store.result_add(kind="action", key=f"action:{action_id}", body=body)

    def run_all(self, actions: list[dict[str, Any]]) -> None:
        """Run every action not run before, in the order given. After a restart or shut down
        command, or a retire or wipe, nothing else runs."""
        journal = self.store.journal()
        for action in actions:
            try:
                action_id = int(action["actionId"])
            except (KeyError, TypeError, ValueError):
                log.warning("an action without a valid actionId was ignored")
                continue
            key = str(action_id)
            if key in journal["actions"]:
                continue
            name = str(action.get("action", ""))
            journal["actions"][key] = {
                "action": name,
                "state": "running",
                "startedAt": now_iso(),
                "bootId": boot_id(),
                "final": name in FINAL,
            }
            self.store.journal_save(journal)
            log.info("running action %s (%s)", action_id, name)
            try:
                result = self._execute(name, action.get("parameters") or {}, action_id)
            except Exception as error:  # noqa: BLE001 - an action's bug must not stop the agent
                log.exception("action %s (%s) failed", action_id, name)
                result = _failed(f"the agent failed: {error}")
            if result is AWAIT_RESTART:
                journal["actions"][key]["state"] = "awaitingRestart"
                self.store.journal_save(journal)
                log.info("action %s (%s): waiting for the restart", action_id, name)
                return
            self._queue(action_id, result)
            journal["actions"][key]["state"] = "finished"
            journal["actions"][key]["finishedAt"] = now_iso()
            journal["actions"][key]["result"] = result.state
            self.store.journal_save(journal)
            log.info("action %s (%s): %s %s", action_id, name, result.state, result.detail)
            if name in FINAL and result.state == "done":
                return

    # -- the actions ---------------------------------------------------------------------

    def _execute(self, name: str, parameters: dict[str, Any], action_id: int) -> Done:
        handler = {
            "syncDevice": self._sync,
            "remoteLock": self._lock,
            "rebootNow": self._reboot,
            "shutDown": self._shutdown,
            "setDeviceName": self._rename,
            "retire": self._retire,
            "wipe": self._wipe,
            "collectDiagnostics": self._diagnostics,
        }.get(name)
        if handler is None:
            return _not_supported(f"this agent does not know the action {name!r}")
        return handler(parameters, action_id)

    def _command(self, command: list[str], what: str) -> Done:
        if not available(command):
            return _not_supported(f"{command[0] if command else what} is not available here")
        result = run(command, timeout=self.config.command_timeout_seconds)
        return _done() if result.ok else _failed(f"{what} failed: {result.reason()}")

    def _sync(self, parameters: dict[str, Any], action_id: int) -> Done:
        self.sync_requested = True
        return _done()

    def _lock(self, parameters: dict[str, Any], action_id: int) -> Done:
        if self.platform != "Linux":
            return _not_supported(f"remote lock is not supported on {self.platform} by this agent")
        return self._command(self.config.lock_command, "locking the sessions")

    def _power(self, command: list[str], what: str) -> Done:
        if not self.config.allow_power_actions:
            return _not_supported(
                "the local configuration does not allow power actions (allow_power_actions)"
            )
        if self.platform != "Linux":
            return _not_supported(f"{what} is not supported on {self.platform} by this agent")
        done = self._command(command, what)
        return AWAIT_RESTART if done.state == "done" else done

    def _reboot(self, parameters: dict[str, Any], action_id: int) -> Done:
        return self._power(self.config.reboot_command, "restarting")

    def _shutdown(self, parameters: dict[str, Any], action_id: int) -> Done:
        return self._power(self.config.shutdown_command, "shutting down")

    def _rename(self, parameters: dict[str, Any], action_id: int) -> Done:
        name = str(parameters.get("deviceName") or "").strip()
        if not self.config.allow_rename:
            return _not_supported("the local configuration does not allow renaming (allow_rename)")
        if self.platform != "Linux":
            return _not_supported(f"renaming is not supported on {self.platform} by this agent")
        if len(name) > 253 or not HOSTNAME.fullmatch(name):
            return _failed(f"{name!r} is not a valid host name (letters, digits and hyphens)")
        command = [part.replace("{name}", name) for part in self.config.rename_command]
        return self._command(command, "renaming the device")

    def managed_data_remove(self) -> list[str]:
        return managed_data_remove(config=self.config, store=self.store)

    def _retire(self, parameters: dict[str, Any], action_id: int) -> Done:
        errors = self.managed_data_remove()
        detail = "; ".join(errors)
        return _done(f"retired; left behind: {detail}" if detail else "retired")

    def _wipe(self, parameters: dict[str, Any], action_id: int) -> Done:
        if not self.config.allow_wipe:
            return _not_supported("the local configuration does not allow wipe (allow_wipe)")
        errors = self.managed_data_remove()
        if self.config.wipe_command:
            result = run(self.config.wipe_command, timeout=self.config.script_timeout_seconds)
            if not result.ok:
                return _failed(f"the wipe command failed: {result.reason()}")
        detail = "removed the agent's data"
        if self.config.wipe_command:
            detail += " and ran the wipe command"
        if errors:
            detail += "; left behind: " + "; ".join(errors)
        return _done(detail)

    def _diagnostics(self, parameters: dict[str, Any], action_id: int) -> Done:
        try:
            bundle = self.diagnostics()
        except OSError as error:
            return _failed(f"could not build the bundle: {error}")
        try:
            self.client.upload_diagnostics(action_id, bundle)
        except Rejected as refusal:
            return _failed(f"the server refused the upload ({refusal})")
        except ProtocolError as error:
            return _failed(f"the upload failed: {error}")
        return _done(f"uploaded {len(bundle)} bytes")
