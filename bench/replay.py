"""The bare cost of a check-in: the exact SQL statements (with their parameters) that check-ins
through the API run, captured once and replayed on raw database connections, one transaction per
check-in. No HTTP, no Django, no validation: what the database alone needs for the same rows.
On PostgreSQL every statement is bound on the server and prepared once per connection.

Replayed twice: on one connection, each statement waiting for the last (what one client gets),
and on ``--connections`` connections at once from as many threads (what the database sustains;
PostgreSQL only: SQLite takes one writer at a time). Also measures the same check-ins through
Django in-process (the test client, one at a time), without the server.

``--changing``: every captured check-in flips a fact that the device's compliance policy
evaluates, so none is quiet (fleet/checkin.py). Run inside Django (``bench/checkin_rate.py``
does): ``python -m bench.replay --devices F``.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import uuid
from typing import Any

Batch = list[tuple[str, Any]]


def body(facts: dict[str, Any], firewall: bool | None) -> dict[str, Any]:
    if firewall is not None:
        facts = {**facts, "firewallEnabled": firewall}
    return {
        "reportId": str(uuid.uuid4()),
        "agentVersion": "1.0.0",
        "facts": facts,
        "inventory": None,
    }


def replay(
    raw: Any, sqlite: bool, captured: list[Batch], seconds: float, spent: dict[str, float]
) -> int:
    """Replay the batches in turn for ``seconds`` on ``raw``; how many were replayed."""
    if sqlite:
        cursor = raw.cursor()
    else:
        import psycopg

        raw.autocommit = False  # one transaction per check-in, as the service has
        cursor = psycopg.Cursor(raw)  # bound on the server: each statement prepared once
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        batch = captured[done % len(captured)]
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        for sql, params in batch:
            began = time.perf_counter()
            if sqlite:
                cursor.execute(sql.replace("%s", "?"), params or ())
            else:
                cursor.execute(sql, params or (), prepare=True)
            if cursor.description is not None:
                cursor.fetchall()
            spent[sql] = spent.get(sql, 0.0) + time.perf_counter() - began
        if sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
        done += 1
    return done


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", required=True)
    parser.add_argument("--capture", type=int, default=200, help="check-ins to capture")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--changing", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    with open(args.devices, encoding="utf-8") as handle:
        devices = json.load(handle)
    client = Client()
    rounds = 0

    def check_in(device: dict[str, Any]) -> None:
        firewall = (rounds % 2 == 0) if args.changing else None
        response = client.post(
            "/api/v1/agent/checkin",
            body(device["facts"], firewall),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {device['credential']}",
        )
        assert response.status_code == 200, response.content

    # Warm up (the first check-in of each device writes its first statuses), then capture.
    sample = devices[: args.capture]
    for device in sample:
        check_in(device)
    rounds += 1
    captured: list[Batch] = []

    def recorder(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if not sql.startswith("BEGIN"):  # the replay opens its own transaction
            captured[-1].append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recorder):
        for device in sample:
            captured.append([])
            check_in(device)
    rounds += 1
    statements = sum(len(batch) for batch in captured) / len(captured)

    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        check_in(sample[done % len(sample)])
        done += 1
        if done % len(sample) == 0:
            rounds += 1
    django_rate = done / (time.perf_counter() - start)

    sqlite = connection.vendor == "sqlite"
    spent: dict[str, float] = {}
    done = replay(connection.connection, sqlite, captured, args.seconds, spent)
    sequential_rate = done / args.seconds
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "statements_per_checkin": round(statements, 1),
        "django_in_process_per_second": round(django_rate, 1),
        "bare_sql_one_connection_per_second": round(sequential_rate, 1),
        "slowest_statements_ms": [
            [round(1000 * total / done, 3), sql[:160]]
            for sql, total in sorted(spent.items(), key=lambda item: -item[1])[:3]
        ],
    }
    if not sqlite:
        counts = [0] * args.connections
        params = connection.get_connection_params()

        def worker(slot: int) -> None:
            raw = connection.get_new_connection(params)
            # Each thread replays its own share, so no two threads lock the same device row.
            share = captured[slot :: args.connections] or captured
            counts[slot] = replay(raw, False, share, args.seconds, {})
            raw.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result["bare_sql_concurrent_per_second"] = round(sum(counts) / args.seconds, 1)
        result["bare_sql_connections"] = args.connections
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
