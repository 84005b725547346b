"""ASGI entry point: HTTP through Django's synchronous handler on a fixed pool of threads,
websockets through Channels (routes from the parts).

Why not Django's own ASGI handler for HTTP: it runs every request's synchronous code in a thread
of its own, so every request also opens (and closes) its own database connection, and the
middleware crosses between the event loop and that thread several times. Measured with wrk
posting check-ins to one process (bench/), a fixed pool of threads that keep their connections
(``DESKSIDE_HTTP_THREADS``, ``DESKSIDE_DB_CONN_MAX_AGE``) served 96 a second against 46 on
PostgreSQL, and 102 against 83 on SQLite. Nothing in Deskside's HTTP side is asynchronous.

The pool is core/asgi_wsgi.py's (one hand-over to a thread and one back per request); the
agents' API runs through its own lean middleware (core/handlers.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deskside.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from deskside.core.asgi_wsgi import WSGIOnThreads  # noqa: E402
from deskside.core.handlers import served_application  # noqa: E402
from deskside.core.routing import websocket_application  # noqa: E402

http_application = WSGIOnThreads(served_application(), workers=settings.DESKSIDE_HTTP_THREADS)

# Browser sockets behind the Origin check and the session; the agent's socket without them.
application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application()})
