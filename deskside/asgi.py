"""ASGI entry point: HTTP through Django, websockets through Channels (routes from the parts)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from deskside.core.routing import websocket_application  # noqa: E402

# Browser sockets behind the Origin check and the session; the agent's socket without them.
application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application()})
