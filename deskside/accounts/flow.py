"""What happens after a first factor succeeds: a second factor when one is due, else the session.

Between the two factors the session holds only a pending sign-in (user id, method, expiry), never
a login; it expires after five minutes.
"""

from __future__ import annotations

import time

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from deskside.access.checks import is_operator
from deskside.accounts.services import sign_in_record
from deskside.directory.models import User

NEXT_KEY = "deskside_next"
PENDING_KEY = "deskside_pending_sign_in"
PENDING_SECONDS = 300


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
    """Ask for the code, or for setting one up where the tenant requires it; else sign in."""
    if user.has_totp:
        _pending_set(request, user, method)
        return redirect("accounts:verify")
    if user.tenant.require_operator_mfa and is_operator(user):
        _pending_set(request, user, method)
        return redirect("accounts:mfa_required")
    return session_start(request, user, method)


def _pending_set(request: HttpRequest, user: User, method: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "method": method,
        "expires": time.time() + PENDING_SECONDS,
    }


def pending_user(request: HttpRequest) -> tuple[User, str] | None:
    """The user half-way through signing in, if that has not expired."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("expires", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.select_related("tenant").filter(pk=pending["user_id"]).first()
    if user is None or not user.account_enabled:
        return None
    return user, str(pending["method"])


def pending_finish(request: HttpRequest, user: User, method: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    return session_start(request, user, f"{method}+totp")
