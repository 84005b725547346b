"""Django's request handlers for the served process: the portal's, with every middleware, and the
agents' API's, with only the middleware it needs (``DESKSIDE_AGENT_MIDDLEWARE``).

An agent's request carries a bearer credential and gets JSON: no session, no signed-in user, no
CSRF cookie, no messages, no HTML headers (CSP, frame options), no static files. Running the
portal's middleware for it anyway cost a tenth of a quiet check-in's time (bench/README.md).
The agents' paths are served by the same threads, database connections and URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

AGENT_PATH_PREFIX = "/api/v1/agent/"


class MiddlewareHandler(WSGIHandler):
    """Django's WSGI handler with its own list of middleware instead of ``MIDDLEWARE``."""

    def __init__(self, middleware: Sequence[str]) -> None:
        self._middleware = list(middleware)
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE; it does so once, here, at start-up.
        portal = settings.MIDDLEWARE
        settings.MIDDLEWARE = self._middleware
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = portal


def served_application() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """One WSGI application: the agents' API through its lean handler, the rest the portal's."""
    portal = WSGIHandler()
    agents = MiddlewareHandler(settings.DESKSIDE_AGENT_MIDDLEWARE)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        handler = agents if environ["PATH_INFO"].startswith(AGENT_PATH_PREFIX) else portal
        return handler(environ, start_response)

    return application
