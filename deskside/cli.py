"""The ``deskside`` command: own subcommands (demo, serve, createadmin), the rest go to Django.

Examples::

    deskside demo                 # migrate SQLite, fill the demo tenant, serve on 127.0.0.1:8000
    deskside serve --port 8000    # serve the configured deployment with uvicorn
    deskside migrate              # apply database migrations
    deskside createadmin --tenant "Example" --domain example.org --email admin@example.org
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import threading
from pathlib import Path

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000


def _demo_environment() -> None:
    """Defaults for the demo on loopback: SQLite under ./var, plain HTTP, a persisted secret key."""
    data_dir = Path(os.environ.setdefault("DESKSIDE_DATA_DIR", str(Path.cwd() / "var")))
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "demo-secret-key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    if not os.environ.get("DESKSIDE_SECRET_KEY"):
        os.environ.setdefault("DESKSIDE_SECRET_KEY_FILE", str(key_file))
    os.environ.setdefault("DESKSIDE_HTTPS", "0")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    import django

    django.setup()


def serve(host: str, port: int, workers: int = 1) -> None:
    """Collect the static files (so WhiteNoise serves them from one folder), then run uvicorn."""
    import uvicorn
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)

    uvicorn.run(
        "deskside.asgi:application",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        lifespan="off",
        log_level=os.environ.get("DESKSIDE_LOG_LEVEL", "info").lower(),
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    _demo_environment()
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("demo_seed", verbosity=1)
    if args.no_serve:
        return 0
    print(f"\nDeskside demo: http://{args.host}:{args.port}/\n", flush=True)
    if not args.no_agent:
        threading.Thread(
            target=_demo_agent, args=(f"http://{args.host}:{args.port}",), daemon=True
        ).start()
    serve(args.host, args.port)
    return 0


def _demo_agent(server: str) -> None:
    """Enroll this machine's real agent with the demo's bulk token, once the server answers, and
    keep it running beside the server (its files under var/agent; no power actions, no wipe, no
    rename, NetworkManager files under var/agent). It stops with the demo."""
    import atexit
    import subprocess
    import time

    import httpx

    from deskside.core.demo_fleet import demo_agent_token_file

    home = Path(os.environ["DESKSIDE_DATA_DIR"]) / "agent"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "agent.toml"
    if not config.exists():
        config.write_text(
            f'server = "{server}"\n'
            f'state_dir = "{home / "state"}"\n'
            f'nm_root = "{home / "NetworkManager"}"\n'
            f'profiles_dir = "{home / "profiles.d"}"\n'
            "allow_power_actions = false\nallow_wipe = false\nallow_rename = false\n",
            encoding="utf-8",
        )
    agent = [sys.executable, "-m", "deskside_agent.cli", "--config", str(config)]
    for _ in range(300):
        try:
            if httpx.get(f"{server}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    log = (home / "demo-agent.log").open("a", encoding="utf-8")
    if not (home / "state").exists():
        token = demo_agent_token_file()
        result = subprocess.run(  # noqa: S603 (our own agent, our own arguments)
            [*agent, "enroll", "--server", server, "--bulk-token-file", str(token)],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
        if result.returncode != 0:
            print(f"demo: this machine's agent did not enroll; see {log.name}", flush=True)
            return
    process = subprocess.Popen([*agent, "run"], stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    atexit.register(process.terminate)
    print("demo: this machine's agent is enrolled and running (var/agent)", flush=True)


def _cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    serve(args.host, args.port, args.workers)
    return 0


def main(argv: list[str] | None = None) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.serializers.base import DeserializationError
    from django.db import DatabaseError

    try:
        return _main(argv)
    except ImproperlyConfigured as error:
        print(f"deskside: configuration error: {error}", file=sys.stderr)
        return 2
    except (DeserializationError, DatabaseError) as error:
        # Django's commands raise these bare (loaddata of a bad fixture, a database refusing a
        # write): a message, not a traceback, unless one is asked for.
        if "--traceback" in (argv if argv is not None else sys.argv):
            raise
        print(f"deskside: {error}", file=sys.stderr)
        return 1


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="deskside", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="migrate SQLite, fill the demo tenant and serve it")
    demo.add_argument("--host", default=DEMO_HOST)
    demo.add_argument("--port", type=int, default=DEMO_PORT)
    demo.add_argument("--no-serve", action="store_true", help="fill the demo data and exit")
    demo.add_argument(
        "--no-agent", action="store_true", help="do not enroll and run this machine's agent"
    )
    serve_parser = commands.add_parser("serve", help="serve the portal with uvicorn")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="apply database migrations", add_help=False)
    commands.add_parser("createadmin", help="create a tenant's administrator", add_help=False)
    commands.add_parser("manage", help="any Django management command", add_help=False)

    if not argv or argv[0] in {"-h", "--help"}:
        parser.print_help()
        return 0
    if argv[0] in {"demo", "serve"}:
        args = parser.parse_args(argv)
        return _cmd_demo(args) if args.command == "demo" else _cmd_serve(args)
    # Everything else is a Django management command (migrate, createadmin, ...).
    if argv[0] == "manage":
        argv = argv[1:]
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["deskside", *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
