"""Helpers for tests that check a device in through the HTTP API, as the agent does."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client

from deskside.fleet.tests.conftest import TOKEN

CHECKIN_URL = "/api/v1/agent/checkin"


def facts(**changes: Any) -> dict[str, Any]:
    return {
        "deviceName": "lyon-laptop",
        "operatingSystem": "Linux",
        "osVersion": "12.8",
        "serialNumber": "PF-LYON-1",
        "manufacturer": "LENOVO",
        "model": "20XW",
        "isEncrypted": True,
        "firewallEnabled": True,
        "screenLockEnabled": True,
        "freeStorageSpaceInBytes": 40_000_000_000,
        "totalStorageSpaceInBytes": 250_000_000_000,
        **changes,
    }


def report(**changes: Any) -> dict[str, Any]:
    """A complete check-in report with a fresh report id; keyword arguments replace its keys."""
    body: dict[str, Any] = {
        "reportId": str(uuid.uuid4()),
        "agentVersion": "1.2.0",
        "facts": facts(),
        "inventory": [],
    }
    body.update(changes)
    return body


def enroll(client: Client, **device: Any) -> tuple[int, str]:
    """Enroll a Linux device with the bulk token; its (device id, credential)."""
    body = {
        "method": "bulkToken",
        "bulkToken": TOKEN,
        "agentVersion": "1.2.0",
        "device": {
            "deviceName": "lyon-laptop",
            "operatingSystem": "Linux",
            "osVersion": "12.8",
            "serialNumber": "PF-LYON-1",
            **device,
        },
    }
    response = client.post("/api/v1/enrollment", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["deviceId"], response.json()["deviceCredential"]


def check_in(client: Client, credential: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post(
        CHECKIN_URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {credential}",
    )
