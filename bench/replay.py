"""The bare cost of a check-in: the exact SQL statements (with their parameters) that check-ins
through the API run, captured once and replayed on the raw database connection, one transaction
per check-in. No HTTP, no Django, no validation: what the database alone needs for the same rows.

Also measures the same check-ins through Django in-process (the test client), without the server.
Run inside Django (``bench/checkin_rate.py`` does): ``python -m bench.replay --devices F``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import uuid
from typing import Any


def body(facts: dict[str, Any]) -> dict[str, Any]:
    return {
        "reportId": str(uuid.uuid4()),
        "agentVersion": "1.0.0",
        "facts": facts,
        "inventory": None,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", required=True)
    parser.add_argument("--capture", type=int, default=200, help="check-ins to capture")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    with open(args.devices, encoding="utf-8") as handle:
        devices = json.load(handle)
    client = Client()

    def check_in(device: dict[str, Any]) -> None:
        response = client.post(
            "/api/v1/agent/checkin",
            body(device["facts"]),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {device['credential']}",
        )
        assert response.status_code == 200, response.content

    # Warm up (the first check-in of each device writes its first statuses), then capture.
    sample = devices[: args.capture]
    for device in sample:
        check_in(device)
    captured: list[list[tuple[str, Any]]] = []

    def recorder(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if not sql.startswith("BEGIN"):  # the replay opens its own transaction
            captured[-1].append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recorder):
        for device in sample:
            captured.append([])
            check_in(device)
    statements = sum(len(batch) for batch in captured) / len(captured)

    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        check_in(sample[done % len(sample)])
        done += 1
    django_rate = done / (time.perf_counter() - start)

    raw = connection.connection
    sqlite = connection.vendor == "sqlite"
    if not sqlite:
        raw.autocommit = False  # one transaction per check-in, as the service has
    cursor = raw.cursor()
    spent: dict[str, float] = {}
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        batch = captured[done % len(captured)]
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        for sql, params in batch:
            began = time.perf_counter()
            cursor.execute(sql.replace("%s", "?") if sqlite else sql, params or ())
            if cursor.description is not None:
                cursor.fetchall()
            spent[sql] = spent.get(sql, 0.0) + time.perf_counter() - began
        if sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
        done += 1
    bare_rate = done / (time.perf_counter() - start)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "statements_per_checkin": round(statements, 1),
                "django_in_process_per_second": round(django_rate, 1),
                "bare_sql_per_second": round(bare_rate, 1),
                "slowest_statements_ms": [
                    [round(1000 * total / done, 3), sql[:160]]
                    for sql, total in sorted(spent.items(), key=lambda item: -item[1])[:3]
                ],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
