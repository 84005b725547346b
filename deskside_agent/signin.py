"""The user's sign-in for user enrollment: OAuth 2.0 authorization code with PKCE (S256) and a
loopback redirect (RFC 8252).

The agent listens on 127.0.0.1 on a free port at ``/callback``, shows the authorization URL and
opens the user's browser at it; the portal signs the user in and sends the browser back with
``code`` and ``state``; the agent checks ``state`` and exchanges the code, with its verifier, for
an access token.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from deskside_agent.protocol import DesksideClient, Pkce, ProtocolError


class SignInFailed(ProtocolError):
    """The browser came back without a code, with a wrong state, or not at all."""


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Deskside agent</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


class _Callback(BaseHTTPRequestHandler):
    server: _LoopbackServer

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        parts = urlsplit(self.path)
        if parts.path != "/callback":
            self._page(404, "Not found", "This address only receives the sign-in.")
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        result = self.server.result
        if result.done.is_set():
            self._page(400, "Already signed in", "You can close this window.")
            return
        if query.get("state") != self.server.expected_state:
            result.error = "the sign-in answer did not carry this agent's state (ignored)"
            self._page(400, "Sign-in refused", "The answer does not belong to this sign-in.")
            return
        if "error" in query:
            result.error = f"the portal refused the sign-in: {query['error']}"
            if query.get("error_description"):
                result.error += f" ({query['error_description']})"
            result.done.set()
            self._page(400, "Sign-in refused", result.error)
            return
        code = query.get("code", "")
        if not code:
            self._page(400, "Sign-in incomplete", "The answer carries no authorization code.")
            return
        result.code = code
        result.done.set()
        self._page(
            200, "Signed in", "The agent is enrolling this device. You can close this window."
        )

    def _page(self, status: int, title: str, text: str) -> None:
        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        # The query carries the authorization code: never logged.
        return


class _Result:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.code = ""
        self.error = ""


class _LoopbackServer(HTTPServer):
    def __init__(self, expected_state: str) -> None:
        super().__init__(("127.0.0.1", 0), _Callback)
        self.expected_state = expected_state
        self.result = _Result()
        self.timeout = 0.5


def user_access_token(
    client: DesksideClient,
    *,
    open_browser: bool = True,
    timeout: float = 300.0,
    login_hint: str = "",
    show: Callable[[str], None] = print,
) -> str:
    """Sign the user in through their browser; the access token (scope ``enroll``)."""
    pkce = Pkce.new()
    server = _LoopbackServer(pkce.state)
    try:
        redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
        url = client.authorize_url(redirect_uri=redirect_uri, pkce=pkce, login_hint=login_hint)
        show(f"Sign in to enroll this device. Open this address in your browser:\n{url}")
        if open_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)
        deadline = time.monotonic() + timeout
        while not server.result.done.is_set():
            if time.monotonic() > deadline:
                raise SignInFailed(server.result.error or f"no sign-in within {timeout:g} seconds")
            server.handle_request()
        if server.result.error or not server.result.code:
            raise SignInFailed(server.result.error or "the sign-in did not finish")
        return client.token_exchange(code=server.result.code, redirect_uri=redirect_uri, pkce=pkce)
    finally:
        server.server_close()
