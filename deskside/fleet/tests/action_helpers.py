"""Helpers for the device action tests: devices placed in the personas' scopes, and requests
through the portal and the operators' API as an operator makes them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from deskside.conftest import Personas
from deskside.directory.models import User
from deskside.fleet.models import DeviceActionType, ManagedDevice

ACTIONS = tuple(DeviceActionType.values)
BACKEND = "deskside.accounts.backends.DirectoryBackend"
# Personas of the access matrix (deskside/conftest.py).
PERSONAS = ("anon", "admin", "helpdesk", "reader", "nobody", "unlicensed", "outsider")


@dataclass
class Devices:
    anton: ManagedDevice  # Anton's laptop: in the help desk's scope (Amsterdam) and the reader's
    louise: ManagedDevice  # Louise's laptop (Lyon): out of the help desk's scope
    foreign: ManagedDevice  # another tenant's device


def credential_of(device: ManagedDevice) -> str:
    return f"credential-of-{device.device_name}"


def make_device(tenant: Any, name: str, user: User | None = None) -> ManagedDevice:
    """An enrolled Linux device whose agent holds ``credential_of(device)``."""
    return ManagedDevice.objects.create(
        tenant=tenant,
        device_name=name,
        operating_system="Linux",
        os_version="12.8",
        primary_user=user,
        enrolled_at=timezone.now(),
        credential_hash=hashlib.sha256(f"credential-of-{name}".encode()).hexdigest(),
    )


def make_devices(personas: Personas) -> Devices:
    return Devices(
        anton=make_device(personas.tenant, "anton-laptop", personas.amsterdam_user),
        louise=make_device(personas.tenant, "louise-laptop", personas.lyon_user),
        foreign=make_device(personas.other_tenant, "elsewhere-01", personas.outsider_user),
    )


def parameters_for(action: str) -> dict[str, str]:
    return {"deviceName": "AMS-0042"} if action == DeviceActionType.SET_DEVICE_NAME else {}


def sign_in(client: Client, personas: Personas, persona: str) -> Client:
    client.logout()
    if persona != "anon":
        client.force_login(getattr(personas, persona), backend=BACKEND)
    return client


def portal_request(
    client: Client, device: ManagedDevice, action: str, htmx: bool = True, **fields: str
) -> Any:
    """POST the portal's request form for ``action`` (with htmx unless told otherwise)."""
    data = {"action": action, **parameters_for(action), **fields}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/devices/{device.pk}/actions/", data, **headers)


def api_request(client: Client, device: ManagedDevice, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/devices/{device.pk}/actions", body, content_type="application/json"
    )


def api_body(action: str) -> dict[str, Any]:
    return {"action": action, "parameters": parameters_for(action)}
