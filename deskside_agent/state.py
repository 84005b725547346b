"""The agent's files in its state directory, each written atomically (temporary file, fsync,
rename, fsync of the directory) with mode 0600, in a directory of mode 0700:

- ``credential.json``: the server, the device id and the device credential (never printed);
- ``queue.json``: results not yet acknowledged, and the report in flight (retried as it is);
- ``journal.json``: every action id the agent started, so that none runs twice;
- ``state.json``: the last check-in, the inventory hash, what was applied and reported;
- ``answer.json``: the last check-in answer (it may hold secrets such as Wi-Fi passphrases).

Processes of the agent (``run``, ``install``, ``status``) share the files under an flock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("deskside_agent")

CREDENTIAL = "credential.json"
QUEUE = "queue.json"
JOURNAL = "journal.json"
STATE = "state.json"
ANSWER = "answer.json"
# Journal entries kept; the server stops giving an action once its result arrived.
JOURNAL_LIMIT = 5000


def _flock(fd: int, *, blocking: bool) -> bool:
    """Lock the open file exclusively; False when ``blocking`` is off and another holds it."""
    if sys.platform == "win32":
        import msvcrt

        mode = msvcrt.LK_LOCK if blocking else msvcrt.LK_NBLCK
        try:
            msvcrt.locking(fd, mode, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _unflock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_json(path: Path, data: Any, mode: int = 0o600) -> None:
    atomic_write(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"), mode)


def read_json(path: Path, default: Any) -> Any:
    """The file's JSON; ``default`` when it is missing. A corrupt file is set aside, not fatal."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        aside = path.with_name(f"{path.name}.corrupt")
        log.error("%s is not valid JSON; moved to %s", path, aside)
        with contextlib.suppress(OSError):
            os.replace(path, aside)
        return default


class Store:
    """The state directory of one agent."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def ensure(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(self.dir, 0o700)

    def path(self, name: str) -> Path:
        return self.dir / name

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive use of the state files (blocks while another agent process holds it)."""
        self.ensure()
        fd = os.open(self.dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _flock(fd, blocking=True)
            yield
        finally:
            _unflock(fd)
            os.close(fd)

    def try_lock_runner(self) -> int | None:
        """Hold ``run.lock`` for the life of a ``run`` process; None when another one holds it."""
        self.ensure()
        fd = os.open(self.dir / "run.lock", os.O_RDWR | os.O_CREAT, 0o600)
        if not _flock(fd, blocking=False):
            os.close(fd)
            return None
        return fd

    # -- the credential ----------------------------------------------------------------------

    def credential(self) -> dict[str, Any] | None:
        data = read_json(self.path(CREDENTIAL), None)
        if not isinstance(data, dict) or not data.get("credential"):
            return None
        return data

    def credential_save(
        self, *, server: str, device_id: int, credential: str, method: str, tenant_domain: str
    ) -> None:
        self.ensure()
        write_json(
            self.path(CREDENTIAL),
            {
                "server": server,
                "deviceId": device_id,
                "credential": credential,
                "method": method,
                "tenantDomain": tenant_domain,
                "enrolledAt": now_iso(),
            },
        )

    def forget(self) -> None:
        """Drop the credential and everything learnt from the server (the log stays)."""
        for name in (CREDENTIAL, QUEUE, JOURNAL, STATE, ANSWER):
            with contextlib.suppress(FileNotFoundError):
                self.path(name).unlink()

    # -- the queue of results ------------------------------------------------------------------

    def queue(self) -> dict[str, Any]:
        data = read_json(self.path(QUEUE), None)
        if not isinstance(data, dict):
            data = {}
        data.setdefault("seq", 0)
        data.setdefault("results", [])
        data.setdefault("pending", None)
        return data

    def queue_save(self, queue: dict[str, Any]) -> None:
        write_json(self.path(QUEUE), queue)

    def result_add(self, *, kind: str, key: str, body: dict[str, Any]) -> None:
        """Queue a result (on disk before it is sent). A newer result for the same object
        replaces an older one that is not yet part of a report in flight."""
        queue = self.queue()
        pending = queue["pending"] or {}
        in_flight = set(pending.get("seqs", []))
        queue["results"] = [r for r in queue["results"] if r["key"] != key or r["seq"] in in_flight]
        queue["seq"] += 1
        queue["results"].append(
            {"seq": queue["seq"], "kind": kind, "key": key, "body": body, "queuedAt": now_iso()}
        )
        self.queue_save(queue)

    def queued_keys(self) -> set[str]:
        return {r["key"] for r in self.queue()["results"]}

    # -- the action journal -------------------------------------------------------------------

    def journal(self) -> dict[str, Any]:
        data = read_json(self.path(JOURNAL), None)
        if not isinstance(data, dict) or not isinstance(data.get("actions"), dict):
            data = {"actions": {}}
        return data

    def journal_save(self, journal: dict[str, Any]) -> None:
        actions: dict[str, Any] = journal["actions"]
        if len(actions) > JOURNAL_LIMIT:
            finished = sorted(
                (k for k, v in actions.items() if v.get("state") == "finished"),
                key=lambda k: str(actions[k].get("startedAt", "")),
            )
            for key in finished[: len(actions) - JOURNAL_LIMIT]:
                del actions[key]
        write_json(self.path(JOURNAL), journal)

    # -- the rest ---------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        data = read_json(self.path(STATE), None)
        return data if isinstance(data, dict) else {}

    def state_save(self, state: dict[str, Any]) -> None:
        write_json(self.path(STATE), state)

    def answer(self) -> dict[str, Any] | None:
        data = read_json(self.path(ANSWER), None)
        return data if isinstance(data, dict) else None

    def answer_save(self, answer: dict[str, Any]) -> None:
        write_json(self.path(ANSWER), answer)
