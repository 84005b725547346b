"""Helpers for the tests of pushes to agents: channels standing in for the agent sockets of
devices, on the configured channel layer (in memory in the SQLite run, Redis in the PostgreSQL
run), and what each received."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from channels.layers import get_channel_layer

from deskside.fleet.consumers import agent_group
from deskside.fleet.models import ManagedDevice


class Listeners:
    """One channel per device, in the group its agent's socket joins. Every receive runs on one
    event loop of the listeners' own: the Redis layer binds a channel's receive buffer to the
    loop of its first receive (the services push from other loops, which is fine)."""

    def __init__(self, layer: Any, devices: tuple[ManagedDevice, ...]) -> None:
        self.layer = layer
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.channels = {device.pk: self._run(layer.new_channel()) for device in devices}
        for device in devices:
            self._run(layer.group_add(agent_group(device.pk), self.channels[device.pk]))

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def received(self, device: ManagedDevice, timeout: float = 0.5) -> dict[str, Any] | None:
        """The next message pushed to the device's agent, or None when none comes in time."""

        async def receive() -> dict[str, Any] | None:
            try:
                return await asyncio.wait_for(
                    self.layer.receive(self.channels[device.pk]), timeout=timeout
                )
            except TimeoutError:
                return None

        return self._run(receive())

    def pushed(self, *devices: ManagedDevice) -> list[str]:
        """The names of the devices whose agent was asked to check in (each message taken)."""
        return [
            device.device_name
            for device in devices
            if self.received(device) == {"type": "agent.check_in"}
        ]

    def close(self) -> None:
        for device_id, channel in self.channels.items():
            self._run(self.layer.group_discard(agent_group(device_id), channel))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@contextmanager
def listening(*devices: ManagedDevice) -> Iterator[Listeners]:
    listeners = Listeners(get_channel_layer(), devices)
    try:
        yield listeners
    finally:
        listeners.close()
