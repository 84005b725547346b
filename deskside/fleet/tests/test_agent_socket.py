"""The agent's websocket, through the real ASGI application: the agent connects with its device
credential and no Origin; a queued action reaches it as {"type": "checkIn"}; anything else is
refused or closed. Runs on the configured channel layer: in memory in the SQLite run, Redis
when DESKSIDE_REDIS_URL is set (the PostgreSQL run)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from deskside.asgi import application
from deskside.fleet.actions import device_action_request
from deskside.fleet.models import DeviceAction, ManagedDevice
from deskside.fleet.tests.action_helpers import credential_of, make_devices
from deskside.fleet.tests.checkins import check_in, report

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    # A thread of its own: a browser test in the same worker may have left a loop running here.
    # A channel layer of its own too: the Redis layer binds its locks to the event loop it was
    # first used on, and an earlier test (a push from synchronous code) may have used it on a
    # loop that is gone.
    async def isolated() -> Any:
        channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
        try:
            return await scenario()
        finally:
            layer = channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
            close = getattr(layer, "close_pools", None)
            if close is not None:
                await close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, isolated()).result(timeout=60)


def agent_socket(credential: str | None, path: str = "/ws/agent/", **headers: str) -> Any:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    if credential is not None:
        raw.append((b"authorization", f"Bearer {credential}".encode()))
    return WebsocketCommunicator(application, path, headers=raw)


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    return make_devices(personas)


def _request(personas, device, action="syncDevice") -> DeviceAction:  # type: ignore[no-untyped-def]
    return device_action_request(device=device, action=action, parameters={}, actor=personas.admin)


def test_a_queued_action_is_pushed_to_the_connected_agent(personas, devices) -> None:
    async def scenario() -> Any:
        socket = agent_socket(credential_of(devices.anton))
        connected, _ = await socket.connect()
        assert connected
        await database_sync_to_async(_request)(personas, devices.anton)
        message = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return message

    assert run(scenario) == {"type": "checkIn"}


def test_a_request_through_the_operators_api_pushes_too(personas, devices) -> None:
    def request_through_the_api() -> int:
        client = Client()
        client.force_login(personas.admin, backend="deskside.accounts.backends.DirectoryBackend")
        response = client.post(
            f"/api/v1/devices/{devices.anton.pk}/actions",
            {"action": "remoteLock", "parameters": {}},
            content_type="application/json",
        )
        return response.status_code

    async def scenario() -> Any:
        socket = agent_socket(credential_of(devices.anton))
        assert (await socket.connect())[0]
        status = await database_sync_to_async(request_through_the_api)()
        message = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return status, message

    assert run(scenario) == (201, {"type": "checkIn"})


def test_only_the_devices_own_agent_is_pushed_to(personas, devices) -> None:
    async def scenario() -> Any:
        anton = agent_socket(credential_of(devices.anton))
        louise = agent_socket(credential_of(devices.louise))
        assert (await anton.connect())[0] and (await louise.connect())[0]
        await database_sync_to_async(_request)(personas, devices.anton)
        message = await anton.receive_json_from(timeout=5)
        quiet = await louise.receive_nothing(timeout=0.5)
        await anton.disconnect()
        await louise.disconnect()
        return message, quiet

    assert run(scenario) == ({"type": "checkIn"}, True)


@pytest.mark.parametrize("credential", [None, "", "not-a-device-credential"])
def test_a_socket_without_a_valid_credential_is_refused(devices, credential) -> None:
    async def scenario() -> Any:
        return await agent_socket(credential).connect()

    assert run(scenario) == (False, 4401)


def test_the_credential_of_an_unenrolled_device_is_refused(devices) -> None:
    ManagedDevice.objects.filter(pk=devices.anton.pk).update(management_state="unenrolled")

    async def scenario() -> Any:
        return await agent_socket(credential_of(devices.anton)).connect()

    assert run(scenario) == (False, 4401)


def test_a_portal_session_does_not_open_the_agent_socket(personas, devices) -> None:
    client = Client()
    client.force_login(personas.admin, backend="deskside.accounts.backends.DirectoryBackend")
    cookie = f"deskside_session={client.cookies['deskside_session'].value}"

    async def scenario() -> Any:
        return await agent_socket(None, cookie=cookie, origin="http://localhost").connect()

    assert run(scenario) == (False, 4401)


@pytest.mark.parametrize(
    "frame",
    ['{"type": "checkIn"}', '{"type": "ping", "extra": 1}', "not json", "[]", "x" * 2000],
)
def test_an_unexpected_text_frame_closes_the_socket(devices, frame) -> None:
    async def scenario() -> Any:
        socket = agent_socket(credential_of(devices.anton))
        assert (await socket.connect())[0]
        await socket.send_to(text_data=frame)
        return await socket.receive_output(timeout=5)

    assert run(scenario) == {"type": "websocket.close", "code": 4400}


def test_a_binary_frame_closes_the_socket(devices) -> None:
    async def scenario() -> Any:
        socket = agent_socket(credential_of(devices.anton))
        assert (await socket.connect())[0]
        await socket.send_to(bytes_data=b"\x00\x01")
        return await socket.receive_output(timeout=5)

    assert run(scenario) == {"type": "websocket.close", "code": 4400}


def test_a_ping_is_answered_with_a_pong(devices) -> None:
    async def scenario() -> Any:
        socket = agent_socket(credential_of(devices.anton))
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "ping"})
        answer = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return answer

    assert run(scenario) == {"type": "pong"}


def test_the_socket_is_closed_when_the_device_is_retired(personas, devices) -> None:
    retire = _request(personas, devices.anton, "retire")

    def report_retired() -> int:
        body = report(actionResults=[{"actionId": retire.pk, "state": "done"}])
        return check_in(Client(), credential_of(devices.anton), body).status_code

    async def scenario() -> Any:
        socket = agent_socket(credential_of(devices.anton))
        assert (await socket.connect())[0]
        status = await database_sync_to_async(report_retired)()
        return status, await socket.receive_output(timeout=5)

    assert run(scenario) == (200, {"type": "websocket.close", "code": 4401})


@pytest.mark.parametrize("origin", [None, "https://evil.example"])
def test_other_sockets_still_need_an_allowed_origin(devices, origin) -> None:
    """Browser sockets stay behind the Origin check: without an allowed Origin, refused."""
    headers = {"origin": origin} if origin else {}

    async def scenario() -> Any:
        return (await agent_socket(None, path="/ws/remote-help/", **headers).connect())[0]

    assert run(scenario) is False


def test_a_path_below_the_agent_socket_is_not_the_agent_socket(devices) -> None:
    async def scenario() -> Any:
        return (await agent_socket(credential_of(devices.anton), "/ws/agent/extra/").connect())[0]

    assert run(scenario) is False
