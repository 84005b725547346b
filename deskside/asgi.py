"""ASGI entry point: HTTP through Django's synchronous handler on a fixed pool of threads,
websockets through Channels (routes from the parts).

Why not Django's own ASGI handler for HTTP: it runs every request's synchronous code in a thread
of its own, so every request also opens (and closes) its own database connection, and the
middleware crosses between the event loop and that thread several times. Measured with wrk
posting check-ins to one process (bench/), a fixed pool of threads that keep their connections
(a2wsgi, ``DESKSIDE_HTTP_THREADS``, ``DESKSIDE_DB_CONN_MAX_AGE``) serves 96 a second against 46
on PostgreSQL, and 102 against 83 on SQLite. Nothing in Deskside's HTTP side is asynchronous.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from deskside.core.routing import websocket_application  # noqa: E402

# Django's stubs type the handler's answer as a response; it is the iterable WSGI wants.
http_application = WSGIMiddleware(
    WSGIHandler(),  # type: ignore[arg-type]
    workers=settings.DESKSIDE_HTTP_THREADS,
)

# Browser sockets behind the Origin check and the session; the agent's socket without them.
application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application()})
