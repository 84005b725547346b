"""The agent's websocket, ``/ws/agent/`` (docs/agent-protocol.md, docs/device-actions.md).

The agent connects with ``Authorization: Bearer <device credential>`` and joins its device's
channel-layer group; the server sends ``{"type": "checkIn"}`` when something waits for the
device, and the agent checks in at once. The socket is routed outside the browser sockets'
Origin check and session middleware (core/routing.py): it is authenticated by the credential
only, which a browser cannot send on a websocket.

The agent sends nothing but optional ``{"type": "ping"}`` keep-alives (answered with
``{"type": "pong"}``); any other frame closes the socket.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as FrameError

from deskside.fleet.selectors import device_for_credential

logger = logging.getLogger(__name__)

# Close codes (4000-4999 are the application's own).
CLOSE_UNAUTHORIZED = 4401
CLOSE_BAD_FRAME = 4400
MAX_FRAME_CHARS = 1024


def agent_group(device_id: int) -> str:
    """The channel-layer group the device's agent sockets join."""
    return f"agent-device-{device_id}"


def _group_send(device_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(agent_group(device_id), message)
    except Exception:
        # A push is a shortcut only: the agent checks in on its own interval anyway.
        logger.warning("Could not push to the agent of device %s", device_id, exc_info=True)


def agent_notify_check_in(*, device_id: int) -> None:
    """Ask the device's connected agent to check in now (call on commit)."""
    _group_send(device_id, {"type": "agent.check_in"})


def agent_notify_unenrolled(*, device_id: int) -> None:
    """Close the device's sockets: its credential no longer works (call on commit)."""
    _group_send(device_id, {"type": "agent.unenrolled"})


class ClientFrame(BaseModel):
    """The only frame an agent may send."""

    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["ping"]


def _bearer(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


class AgentConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """One agent's socket: authenticated in ``connect``, then only pushes from the server."""

    group_name = ""

    async def connect(self) -> None:
        credential = _bearer(self.scope)
        device = None
        if credential:
            device = await database_sync_to_async(device_for_credential)(credential=credential)
        if device is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.group_name = agent_group(device.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.group_name:
            return
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.close(code=CLOSE_BAD_FRAME)
            return
        try:
            ClientFrame.model_validate_json(text_data)
        except FrameError:
            await self.close(code=CLOSE_BAD_FRAME)
            return
        # A keep-alive also renews the group membership, which a Redis layer expires after a day.
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.send(text_data='{"type": "pong"}')

    async def agent_check_in(self, event: dict[str, Any]) -> None:
        await self.send(text_data='{"type": "checkIn"}')

    async def agent_unenrolled(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHORIZED)
