"""Websocket routes of all parts, joined here for the ASGI router.

Browser sockets (``websocket_urlpatterns``) sit behind the Origin check and the session
middleware. The agent's socket is routed before them, without either: an agent sends no Origin
and has no session; it authenticates with its device credential in the consumer
(fleet/consumers.py), a header a browser cannot set on a websocket.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import URLPattern, path, re_path

from deskside.fleet.consumers import AgentConsumer

websocket_urlpatterns: list[URLPattern] = []

agent_websocket_urlpatterns: list[URLPattern] = [
    path("ws/agent/", AgentConsumer.as_asgi()),
]


def websocket_application() -> Any:
    """The agent's socket, else the browser sockets behind the Origin check and the session."""
    browser = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
    return URLRouter([*agent_websocket_urlpatterns, re_path(r"", browser)])
