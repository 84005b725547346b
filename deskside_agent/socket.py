"""The push socket: one websocket to ``/ws/agent/``, kept open, reconnected with backoff.

The server sends ``{"type": "checkIn"}`` when something waits for the device; the agent then
checks in at once. After a reconnection the agent checks in too (a push may have been missed).
An application ``{"type": "ping"}`` every ``socket_ping_seconds`` renews the server's channel
group membership (a Redis layer forgets it after a day); websocket pings keep the link alive.
Nothing depends on the socket: the timer checks in anyway.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import ssl
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("deskside_agent")

# The server closes the socket with this code when the device's credential stops working.
CLOSE_UNENROLLED = 4401


class PushSocket(threading.Thread):
    """A daemon thread that holds the socket until ``stop`` is set."""

    def __init__(
        self,
        *,
        url: str,
        headers: dict[str, str],
        origin: str,
        on_push: Callable[[], None],
        stop: threading.Event,
        retry_max_seconds: float = 300.0,
        ca_file: str = "",
        ping_seconds: float = 3600.0,
    ) -> None:
        super().__init__(name="deskside-push", daemon=True)
        self.url = url
        self.headers = headers
        self.origin = origin
        self.on_push = on_push
        self.stop_event = stop
        self.retry_max = max(1.0, retry_max_seconds)
        self.ca_file = ca_file
        self.ping_seconds = max(1.0, ping_seconds)
        self.connected = threading.Event()
        self.pushes = 0
        self._connection: Any = None
        self._lock = threading.Lock()

    def _ssl(self) -> ssl.SSLContext | None:
        if not self.url.startswith("wss:"):
            return None
        return ssl.create_default_context(cafile=self.ca_file or None)

    def run(self) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
        from websockets.sync.client import connect
        from websockets.typing import Origin

        delay = 1.0
        first = True
        last_error = ""
        while not self.stop_event.is_set():
            try:
                with connect(
                    self.url,
                    additional_headers=self.headers,
                    origin=Origin(self.origin),
                    ssl=self._ssl(),
                    open_timeout=15,
                    ping_interval=30,
                    ping_timeout=30,
                    close_timeout=5,
                    max_size=64 * 1024,
                    compression=None,
                ) as connection:
                    with self._lock:
                        self._connection = connection
                    if self.stop_event.is_set():
                        break
                    self.connected.set()
                    log.info("push socket connected to %s", self.url)
                    last_error = ""
                    delay = 1.0
                    if not first:
                        self.on_push()
                    first = False
                    self._listen(connection)
            except InvalidStatus as error:
                status = error.response.status_code
                last_error = self._log_error(
                    f"the server refused the socket (HTTP {status})", last_error
                )
                if status in (401, 403, 404):
                    delay = max(delay, 30.0)
            except ConnectionClosed as error:
                last_error = self._log_error(f"push socket: {error}", last_error)
                if error.rcvd is not None and error.rcvd.code == CLOSE_UNENROLLED:
                    # The server let the device go: the check-in will tell (401) and stop.
                    self.on_push()
                    delay = max(delay, 30.0)
            except (OSError, WebSocketException, TimeoutError) as error:
                last_error = self._log_error(
                    f"push socket: {error or type(error).__name__}", last_error
                )
            finally:
                self.connected.clear()
                with self._lock:
                    self._connection = None
            if self.stop_event.is_set():
                break
            self.stop_event.wait(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
            delay = min(delay * 2, self.retry_max)

    def _listen(self, connection: Any) -> None:
        """Receive until the socket closes; a ``{"type": "ping"}`` after each quiet
        ``ping_seconds`` keeps the server's group membership fresh (docs/device-actions.md)."""
        while not self.stop_event.is_set():
            try:
                message = connection.recv(timeout=self.ping_seconds)
            except TimeoutError:
                connection.send(json.dumps({"type": "ping"}))
                continue
            self._receive(message)

    def _log_error(self, text: str, last: str) -> str:
        # The first of a run of identical errors is a warning; repeats are debug noise.
        (log.debug if text == last else log.warning)("%s", text)
        return text

    def _receive(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            log.warning("push socket: a frame that is not JSON was ignored")
            return
        if isinstance(data, dict) and data.get("type") == "pong":
            return
        if isinstance(data, dict) and data.get("type") == "checkIn":
            self.pushes += 1
            log.info("push: check in now")
            self.on_push()

    def close(self) -> None:
        """Close the connection now (the owner has set ``stop``)."""
        with self._lock:
            connection = self._connection
        if connection is not None:
            # Closing a broken socket may fail; the agent stops anyway.
            with contextlib.suppress(Exception):
                connection.close()
