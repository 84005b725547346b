"""The agent at rest: resident memory and CPU of `deskside-agent run` between check-ins.

    .venv/bin/python bench/agent_idle.py [--seconds 120] [--interval 60]

Fills a demo tenant in a temporary folder (`deskside demo --no-serve`), serves it with check-ins
every ``--interval`` seconds, enrolls a real agent with the demo's bulk token, lets it settle for
20 s (first check-in, inventory, socket), then samples its resident memory and CPU time over
``--seconds``: the share of one core it used, and how much of that the check-ins took.
Aims (issue 3): at most 60 MB resident, at most 1% of a core.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--interval", type=int, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deskside-agent-idle-"))
    env = {
        **os.environ,
        "DESKSIDE_DATA_DIR": str(work),
        "DESKSIDE_LOG_LEVEL": "WARNING",
        "DESKSIDE_CHECKIN_SECONDS": str(args.interval),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DESKSIDE_DATABASE_URL", None)
    server = agent = None
    try:
        subprocess.run(
            [PYTHON, "-m", "deskside.cli", "demo", "--no-serve"],
            env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [PYTHON, "-m", "deskside.cli", "demo", "--port", str(port), "--no-agent"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        config = work / "agent.toml"
        config.write_text(
            f'server = "{url}"\nstate_dir = "{work / "agent"}"\n'
            f'nm_root = "{work / "nm"}"\nprofiles_dir = "{work / "profiles"}"\n'
        )
        cli = [PYTHON, "-m", "deskside_agent.cli", "--config", str(config)]
        subprocess.run(
            [*cli, "enroll", "--server", url, "--bulk-token-file", str(work / "demo-agent-token")],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        agent = subprocess.Popen([*cli, "run"], env=env)
        time.sleep(20)
        before, started = cpu_seconds(agent.pid), time.monotonic()
        peak = 0.0
        while time.monotonic() - started < args.seconds:
            peak = max(peak, rss_megabytes(agent.pid))
            time.sleep(1)
        used = cpu_seconds(agent.pid) - before
        wall = time.monotonic() - started
        print(
            json.dumps(
                {
                    "seconds": round(wall, 1),
                    "check_in_interval_seconds": args.interval,
                    "rss_megabytes_peak": round(peak, 1),
                    "rss_megabytes_end": round(rss_megabytes(agent.pid), 1),
                    "cpu_seconds": round(used, 3),
                    "share_of_one_core_percent": round(100 * used / wall, 3),
                }
            )
        )
    finally:
        for process in (agent, server):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
