"""The ``deskside-agent`` command.

Examples::

    deskside-agent enroll --server https://deskside.example.org --user --email ada@example.org
    deskside-agent enroll --server URL --bulk-token-file /etc/deskside-agent/token
    deskside-agent enroll --server URL --preprovisioned --tenant-domain example.org
    deskside-agent run                # check in now, then on the timer and when pushed
    deskside-agent status             # enrolled?, last check-in, queue, profiles, apps
    deskside-agent install APP_ID     # install an app the organization made available
    deskside-agent collect-logs       # a tar.gz of the logs to send to the help desk

Exit codes: 0 done, 1 refused or failed, 2 a usage or configuration error, 3 not enrolled, the
server unreachable, or the credential refused (enroll again).
"""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from deskside_agent import __version__
from deskside_agent.config import Config, ConfigError, config_load
from deskside_agent.i18n import _, argparse_translated, language, ngettext

log = logging.getLogger("deskside_agent")


def _logging(config: Config, *, verbose: bool = False) -> None:
    """The agent's log file in the state directory (rotating); warnings also on stderr."""
    log.setLevel(config.log_level.upper() if config.log_level else "INFO")
    log.propagate = False
    for noisy in ("httpx", "httpcore", "websockets"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    to_file = True
    try:
        config.log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            config.log_path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        os.chmod(config.log_path, 0o600)
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
        to_file = False
    handler.setFormatter(formatter)
    log.addHandler(handler)
    if verbose and to_file:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(formatter)
        log.addHandler(console)


def _error(text: str) -> None:
    print(f"deskside-agent: {text}", file=sys.stderr, flush=True)


# -- enroll -------------------------------------------------------------------------------------


def _bulk_token(path: str) -> tuple[str, str]:
    """The token file: the token alone, or JSON ``{"token": ..., "tenantDomain": ...}``."""
    text = Path(path).read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        data = json.loads(text)
        return str(data.get("token", "")).strip(), str(data.get("tenantDomain", "")).strip()
    return text.splitlines()[0].strip() if text else "", ""


def _print_refusal(refusal: Any) -> None:
    from deskside_agent.protocol import version_below

    # The title, details and remediation come translated from the server.
    lines = [_("Enrollment refused: {code}").format(code=refusal.code), refusal.title]
    if refusal.details:
        lines.append(refusal.details)
    if refusal.minimum_agent_version and version_below(__version__, refusal.minimum_agent_version):
        lines.append(
            _(
                "This agent is version {version}; the server needs {minimum} or later. "
                "Update deskside-agent and enroll again."
            ).format(version=__version__, minimum=refusal.minimum_agent_version)
        )
    if refusal.remediation:
        lines.append(_("What to do:"))
        lines.extend(f"  - {step}" for step in refusal.remediation)
    print("\n".join(lines), file=sys.stderr, flush=True)


def cmd_enroll(config: Config, args: argparse.Namespace) -> int:
    from deskside_agent.actions import managed_data_remove
    from deskside_agent.facts import collect_facts
    from deskside_agent.protocol import (
        DesksideClient,
        Offline,
        ProtocolError,
        Refused,
        Rejected,
        Unauthorized,
    )
    from deskside_agent.signin import user_access_token
    from deskside_agent.state import Store

    server = (args.server or config.server).rstrip("/")
    if not server:
        _error(_("give the server: --server URL (or server = ... in the config)"))
        return 2
    store = Store(config.state_dir)
    existing = store.credential()
    if existing and not args.force:
        _error(
            _(
                "this device is already enrolled (device {device_id} at {server}); "
                "use --force to enroll it again"
            ).format(device_id=existing.get("deviceId"), server=existing.get("server"))
        )
        return 2
    domain = args.tenant_domain or ""
    token = ""
    if args.bulk_token_file:
        try:
            token, file_domain = _bulk_token(args.bulk_token_file)
        except (OSError, ValueError) as error:
            _error(
                _("cannot read the bulk token file {path}: {error}").format(
                    path=args.bulk_token_file, error=error
                )
            )
            return 2
        if not token:
            _error(_("{path} holds no token").format(path=args.bulk_token_file))
            return 2
        domain = domain or file_domain
    if args.email and not domain:
        domain = args.email.rpartition("@")[2]
    if args.preprovisioned and not domain:
        _error(_("a pre-provisioned enrollment needs --tenant-domain"))
        return 2
    method = "user" if args.user else "bulkToken" if args.bulk_token_file else "preProvisioned"
    facts = collect_facts(config)
    if method == "preProvisioned" and not facts.hardware_id:
        _error(_("this machine's hardware id cannot be read (no product_uuid or machine-id)"))
        return 2
    verify: bool | str = config.ca_file or True
    client = DesksideClient(
        server, timeout=config.http_timeout_seconds, verify=verify, language=language()
    )
    try:
        session_id = None
        if domain:
            session_id = client.start_session(domain).session_id
        else:
            log.info("no tenant domain known before enrolling: no enrollment session")
        access_token = None
        if method == "user":
            access_token = user_access_token(
                client,
                open_browser=not args.no_browser,
                timeout=args.sign_in_timeout,
                login_hint=args.email or "",
                show=lambda text: print(text, flush=True),
            )
        enrolled = client.enroll(
            method=method,
            facts=facts,
            ownership=args.ownership or config.ownership,
            bulk_token=token,
            tenant_domain=domain if method == "preProvisioned" else "",
            session_id=session_id,
            access_token=access_token,
        )
    except Refused as refusal:
        _print_refusal(refusal.refusal)
        log.warning("enrollment refused: %s", refusal.refusal.code)
        return 1
    except Unauthorized as error:
        if method == "user":
            text = _("the server did not accept the sign-in: {error}")
        elif method == "bulkToken":
            text = _("the server did not accept the bulk token: {error}")
        else:
            text = _("the server did not accept the tenant: {error}")
        _error(text.format(error=error))
        return 1
    except Offline as error:
        # The detail is the protocol library's (English: protocol.py depends on nothing).
        _error(
            _("the server cannot be reached or is busy, try again later: {error}").format(
                error=error
            )
        )
        return 3
    except (Rejected, ProtocolError) as error:
        _error(_("enrollment failed: {error}").format(error=error))
        return 1
    finally:
        client.close()
    with store.lock():
        # Enrolling again: what the previous enrollment wrote goes first.
        for left in managed_data_remove(config=config, store=store):
            log.warning("%s", left)
        store.forget()
        store.credential_save(
            server=server,
            device_id=enrolled.device_id,
            credential=enrolled.credential,
            method=method,
            tenant_domain=domain,
        )
    log.info("enrolled as device %s at %s (%s)", enrolled.device_id, server, method)
    print(
        _("Enrolled: device {device_id} at {server}.").format(
            device_id=enrolled.device_id, server=server
        )
    )
    print(_("Start the agent with `deskside-agent run` (or its system service)."), flush=True)
    return 0


# -- run, status, install ---------------------------------------------------------------------


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    from deskside_agent.agent import Agent

    agent = Agent(config)

    def stop(signum: int, frame: object) -> None:
        agent.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return agent.run(once=args.once)


def _status(config: Config) -> dict[str, Any]:
    from deskside_agent.diagnostics import status_summary
    from deskside_agent.state import Store

    store = Store(config.state_dir)
    summary = status_summary(store)
    answer = store.answer() or {}
    finished = {
        aid for aid, entry in store.journal()["actions"].items() if entry.get("state") == "finished"
    }
    summary["pendingActions"] = [
        {"actionId": a.get("actionId"), "action": a.get("action")}
        for a in answer.get("actions", [])
        if str(a.get("actionId")) not in finished
    ]
    summary["complianceState"] = answer.get("complianceState")
    summary["minimumAgentVersion"] = answer.get("minimumAgentVersion")
    names = {str(p.get("profileId")): p for p in answer.get("profiles", [])}
    for pid, record in summary["profiles"].items():
        record["name"] = names.get(pid, {}).get("name", "")
        record["profileType"] = names.get(pid, {}).get("profileType", "")
    apps = []
    for app in answer.get("apps", []):
        record = summary["apps"].get(str(app.get("appId")), {})
        apps.append(
            {
                "appId": app.get("appId"),
                "name": app.get("name"),
                "intent": app.get("intent"),
                "appType": app.get("appType"),
                "state": record.get("state", ""),
                "errorCode": record.get("errorCode", ""),
                "detail": record.get("detail", ""),
                "version": record.get("version", ""),
            }
        )
    summary["apps"] = apps
    summary["available"] = [
        a for a in apps if a["intent"] == "available" and a["state"] != "installed"
    ]
    return summary


def cmd_status(config: Config, args: argparse.Namespace) -> int:
    try:
        summary = _status(config)
    except PermissionError:
        _error(
            _("cannot read {path}: run as root (or the agent's user)").format(path=config.state_dir)
        )
        return 2
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
        return 0
    # The states (ok, offline, installed, failed...) are the protocol's words: not translated.
    lines = [_("Deskside agent {version}").format(version=__version__)]
    if not summary["enrolled"]:
        lines.append(_("Enrolled: no (run `deskside-agent enroll`)"))
    else:
        lines.append(
            _("Enrolled: yes, device {device_id} at {server}").format(
                device_id=summary["deviceId"], server=summary["server"]
            )
        )
    last = summary.get("lastCheckIn") or {}
    if last:
        text = _("Last check-in: {at} {result}").format(
            at=last.get("at"), result=last.get("result")
        )
        if last.get("detail"):
            text += f" ({last['detail']})"
        lines.append(text)
        if summary.get("complianceState"):
            lines.append(_("Compliance: {state}").format(state=summary["complianceState"]))
    elif summary["enrolled"]:
        lines.append(_("Last check-in: never"))
    minimum = summary.get("minimumAgentVersion") or ""
    from deskside_agent.protocol import version_below

    if version_below(__version__, minimum):
        lines.append(
            _("Update needed: the server asks for agent {minimum} or later").format(minimum=minimum)
        )
    queued = summary["queuedResults"]
    lines.append(_("Queued results: {count}").format(count=len(queued)))
    lines.extend(f"  {_result_line(r)}" for r in queued)
    pending = summary["pendingActions"]
    lines.append(_("Pending actions: {count}").format(count=len(pending)))
    lines.extend(f"  {a['actionId']} {a['action']}" for a in pending)
    lines.append(_("Profiles: {count}").format(count=len(summary["profiles"])))
    for pid, record in sorted(summary["profiles"].items()):
        detail = f" ({record['detail']})" if record.get("detail") else ""
        lines.append(
            f"  {pid} {record.get('name', '')} [{record.get('profileType', '')}] "
            f"v{record.get('version')}: {record.get('state')}{detail}"
        )
    lines.append(_("Apps: {count}").format(count=len(summary["apps"])))
    for app in summary["apps"]:
        state = app["state"] or "-"
        if app["errorCode"]:
            state = _("{state} (error {code})").format(state=state, code=app["errorCode"])
        lines.append(f"  {app['appId']} {app['name']} [{app['intent']}]: {state}")
        if app["detail"] and app["state"] in ("failed", "uninstallFailed", "notApplicable"):
            lines.append(f"      {app['detail'].splitlines()[-1]}")
    if summary["available"]:
        lines.append(_("Available to install (deskside-agent install APP_ID):"))
        lines.extend(f"  {a['appId']} {a['name']}" for a in summary["available"])
    print("\n".join(lines))
    return 0


def _result_line(result: dict[str, Any]) -> str:
    kind = result["kind"]
    if kind == "action":
        return _("action {id}: {state}").format(id=result["actionId"], state=result["state"])
    if kind == "profile":
        return _("profile {id} v{version}: {state}").format(
            id=result["profileId"], version=result["version"], state=result["state"]
        )
    return (
        _("app {id}: {state} {code}")
        .format(id=result["appId"], state=result["installState"], code=result.get("errorCode", ""))
        .rstrip()
    )


def cmd_install(config: Config, args: argparse.Namespace) -> int:
    from deskside_agent import apps
    from deskside_agent.agent import Agent

    agent = Agent(config)
    if agent.enrolled() is None:
        _error(_("this device is not enrolled"))
        return 3
    with agent.store.lock():
        answer = agent.store.answer() or {}
        offered = {int(a["appId"]): a for a in answer.get("apps", []) if "appId" in a}
        app = offered.get(args.app_id)
        if app is None or app.get("intent") not in ("available", "required"):
            names = ", ".join(
                f"{i} ({a.get('name')})"
                for i, a in offered.items()
                if a.get("intent") == "available"
            )
            _error(
                _("app {app_id} is not offered to this device; available: {names}").format(
                    app_id=args.app_id, names=names or _("none")
                )
            )
            return 1
        print(_("Installing {name}...").format(name=app.get("name")), flush=True)
        outcome = apps.install(config, app, agent.platform)
        state = agent.store.state()
        records = state.setdefault("apps", {})
        record = records.setdefault(str(args.app_id), {})
        record.update(
            state=outcome.install_state,
            errorCode=outcome.error_code,
            detail=outcome.detail,
            version=outcome.version,
            attemptAt=time.time(),
            signature=apps.signature(app),
        )
        state["requestedApps"] = sorted({*state.get("requestedApps", []), args.app_id})
        agent.store.state_save(state)
        agent.store.result_add(
            kind="app", key=f"app:{args.app_id}", body=outcome.result(args.app_id)
        )
    text = outcome.install_state
    if outcome.error_code:
        text = _("{state} (error {code})").format(state=text, code=outcome.error_code)
    print(f"{app.get('name')}: {text}")
    if outcome.detail:
        print(outcome.detail)  # what the install printed
    delivered = agent.check_in()
    if not delivered.ok:
        print(_("The result will be sent at the next check-in."))
    agent.close()
    return 0 if outcome.install_state == "installed" else 1


def cmd_collect_logs(config: Config, args: argparse.Namespace) -> int:
    from deskside_agent.diagnostics import diagnostics_build
    from deskside_agent.facts import collect_facts
    from deskside_agent.state import Store

    output = Path(args.output or f"deskside-agent-logs-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz")
    bundle = diagnostics_build(
        config=config, store=Store(config.state_dir), facts=collect_facts(config)
    )
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(bundle)
    except OSError as error:
        _error(_("cannot write {path}: {error}").format(path=output, error=error.strerror))
        return 1
    print(
        ngettext(
            "Wrote {path} ({size} byte): send it to your help desk.",
            "Wrote {path} ({size} bytes): send it to your help desk.",
            len(bundle),
        ).format(path=output, size=len(bundle))
    )
    return 0


def cmd_facts(config: Config, args: argparse.Namespace) -> int:
    from deskside_agent.facts import collect_facts, collect_inventory, os_description

    facts = collect_facts(config)
    inventory = collect_inventory(config)
    body = {
        "system": os_description(),
        "facts": facts.checkin_json(),
        "hardwareId": facts.hardware_id,
        "inventoryCount": len(inventory),
    }
    if args.inventory:
        body["inventory"] = [item.as_json() for item in inventory]
    print(json.dumps(body, indent=2))
    return 0


# -- main ---------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    argparse_translated()
    parser = argparse.ArgumentParser(
        prog="deskside-agent", description=_("Deskside's device agent.")
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"deskside-agent {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--config", help=_("the configuration file (default /etc/deskside-agent/agent.toml)")
    )
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log to stderr too"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    enroll = commands.add_parser("enroll", help=_("enroll this device"))
    enroll.add_argument("--server", help=_("the Deskside server's URL"))
    how = enroll.add_mutually_exclusive_group(required=True)
    how.add_argument("--user", action="store_true", help=_("sign the user in through the browser"))
    how.add_argument("--bulk-token-file", metavar="FILE", help=_("a bulk enrollment token's file"))
    how.add_argument(
        "--preprovisioned", action="store_true", help=_("a pre-registered hardware id")
    )
    enroll.add_argument("--tenant-domain", metavar="DOMAIN", help=_("the organization's domain"))
    enroll.add_argument("--email", help=_("the user's address (its domain finds the tenant)"))
    enroll.add_argument("--ownership", choices=["company", "personal", "unknown"])
    enroll.add_argument("--no-browser", action="store_true", help=_("only print the sign-in URL"))
    enroll.add_argument("--sign-in-timeout", type=float, default=300.0, metavar="SECONDS")
    enroll.add_argument(
        "--force", action="store_true", help=_("enroll again, forgetting the old one")
    )

    run = commands.add_parser("run", help=_("check in now, then on the timer and when pushed"))
    run.add_argument("--once", action="store_true", help=_("one check-in (and its follow-ups)"))

    status = commands.add_parser("status", help=_("what the agent knows and did"))
    status.add_argument("--json", action="store_true")

    install = commands.add_parser("install", help=_("install an app made available to this device"))
    install.add_argument("app_id", type=int, metavar="APP_ID")

    logs = commands.add_parser("collect-logs", help=_("write a tar.gz of the logs to send"))
    logs.add_argument("--output", "-o", help=_("the file to write"))

    facts = commands.add_parser("facts", help=_("print the facts the agent reports"))
    facts.add_argument("--inventory", action="store_true", help=_("with the installed packages"))
    return parser


COMMANDS = {
    "enroll": cmd_enroll,
    "run": cmd_run,
    "status": cmd_status,
    "install": cmd_install,
    "collect-logs": cmd_collect_logs,
    "facts": cmd_facts,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = config_load(args.config)
    except ConfigError as error:
        _error(_("configuration error: {error}").format(error=error))
        return 2
    if args.command in ("enroll", "run", "install"):
        _logging(config, verbose=args.verbose)
    try:
        return COMMANDS[args.command](config, args)
    except PermissionError as error:
        _error(
            _("permission denied: {path}: run as root (or the agent's user)").format(
                path=error.filename or error
            )
        )
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
