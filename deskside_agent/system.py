"""Running the device's commands: always with a timeout, never raising, output kept short."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger("deskside_agent")


@dataclass(frozen=True)
class CommandResult:
    """``returncode`` None: the command could not be started or timed out (``error`` says why)."""

    returncode: int | None
    stdout: str = ""
    stderr: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def reason(self, limit: int = 1000) -> str:
        """Why it failed, for a result's ``detail``: the error, else the last lines of output."""
        if self.error:
            return self.error[:limit]
        text = tail(self.stderr, limit=limit) or tail(self.stdout, limit=limit)
        return text or f"exit code {self.returncode}"


def tail(text: str, *, lines: int = 8, limit: int = 1000) -> str:
    """The last non-empty lines of ``text``, at most ``limit`` characters."""
    kept = [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]
    joined = "\n".join(kept)
    return joined[-limit:]


def available(command: Sequence[str]) -> bool:
    """Whether the command's program exists (on PATH, or as a path)."""
    return bool(command) and shutil.which(command[0]) is not None


def run(
    command: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    user: int | None = None,
    cwd: str | None = None,
) -> CommandResult:
    """Run ``command`` (no shell) and wait at most ``timeout`` seconds."""
    if not command:
        return CommandResult(None, error="no command is configured")
    full_env = None if env is None else {**os.environ, **env}
    try:
        # A session of its own, so that a timeout stops the command's children too.
        process = subprocess.Popen(  # noqa: S603 - the commands come from the agent's config
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            env=full_env,
            user=user,
            cwd=cwd,
            start_new_session=True,
        )
    except FileNotFoundError:
        return CommandResult(None, error=f"{command[0]} is not installed")
    except PermissionError as error:
        return CommandResult(None, error=f"{command[0]}: {error.strerror}")
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return CommandResult(None, error=f"{command[0]}: {error}")
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        return CommandResult(
            None, stdout=stdout, stderr=stderr, error=f"{command[0]} timed out after {timeout:g}s"
        )
    return CommandResult(process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        process.kill()


def output(command: Sequence[str], *, timeout: float = 5.0, user: int | None = None) -> str | None:
    """The command's standard output when it succeeded, else None (for probes of facts)."""
    result = run(command, timeout=timeout, user=user)
    return result.stdout if result.ok else None
