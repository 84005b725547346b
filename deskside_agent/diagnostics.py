"""The diagnostics bundle: a tar.gz of the agent's log, a system journal excerpt, the facts and
the agent's state (never the credential, the last answer or any profile secret).

Its size stays under ``diagnostics_max_bytes``: the logs are cut to their last part, shorter
each time, until the bundle fits.
"""

from __future__ import annotations

import io
import json
import logging
import tarfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from deskside_agent import __version__
from deskside_agent.config import Config
from deskside_agent.protocol import Facts
from deskside_agent.state import Store
from deskside_agent.system import available, run

log = logging.getLogger("deskside_agent")


def _tail_bytes(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            return handle.read(limit)
    except OSError:
        return b""


def _agent_log(config: Config, limit: int) -> bytes:
    current = config.log_path
    data = _tail_bytes(current, limit)
    if len(data) < limit:
        older = _tail_bytes(current.with_name(current.name + ".1"), limit - len(data))
        data = older + data
    return data


def _journal(config: Config) -> bytes:
    command = ["journalctl", "-n", "3000", "--no-pager", "-o", "short-iso"]
    if not available(command):
        return b"journalctl is not available on this device\n"
    result = run(command, timeout=min(config.command_timeout_seconds, 30))
    if result.returncode is None:
        return f"journalctl: {result.error}\n".encode()
    return (result.stdout or result.stderr).encode("utf-8", "replace")


def status_summary(store: Store) -> dict[str, Any]:
    """What the agent knows and did, without secrets (for the bundle and for ``status``)."""
    state = store.state()
    queue = store.queue()
    credential = store.credential() or {}
    journal = store.journal()
    return {
        "agentVersion": __version__,
        "enrolled": bool(credential),
        "server": credential.get("server", ""),
        "deviceId": credential.get("deviceId"),
        "lastCheckIn": state.get("lastCheckIn"),
        "queuedResults": [r["body"] | {"kind": r["kind"]} for r in queue["results"]],
        "reportInFlight": (queue["pending"] or {}).get("reportId"),
        "profiles": {
            pid: {k: v for k, v in record.items() if k in ("version", "state", "detail", "files")}
            for pid, record in state.get("profiles", {}).items()
        },
        "apps": state.get("apps", {}),
        "actions": {
            aid: {k: v for k, v in entry.items() if k in ("action", "state", "result", "startedAt")}
            for aid, entry in list(journal["actions"].items())[-200:]
        },
    }


def _bundle(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"deskside-diagnostics/{name}")
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def diagnostics_build(*, config: Config, store: Store, facts: Facts | None) -> bytes:
    """The bundle as bytes, at most ``config.diagnostics_max_bytes``."""
    journal = _journal(config)
    fixed = {
        "facts.json": json.dumps(asdict(facts) if facts else {}, indent=2).encode(),
        "status.json": json.dumps(status_summary(store), indent=2, default=str).encode(),
        "README.txt": (
            f"Deskside agent {__version__} diagnostics, made {time.strftime('%Y-%m-%d %H:%M:%S')}"
            "\nagent.log: the agent's log; journal.txt: the system journal's last entries;"
            "\nfacts.json: what the agent reports; status.json: its queue, journal and state.\n"
        ).encode(),
    }
    limit = max(config.diagnostics_max_bytes, 4096)
    share = limit
    for _ in range(8):
        files = dict(fixed)
        files["agent.log"] = _agent_log(config, share)
        files["journal.txt"] = journal[-share:]
        bundle = _bundle(files)
        if len(bundle) <= limit:
            return bundle
        share //= 4
    return _bundle({"README.txt": fixed["README.txt"], "facts.json": fixed["facts.json"]})
