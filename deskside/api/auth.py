"""Authentication of the operators' API: the portal session (ninja's session auth, which checks
the CSRF token on writes) of a licensed, enabled user. Every handler then asks the access
check (whose PermissionDenied the API answers as 403, its Http404 as 404, see api/main.py);
this only says who is asking."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import SessionAuth

from deskside.directory.models import User


class LicensedOperator(SessionAuth):
    """The portal session of a licensed, enabled user (the access check decides the rest)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if not (user.has_license and user.account_enabled):
            raise HttpError(403, "Your account has no licence for Deskside.")
        return user


def operator_of(request: HttpRequest) -> User:
    """The operator ``LicensedOperator`` authenticated."""
    user: User = request.auth  # type: ignore[attr-defined]
    return user
