"""The agent's check-in cycle and its ``run`` loop.

One check-in: build a report from the queue (or resend the report in flight, same reportId),
post it, and on 200 drop the results it carried, then run the answer's actions, apply its
profiles and apps, and queue their results. While results wait, the agent checks in again at once
(a few rounds at most). Offline: the queue stays, the agent retries with backoff. 401: it stops.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from typing import Any

from deskside_agent import __version__
from deskside_agent.actions import ActionRunner
from deskside_agent.apps import apps_apply
from deskside_agent.config import Config, platform_name
from deskside_agent.diagnostics import diagnostics_build
from deskside_agent.facts import collect_facts, collect_inventory
from deskside_agent.i18n import N_, _
from deskside_agent.profiles import profiles_apply
from deskside_agent.protocol import (
    Answer,
    DesksideClient,
    Facts,
    Invalid,
    Offline,
    ProtocolError,
    Report,
    Unauthorized,
    inventory_hash,
    inventory_json,
    version_below,
)
from deskside_agent.state import Store, now_iso

log = logging.getLogger("deskside_agent")

RESULT_LISTS = {"profile": "profileResults", "app": "appResults", "action": "actionResults"}
# How many results of each kind one report carries (the server's limits).
RESULT_LIMITS = {"profile": 500, "app": 500, "action": 100}
INVENTORY_LIMIT = 5000
FOLLOW_UPS = 3
# Logged in English, shown to the person in their language.
REENROLL = N_(
    "The server no longer accepts this device's credential (it was retired, wiped or deleted): "
    "enroll the device again with `deskside-agent enroll`."
)


@dataclass(frozen=True)
class Outcome:
    """How one check-in went: ``ok``, ``offline``, ``invalid``, ``unauthorized``, ``retired``,
    ``notEnrolled``."""

    kind: str
    detail: str = ""
    answer: Answer | None = None

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


class Backoff:
    """Doubling delays with jitter, from ``initial`` up to ``maximum`` seconds."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial = max(0.05, initial)
        self.maximum = max(self.initial, maximum)
        self.current = self.initial

    def next(self) -> float:
        delay = self.current * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret
        self.current = min(self.current * 2, self.maximum)
        return min(delay, self.maximum)

    def reset(self) -> None:
        self.current = self.initial


class Agent:
    """One device's agent: its configuration, state directory and server."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.store = Store(config.state_dir)
        self.platform = platform_name()
        self.stop = threading.Event()
        self.wake = threading.Event()
        self._client: DesksideClient | None = None
        self._runner: ActionRunner | None = None
        self._facts: Facts | None = None

    # -- parts -----------------------------------------------------------------------------

    def enrolled(self) -> dict[str, Any] | None:
        return self.store.credential()

    def client(self) -> DesksideClient:
        credential = self.store.credential()
        if credential is None:
            raise Unauthorized("this device is not enrolled")
        server = str(credential["server"])
        if self._client is None or self._client.server != server.rstrip("/"):
            verify: bool | str = self.config.ca_file or True
            self._client = DesksideClient(
                server,
                credential=str(credential["credential"]),
                timeout=self.config.http_timeout_seconds,
                verify=verify,
            )
        return self._client

    def runner(self) -> ActionRunner:
        if self._runner is None:
            self._runner = ActionRunner(
                config=self.config,
                store=self.store,
                client=self.client(),
                platform=self.platform,
                facts=self.facts,
                diagnostics=self.diagnostics,
            )
        return self._runner

    def facts(self) -> Facts:
        self._facts = collect_facts(self.config)
        return self._facts

    def diagnostics(self) -> bytes:
        return diagnostics_build(config=self.config, store=self.store, facts=self.facts())

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- one check-in ------------------------------------------------------------------------

    def _report(self) -> dict[str, Any]:
        """The next report: the queued results, the facts, the inventory when it changed."""
        queue = self.store.queue()
        state = self.store.state()
        facts = self.facts()
        items = inventory_json(collect_inventory(self.config))[:INVENTORY_LIMIT]
        digest = inventory_hash(items)
        lists: dict[str, list[dict[str, Any]]] = {kind: [] for kind in RESULT_LISTS}
        seqs: dict[str, list[int]] = {kind: [] for kind in RESULT_LISTS}
        for result in sorted(queue["results"], key=lambda r: r["seq"]):
            kind = result["kind"]
            if kind in lists and len(lists[kind]) < RESULT_LIMITS[kind]:
                lists[kind].append(result["body"])
                seqs[kind].append(result["seq"])
        report = Report.new(
            facts=facts,
            inventory=None if digest == state.get("inventoryHash") else items,
            profile_results=lists["profile"],
            app_results=lists["app"],
            action_results=lists["action"],
        )
        pending = {
            "reportId": report.report_id,
            "body": report.as_json(),
            "seqs": {RESULT_LISTS[kind]: seqs[kind] for kind in RESULT_LISTS},
            "inventoryHash": None if report.inventory is None else digest,
            "createdAt": now_iso(),
        }
        queue["pending"] = pending
        self.store.queue_save(queue)
        return pending

    def _record(self, result: str, detail: str = "", **extra: Any) -> None:
        state = self.store.state()
        state["lastCheckIn"] = {"at": now_iso(), "result": result, "detail": detail[:500], **extra}
        if result == "ok":
            state["lastSuccessAt"] = state["lastCheckIn"]["at"]
        self.store.state_save(state)

    def check_in(self) -> Outcome:
        """Send one report and act on the answer (the caller holds no lock)."""
        if self.store.credential() is None:
            return Outcome("notEnrolled", "this device is not enrolled")
        with self.store.lock():
            return self._check_in_locked()

    def _check_in_locked(self) -> Outcome:
        pending = self.store.queue()["pending"] or self._report()
        try:
            answer = self.client().check_in(pending["body"])
        except Unauthorized as error:
            if self._final_done():
                # The server let the device go before the done result arrived: it is gone.
                self.store.forget()
                self.stop.set()
                return Outcome("retired", "the device was retired or wiped; the agent forgot it")
            self._record("unauthorized", str(error))
            return Outcome("unauthorized", REENROLL)
        except Invalid as error:
            self._drop_invalid(pending, error)
            self._record("invalid", str(error))
            return Outcome("invalid", str(error))
        except Offline as error:
            self._record("offline", str(error))
            log.warning("check-in failed, will retry: %s", error)
            return Outcome("offline", str(error))
        except ProtocolError as error:
            self._record("error", str(error))
            log.warning("check-in failed, will retry: %s", error)
            return Outcome("offline", str(error))
        acked = self._acknowledge(pending)
        self._record(
            "ok",
            complianceState=answer.compliance_state,
            reportId=pending["reportId"],
            delivered=len(acked),
            inventorySent=pending["body"].get("inventory") is not None,
        )
        self.store.answer_save(answer.as_json())
        if self._final_acknowledged(acked):
            return Outcome("retired", "the device was retired or wiped; the agent forgot it")
        self._apply(answer)
        return Outcome("ok", answer=answer)

    def _acknowledge(self, pending: dict[str, Any]) -> list[dict[str, Any]]:
        """The server has the report: its results leave the queue; the inventory hash is kept."""
        queue = self.store.queue()
        carried = {seq for seqs in pending["seqs"].values() for seq in seqs}
        acked = [r for r in queue["results"] if r["seq"] in carried]
        queue["results"] = [r for r in queue["results"] if r["seq"] not in carried]
        queue["pending"] = None
        self.store.queue_save(queue)
        if pending.get("inventoryHash"):
            state = self.store.state()
            state["inventoryHash"] = pending["inventoryHash"]
            self.store.state_save(state)
        if acked:
            log.info("check-in delivered %d result(s)", len(acked))
        return acked

    def _drop_invalid(self, pending: dict[str, Any], error: Invalid) -> None:
        """A 422 stores nothing: drop the report; drop the result the server named, if one."""
        queue = self.store.queue()
        queue["pending"] = None
        list_name, _dot, index = error.field.partition(".")
        seqs = pending["seqs"].get(list_name, [])
        position = index.split(".", 1)[0]
        if position.isdigit() and int(position) < len(seqs):
            bad = seqs[int(position)]
            queue["results"] = [r for r in queue["results"] if r["seq"] != bad]
            log.error("the server refused a result (%s); it was dropped", error)
        else:
            log.error("the server refused the report: %s", error)
        self.store.queue_save(queue)

    def _final_acknowledged(self, acked: list[dict[str, Any]]) -> bool:
        """After a retire or wipe was reported done: forget the credential and the state."""
        journal = self.store.journal()["actions"]
        for result in acked:
            body = result["body"]
            if result["kind"] != "action" or body.get("state") != "done":
                continue
            if journal.get(str(body.get("actionId")), {}).get("final"):
                log.warning(
                    "action %s (retire or wipe) delivered: forgetting the enrollment",
                    body.get("actionId"),
                )
                self.store.forget()
                self.stop.set()
                self.wake.set()
                return True
        return False

    def _final_done(self) -> bool:
        journal = self.store.journal()["actions"]
        return any(e.get("final") and e.get("result") == "done" for e in journal.values())

    def _apply(self, answer: Answer) -> None:
        if version_below(__version__, answer.minimum_agent_version):
            log.warning(
                "this agent (%s) is older than the server's minimum (%s): update deskside-agent",
                __version__,
                answer.minimum_agent_version,
            )
        self.runner().run_all(answer.actions)
        if self._final_done():
            return  # retired or wiped: nothing more is applied
        credential = self.store.credential() or {}
        state = self.store.state()
        state["profiles"], profile_results = profiles_apply(
            config=self.config,
            profiles=answer.profiles,
            applied=state.get("profiles", {}),
            device_key=f"{credential.get('server', '')}/{credential.get('deviceId', '')}",
            platform=self.platform,
        )
        requested = {int(i) for i in state.get("requestedApps", [])}
        state["apps"], app_results = apps_apply(
            config=self.config,
            apps=answer.apps,
            records=state.get("apps", {}),
            requested=requested,
            platform=self.platform,
        )
        state["requestedApps"] = sorted(i for i in requested if str(i) in state["apps"])
        self.store.state_save(state)
        for result in profile_results:
            self.store.result_add(kind="profile", key=f"profile:{result['profileId']}", body=result)
        for result in app_results:
            self.store.result_add(kind="app", key=f"app:{result['appId']}", body=result)

    def cycle(self) -> Outcome:
        """Check in; while results wait (or a sync was asked for), check in again."""
        outcome = self.check_in()
        for _round in range(FOLLOW_UPS):
            runner = self._runner
            wanted = runner is not None and runner.sync_requested
            if not outcome.ok or self.stop.is_set():
                break
            if not wanted and not self.store.queue()["results"]:
                break
            if runner is not None:
                runner.sync_requested = False
            outcome = self.check_in()
        return outcome

    # -- run ------------------------------------------------------------------------------

    def recover(self) -> None:
        with self.store.lock():
            self.runner().recover()

    def interval(self, outcome: Outcome) -> float:
        base = self.config.check_in_interval_seconds
        if base is None:
            base = float(outcome.answer.check_in_interval_seconds if outcome.answer else 900)
        return max(1.0, base) * (1 + random.uniform(0, 0.1))  # noqa: S311 - jitter

    def run(self, *, once: bool = False) -> int:
        """Check in now and then on the timer (or when pushed) until stopped; the exit code."""
        from deskside_agent.socket import PushSocket

        if self.store.credential() is None:
            print(_("This device is not enrolled: run `deskside-agent enroll` first."))
            return 3
        held = self.store.try_lock_runner()
        if held is None:
            print(_("Another `deskside-agent run` is already running for this state directory."))
            return 2
        self.recover()
        client = self.client()
        push = PushSocket(
            url=client.websocket_url(),
            headers=client.websocket_headers(),
            origin=client.websocket_origin(),
            on_push=self.wake.set,
            stop=self.stop,
            retry_max_seconds=self.config.socket_retry_max_seconds,
            ca_file=self.config.ca_file,
            ping_seconds=self.config.socket_ping_seconds,
        )
        self.push = push
        if not once:
            push.start()
        backoff = Backoff(self.config.retry_initial_seconds, self.config.retry_max_seconds)
        code = 0
        log.info("agent %s running for %s", __version__, client.server)
        try:
            while not self.stop.is_set():
                self.wake.clear()
                try:
                    outcome = self.cycle()
                except Exception as error:  # noqa: BLE001 - a bug or a full disk: retry later
                    log.exception("check-in cycle failed")
                    outcome = Outcome("offline", f"the agent failed: {error}")
                if outcome.kind == "unauthorized":
                    log.error("%s", REENROLL)
                    print(_(REENROLL), flush=True)
                    code = 3
                    break
                if outcome.kind in ("retired", "notEnrolled"):
                    print(_("The device was retired from Deskside; the agent stopped."), flush=True)
                    break
                if once:
                    code = 0 if outcome.ok else 1
                    break
                if outcome.ok:
                    backoff.reset()
                    delay = self.interval(outcome)
                else:
                    delay = backoff.next()
                self.wake.wait(delay)
        finally:
            self.stop.set()
            push.close()
            if push.is_alive():
                push.join(timeout=10)
            self.close()
            log.info("agent stopped")
        return code

    def request_stop(self) -> None:
        """Stop soon (safe in a signal handler: it only sets events)."""
        self.stop.set()
        self.wake.set()
