"""The configured channel layer carries a group message between two channels.

In the SQLite run it is the in-memory layer; in the PostgreSQL run, Redis (DESKSIDE_REDIS_URL),
which is what lets a helper and a sharer sit on different server processes.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from channels.layers import get_channel_layer
from django.conf import settings


def test_a_group_message_reaches_every_member_channel() -> None:
    async def round_trip() -> list[dict[str, object]]:
        layer = get_channel_layer()
        assert layer is not None
        group = f"test-{uuid.uuid4().hex}"
        first, second = await layer.new_channel(), await layer.new_channel()
        await layer.group_add(group, first)
        await layer.group_add(group, second)
        await layer.group_send(group, {"type": "relay.frame", "seq": 7})
        received = [
            await asyncio.wait_for(layer.receive(channel), timeout=5) for channel in (first, second)
        ]
        await layer.group_discard(group, first)
        await layer.group_discard(group, second)
        return received

    # A thread of its own: a browser test in the same worker may have left a loop running here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        received = pool.submit(asyncio.run, round_trip()).result(timeout=30)
    assert received == [{"type": "relay.frame", "seq": 7}] * 2


def test_the_layer_is_redis_exactly_when_a_redis_url_is_configured() -> None:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    expected = "RedisChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer"
    assert backend.endswith(expected)
