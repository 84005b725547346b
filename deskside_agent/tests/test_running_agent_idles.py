"""At rest the running agent (socket open, timer waiting) uses next to no CPU and little memory:
measured from /proc over a quiet window after its first check-in."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from deskside_agent.tests.conftest import AgentHome, running

pytestmark = [
    pytest.mark.agent,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
]

WINDOW_SECONDS = 3.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_the_running_agent_idles_with_little_cpu_and_memory(agent: AgentHome) -> None:
    agent.enroll()
    with running(agent) as process:
        before = _cpu_seconds(process.pid)
        time.sleep(WINDOW_SECONDS)  # the measurement is of a quiet window
        used = _cpu_seconds(process.pid) - before
        rss = _rss_bytes(process.pid)
    assert used <= 0.05, f"{used:.3f} s of CPU in {WINDOW_SECONDS} s at rest"
    assert rss <= 60 * 1024 * 1024, f"{rss / 1e6:.1f} MB resident"
