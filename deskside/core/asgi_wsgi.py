"""Django's synchronous handler served under ASGI on a fixed pool of threads, with one hand-over
from the event loop to a thread and one back per request.

a2wsgi's ``WSGIMiddleware`` (which this replaces for HTTP; its ``build_environ`` is kept) crosses
between the loop and the thread for every message: the body's receive, the response's start,
each body chunk and its end, each a coroutine scheduled from the thread and waited for. For a
check-in that is five round trips, and profiling a quiet check-in (bench/) put a quarter of the
process's Python time in that plumbing. Here the loop reads a request body of up to
``buffer_bytes`` before the thread starts, and the thread buffers a response of up to
``buffer_bytes`` and hands it back whole. Longer bodies (diagnostics bundles up and down) stream
as before: the thread asks the loop for each further message or chunk.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator, MutableMapping
from typing import Any, cast

from a2wsgi.wsgi import build_environ

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Coroutine[Any, Any, Message]]
Send = Callable[[Message], Coroutine[Any, Any, None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

BUFFER_BYTES = 512 * 1024


class RequestBody:
    """``wsgi.input``: what the loop read ahead, then further messages fetched from the thread."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, receive: Receive, head: bytes, more: bool
    ) -> None:
        self._loop = loop
        self._receive = receive
        self._buffer = bytearray(head)
        self._more = more

    def _fetch(self) -> None:
        message = asyncio.run_coroutine_threadsafe(self._receive(), self._loop).result()
        if message["type"] != "http.request":  # the client went away
            self._more = False
            return
        self._buffer.extend(message.get("body", b""))
        self._more = bool(message.get("more_body", False))

    def read(self, size: int = -1) -> bytes:
        while self._more and (size < 0 or len(self._buffer) < size):
            self._fetch()
        if size < 0:
            size = len(self._buffer)
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        return chunk

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self._buffer.find(b"\n", 0, limit if limit >= 0 else None)
            if end >= 0:
                return self.read(end + 1)
            if not self._more or 0 <= limit <= len(self._buffer):
                return self.read(limit)
            self._fetch()

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines, total = [], 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 <= hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


async def read_ahead(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body's first messages, up to ``limit`` bytes; whether more is to come."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size < limit:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        body = message.get("body", b"")
        chunks.append(body)
        size += len(body)
        more = bool(message.get("more_body", False))
    return b"".join(chunks), more


class _Response:
    """The WSGI side of one response, run in a pool thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, send: Send, buffer_bytes: int) -> None:
        self._loop = loop
        self._send = send
        self._buffer_bytes = buffer_bytes
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.streaming = False

    def start_response(
        self,
        status: str,
        headers: list[tuple[str, str]],
        exc_info: Any = None,
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.streaming:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = int(status.split(" ", 1)[0])
        self.headers = [
            (name.strip().lower().encode("latin1"), value.strip().encode("latin1"))
            for name, value in headers
        ]
        return self._write

    def _write(self, chunk: bytes) -> None:  # PEP 3333's write(); Django does not use it
        self._stream(chunk, more=True)

    def _cross(self, message: Message) -> None:
        asyncio.run_coroutine_threadsafe(self._send(message), self._loop).result()

    def _stream(self, chunk: bytes, *, more: bool) -> None:
        if not self.streaming:
            self.streaming = True
            self._cross(
                {"type": "http.response.start", "status": self.status, "headers": self.headers}
            )
        self._cross({"type": "http.response.body", "body": chunk, "more_body": more})

    def run(self, app: WSGIApp, environ: dict[str, Any]) -> bytes | None:
        """Run the app: its whole body when it fit the buffer, else None (it was streamed)."""
        iterable = app(environ, self.start_response)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in iterable:
                if self.streaming:
                    self._stream(chunk, more=True)
                    continue
                chunks.append(chunk)
                size += len(chunk)
                if size > self._buffer_bytes:
                    self._stream(b"".join(chunks), more=True)
                    chunks.clear()
            if self.streaming:
                self._stream(b"", more=False)
                return None
            return b"".join(chunks)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()


_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


class ThreadPool:
    """Threads that run calls for the event loop, each outcome handed back with one callback.

    ``loop.run_in_executor`` wraps every call in a ``concurrent.futures.Future`` (with its
    condition lock) chained to an asyncio future by two more callbacks; a check-in is short
    enough that this showed in profiles (bench/README.md: about 4 % more check-ins a second
    without it). Here a worker takes ``(loop, future, call)`` off a queue and sets the asyncio
    future's outcome on the loop with one ``call_soon_threadsafe``. Threads start as work
    arrives, up to ``workers``; they are daemons: uvicorn waits for the requests in flight
    before it stops, and ``shutdown()`` joins them.
    """

    def __init__(self, workers: int, name: str) -> None:
        if workers < 1:
            raise ValueError("a thread pool needs at least one worker")
        self.workers = workers
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._idle = 0  # idle threads less queued calls: below zero, calls wait for a thread

    @property
    def threads(self) -> int:
        return len(self._threads)

    def run(self, call: Callable[[], Any]) -> asyncio.Future[Any]:
        """Run ``call`` on a pool thread; its result (or exception) comes in the future."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            if self._idle <= 0 and len(self._threads) < self.workers:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle -= 1
        self._jobs.put((loop, future, call))
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._run_one(*job)
            del job  # waiting for the next call, the thread holds nothing of this one

    def _run_one(
        self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], call: Callable[[], Any]
    ) -> None:
        settle: Callable[[asyncio.Future[Any], Any], None]
        try:
            outcome, settle = call(), _succeed
        except BaseException as error:  # raised again where the request awaits it
            outcome, settle = error, _fail
        with self._lock:
            self._idle += 1
        with contextlib.suppress(RuntimeError):  # the loop closed while the call ran
            loop.call_soon_threadsafe(settle, future, outcome)

    def shutdown(self) -> None:
        """Stop the threads once the calls queued so far are done."""
        with self._lock:
            threads, self._threads = self._threads, []
            self._idle = 0
        for _ in threads:
            self._jobs.put(None)
        for thread in threads:
            thread.join()


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.cancelled():  # the request was abandoned (client gone, server stopping)
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.cancelled():
        future.set_exception(error)


class WSGIOnThreads:
    """An ASGI application (HTTP only) running ``app`` on ``workers`` threads."""

    def __init__(self, app: WSGIApp, workers: int, buffer_bytes: int = BUFFER_BYTES) -> None:
        self.app = app
        self.buffer_bytes = buffer_bytes
        self.pool = ThreadPool(workers, "http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"WSGIOnThreads serves HTTP only, not {scope['type']!r}")
        loop = asyncio.get_running_loop()
        head, more = await read_ahead(receive, self.buffer_bytes)
        body_in = RequestBody(loop, receive, head, more)
        environ = cast(dict[str, Any], build_environ(scope, body_in))  # type: ignore[arg-type]
        if not environ.get("CONTENT_LENGTH"):
            # A chunked body: Django reads CONTENT_LENGTH bytes, so without it, none. Read
            # whole, its length is known; longer than the read-ahead, it is refused (411).
            if more:
                await _length_required(send, self.buffer_bytes)
                return
            if head:
                environ["CONTENT_LENGTH"] = str(len(head))
        response = _Response(loop, send, self.buffer_bytes)
        context = contextvars.copy_context()
        body = await self.pool.run(lambda: context.run(response.run, self.app, environ))
        if body is None:
            return
        await send(
            {"type": "http.response.start", "status": response.status, "headers": response.headers}
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})


async def _length_required(send: Send, buffer_bytes: int) -> None:
    message = (
        f"Length Required: a request body over {buffer_bytes} bytes needs a Content-Length "
        "header.\n"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 411,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(message)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": message, "more_body": False})
