"""Error pages in the portal's own look, in the reader's language; never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise


def _page(request: HttpRequest, status: int, exception: Exception | None) -> HttpResponse:
    # Only our own messages (plain or lazy text) are shown; the resolver's details never are.
    arg = exception.args[0] if exception is not None and exception.args else ""
    message = str(arg) if isinstance(arg, str | Promise) else ""
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, exception)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, None)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"status": 500, "message": ""}, status=500)
