"""The protected apps' OAuth 2.0 client and the check of their access tokens.

Protected apps are one public client per deployment (``deskside-protected-apps``): they sign
the user in through the portal (authorization code + PKCE, loopback redirect) with scope
``managedApps`` and present the access token to ``POST /api/v1/app-protection/registrations``.
There is no mobile SDK: anything that can do this sign-in can report a registration.
"""

from __future__ import annotations

from django.http import HttpRequest

from deskside.directory.models import User
from deskside.fleet.oauth import bearer_user, loopback_client_ensure

PROTECTED_APPS_CLIENT_ID = "deskside-protected-apps"
MANAGED_APPS_SCOPE = "managedApps"


def protected_apps_application_ensure() -> None:
    """Create (or repair) the protected apps' public client; idempotent."""
    loopback_client_ensure(client_id=PROTECTED_APPS_CLIENT_ID, name="Deskside protected apps")


def protected_app_user(request: HttpRequest) -> User | None:
    """The enabled user whose ``managedApps`` access token, issued to the protected apps'
    client, the request bears; None for no token, a wrong one, or a disabled user."""
    user = bearer_user(request, client_id=PROTECTED_APPS_CLIENT_ID, scope=MANAGED_APPS_SCOPE)
    return user if user is not None and user.account_enabled else None
