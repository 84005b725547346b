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

from deskside_agent.i18n import _, language, ngettext
from deskside_agent.protocol import DesksideClient, Pkce, ProtocolError


class SignInFailed(ProtocolError):
    """The browser came back without a code, with a wrong state, or not at all."""


_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{name}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


class _Callback(BaseHTTPRequestHandler):
    server: _LoopbackServer

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        parts = urlsplit(self.path)
        if parts.path != "/callback":
            self._page(404, _("Not found"), _("This address only receives the sign-in."))
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        result = self.server.result
        if result.done.is_set():
            self._page(400, _("Already signed in"), _("You can close this window."))
            return
        if query.get("state") != self.server.expected_state:
            result.error = _("the sign-in answer did not carry this agent's state (ignored)")
            self._page(400, _("Sign-in refused"), _("The answer does not belong to this sign-in."))
            return
        if "error" in query:
            if query.get("error_description"):
                result.error = _("the portal refused the sign-in: {error} ({description})").format(
                    error=query["error"], description=query["error_description"]
                )
            else:
                result.error = _("the portal refused the sign-in: {error}").format(
                    error=query["error"]
                )
            result.done.set()
            self._page(400, _("Sign-in refused"), result.error)
            return
        code = query.get("code", "")
        if not code:
            self._page(400, _("Sign-in incomplete"), _("The answer carries no authorization code."))
            return
        result.code = code
        result.done.set()
        self._page(
            200,
            _("Signed in"),
            _("The agent is enrolling this device. You can close this window."),
        )

    def _page(self, status: int, title: str, text: str) -> None:
        body = _PAGE.format(
            lang=language(),
            name=html.escape(_("Deskside agent")),
            title=html.escape(title),
            text=html.escape(text),
        ).encode()
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


def _timed_out(timeout: float) -> str:
    # The plural form for a whole number; for a fraction (1.5) the form of 2.
    count = int(timeout) if float(timeout).is_integer() else 2
    return ngettext(
        "no sign-in within {seconds} second", "no sign-in within {seconds} seconds", count
    ).format(seconds=f"{timeout:g}")


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
        show(
            _("Sign in to enroll this device. Open this address in your browser:\n{url}").format(
                url=url
            )
        )
        if open_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)
        deadline = time.monotonic() + timeout
        while not server.result.done.is_set():
            if time.monotonic() > deadline:
                raise SignInFailed(server.result.error or _timed_out(timeout))
            server.handle_request()
        if server.result.error or not server.result.code:
            raise SignInFailed(server.result.error or _("the sign-in did not finish"))
        return client.token_exchange(code=server.result.code, redirect_uri=redirect_uri, pkce=pkce)
    finally:
        server.server_close()
