"""core/asgi_wsgi.py over the ASGI protocol itself: small bodies cross once each way, long ones
stream both ways in order, and what the WSGI side reads and writes arrives whole."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from deskside.core.asgi_wsgi import WSGIOnThreads

SCOPE = {
    "type": "http",
    "http_version": "1.1",
    "method": "POST",
    "scheme": "http",
    "path": "/echo",
    "raw_path": b"/echo",
    "query_string": b"a=1",
    "root_path": "",
    "headers": [(b"content-type", b"text/plain"), (b"host", b"testserver")],
    "client": ("127.0.0.1", 50000),
    "server": ("127.0.0.1", 8000),
}


def echo(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Answers with the body it read, the sha256 of it and the query in the headers."""
    body = environ["wsgi.input"].read()
    start_response(
        "201 Created",
        [
            ("Content-Type", "text/plain"),
            ("X-Sha256", hashlib.sha256(body).hexdigest()),
            ("X-Query", environ["QUERY_STRING"]),
        ],
    )
    return [body]


def lines(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [b"|".join(line.rstrip(b"\n") for line in environ["wsgi.input"])]


def chunks(count: int, size: int):  # type: ignore[no-untyped-def]
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        for index in range(count):
            yield bytes([index % 256]) * size

    return app


def failing(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    raise RuntimeError("the app failed")


def run(coroutine: Any) -> None:
    """``asyncio.run`` on a thread of its own: a browser test's loop may be running on this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, coroutine).result()


def serve(
    app: Any,
    body_messages: list[bytes],
    *,
    buffer_bytes: int = 1024,
    disconnect: bool = False,
    length: bool = True,
) -> list[dict[str, Any]]:
    """Run one request through WSGIOnThreads (with a Content-Length header unless ``length`` is
    false, as a chunked request comes); the messages it sent."""
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": index < len(body_messages) - 1}
        for index, chunk in enumerate(body_messages)
    ]
    if disconnect:
        incoming[-1]["more_body"] = True
        incoming.append({"type": "http.disconnect"})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0)
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    server = WSGIOnThreads(app, workers=2, buffer_bytes=buffer_bytes)
    try:
        scope = dict(SCOPE)
        if length:
            size = str(sum(len(chunk) for chunk in body_messages)).encode()
            scope["headers"] = [*SCOPE["headers"], (b"content-length", size)]
        run(server(scope, receive, send))
    finally:
        server.pool.shutdown()
    return sent


def answer(sent: list[dict[str, Any]]) -> bytes:
    return b"".join(m["body"] for m in sent if m["type"] == "http.response.body")


def test_a_small_request_and_answer_cross_once_each_way() -> None:
    sent = serve(echo, [b"hello ", b"world"])

    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    start, body = sent
    assert start["status"] == 201
    headers = dict(start["headers"])
    assert headers[b"x-sha256"] == hashlib.sha256(b"hello world").hexdigest().encode()
    assert headers[b"x-query"] == b"a=1"
    assert (body["body"], body["more_body"]) == (b"hello world", False)


def test_a_long_request_body_streams_to_the_app_in_order() -> None:
    parts = [bytes([index]) * 700 for index in range(20)]  # 14 kB through a 1 kB read-ahead

    sent = serve(echo, parts, buffer_bytes=1024)

    digest = hashlib.sha256(b"".join(parts)).hexdigest().encode()
    assert dict(sent[0]["headers"])[b"x-sha256"] == digest
    assert answer(sent) == b"".join(parts)  # and, longer than the buffer, streamed back


def test_lines_are_read_across_messages() -> None:
    sent = serve(lines, [b"first li", b"ne\nsecond\nthi", b"rd"], buffer_bytes=4)

    assert answer(sent) == b"first line|second|third"


def test_a_long_answer_streams_in_order_and_ends() -> None:
    sent = serve(chunks(8, 600), [b""])  # 4.8 kB through a 1 kB buffer

    assert sent[0]["type"] == "http.response.start"
    bodies = sent[1:]
    assert len(bodies) > 2
    assert all(m["more_body"] for m in bodies[:-1]) and not bodies[-1]["more_body"]
    assert b"".join(m["body"] for m in bodies) == b"".join(bytes([i]) * 600 for i in range(8))


def test_a_client_that_goes_away_ends_the_body() -> None:
    sent = serve(echo, [b"x" * 600, b"y" * 600], disconnect=True)

    assert answer(sent) == b"x" * 600 + b"y" * 600


def test_an_app_that_raises_fails_the_request_for_the_server_to_answer_500() -> None:
    with pytest.raises(RuntimeError, match="the app failed"):
        serve(failing, [b""])


def test_only_http_is_served() -> None:
    server = WSGIOnThreads(echo, workers=1)

    async def nothing() -> dict[str, Any]:
        return {}

    async def ignore(message: dict[str, Any]) -> None:
        return None

    with pytest.raises(ValueError, match="HTTP only"):
        run(server({"type": "websocket"}, nothing, ignore))
    server.pool.shutdown()


def content_length(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [environ.get("CONTENT_LENGTH", "none").encode()]


def test_a_chunked_body_read_whole_gets_its_length() -> None:
    """Django reads CONTENT_LENGTH bytes of a body: without the header it would read none."""
    sent = serve(content_length, [b"hello ", b"world"], length=False)

    assert answer(sent) == b"11"


def test_a_chunked_body_longer_than_the_read_ahead_is_refused_with_411() -> None:
    sent = serve(echo, [b"x" * 700, b"y" * 700, b"z" * 700], buffer_bytes=1024, length=False)

    assert sent[0]["status"] == 411
    assert b"needs a Content-Length header" in answer(sent)
