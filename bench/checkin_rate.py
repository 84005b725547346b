"""Check-ins per second that one server process sustains, against the bare cost of the same SQL.

    .venv/bin/python bench/checkin_rate.py [--db sqlite|postgres|both] [--devices N] [--seconds S]

For each database: a fresh database (PostgreSQL started on loopback by scripts/services and
pinned to CPU 1), the benchmark fleet (bench/fleet.py), one `deskside serve` process pinned to
CPU 0, every device checked in once, then wrk pinned to CPU 1 posting check-ins of all devices,
each with a fresh reportId: first quiet ones (the same facts as last time, as most check-ins
are), then changing ones (every check-in flips a fact that compliance evaluates). Then
bench/replay.py measures, on CPU 0, the same check-ins through Django in-process and the
captured SQL replayed bare, on one connection and on as many connections as wrk keeps open.
Prints one JSON line per database and kind of check-in, with the ratios. Needs wrk (`apt-get
install wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
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


def run(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def wrk(
    port: int, seconds: float, connections: int, devices_file: Path, changing: bool
) -> tuple[float, int]:
    result = subprocess.run(
        [
            "taskset", "-c", "1", "wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s",
            "-s", str(ROOT / "bench" / "checkin.lua"), f"http://127.0.0.1:{port}",
        ],
        env={
            **os.environ,
            "DEVICES_FILE": str(devices_file),
            "WRK_THREADS": "2",
            "CHANGING": "1" if changing else "0",
        },
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return rate, int(errors.group(1)) if errors else 0


KINDS = ("quiet", "changing")


def pin_postgres(services_dir: str, cpu: str) -> int:
    """Pin the PostgreSQL server (the postmaster and the processes it has started; backends it
    forks later inherit it) to ``cpu``, so that neither the served nor the bare run gives the
    database more than that core. The number of processes pinned."""
    postmaster = int((Path(services_dir) / "data" / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            pids.append(int(stat.parent.name))
    for pid in pids:
        subprocess.run(
            ["taskset", "-a", "-p", "-c", cpu, str(pid)], check=True, stdout=subprocess.DEVNULL
        )
    return len(pids)


def measure(
    database: str, devices: int, seconds: float, connections: int
) -> list[dict[str, object]]:
    work = Path(tempfile.mkdtemp(prefix=f"deskside-bench-{database}-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deskside.settings",
        "DESKSIDE_SECRET_KEY": "bench-only",
        "DESKSIDE_DATA_DIR": str(work),
        "DESKSIDE_HTTPS": "0",
        "DESKSIDE_LOG_LEVEL": "WARNING",
        "DESKSIDE_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONPATH": str(ROOT),
    }
    services_dir = None
    if database == "postgres":
        services = str(ROOT / "scripts" / "services")
        lines = run([services, "start"], env, stdout=subprocess.PIPE).stdout
        values = dict(line.split("=", 1) for line in lines.split())
        services_dir = values["SERVICES_DIR"]
        env["DESKSIDE_DATABASE_URL"] = values["DESKSIDE_DATABASE_URL"]
        pinned = pin_postgres(services_dir, "1")
        print(f"[{database}] PostgreSQL pinned to CPU 1 ({pinned} processes)", flush=True)
    else:
        env["DESKSIDE_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    server = None
    try:
        run([PYTHON, "-m", "deskside.cli", "migrate", "-v0"], env)
        fleet = work / "devices.json"
        print(f"[{database}] seeding {devices} devices", flush=True)
        run([PYTHON, "-m", "bench.seed", "--devices", str(devices), "--out", str(fleet)], env)
        lines_file = work / "devices.txt"
        lines_file.write_text(
            "".join(
                f"{d['credential']} {json.dumps(d['facts'], separators=(',', ':'))}\n"
                for d in json.loads(fleet.read_text())
            )
        )
        port = free_port()
        server = subprocess.Popen(
            ["taskset", "-c", "0", PYTHON, "-m", "deskside.cli", "serve", "--port", str(port)],
            env=env, cwd=ROOT,
        )  # fmt: skip
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        print(f"[{database}] every device checks in once", flush=True)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            for device in json.loads(fleet.read_text()):
                answer = http.post(
                    "/api/v1/agent/checkin",
                    json={"reportId": str(uuid.uuid4()), "agentVersion": "1.0.0",
                          "facts": device["facts"], "inventory": None},
                    headers={"Authorization": f"Bearer {device['credential']}"},
                )  # fmt: skip
                answer.raise_for_status()
        served: dict[str, tuple[float, int, float]] = {}
        for kind in KINDS:
            print(f"[{database}] {seconds:.0f} s of {kind} check-ins", flush=True)
            changing = kind == "changing"
            wrk(port, 3, connections, lines_file, changing)
            before, started = cpu_seconds(server.pid), time.monotonic()
            rate, errors = wrk(port, seconds, connections, lines_file, changing)
            cores = (cpu_seconds(server.pid) - before) / (time.monotonic() - started)
            served[kind] = (rate, errors, cores)
        server.terminate()
        server.wait(timeout=20)
        server = None
        replays = {}
        for kind in KINDS:
            print(f"[{database}] replaying the SQL of {kind} check-ins bare", flush=True)
            replays[kind] = json.loads(
                run(
                    ["taskset", "-c", "0", PYTHON, "-m", "bench.replay", "--devices", str(fleet),
                     "--seconds", str(seconds), "--connections", str(connections),
                     *(["--changing"] if kind == "changing" else [])],
                    env, stdout=subprocess.PIPE,
                ).stdout
            )  # fmt: skip
    finally:
        if server is not None:
            server.kill()
        if services_dir:
            run([str(ROOT / "scripts" / "services"), "stop", services_dir], env)
        shutil.rmtree(work, ignore_errors=True)
    results = []
    for kind in KINDS:
        rate, errors, cores = served[kind]
        replay = replays[kind]
        bare = replay.get(
            "bare_sql_concurrent_per_second", replay["bare_sql_one_connection_per_second"]
        )
        results.append(
            {
                "database": database,
                "checkins": kind,
                "devices": devices,
                "served_checkins_per_second": round(rate, 1),
                "non_200_answers": errors,
                "server_process_cores": round(cores, 2),
                "served_per_core": round(rate / max(cores, 0.01), 1),
                **replay,
                "served_to_bare_one_connection": round(
                    rate / replay["bare_sql_one_connection_per_second"], 3
                ),
                "served_to_bare": round(rate / bare, 3),
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--devices", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench: wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    for database in databases:
        for result in measure(database, args.devices, args.seconds, args.connections):
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
