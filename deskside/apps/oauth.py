"""The protected apps' OAuth 2.0 client and the check of their access tokens.

Protected apps are one public client per deployment (``deskside-protected-apps``): they sign
the user in through the portal (authorization code + PKCE, loopback redirect) with scope
``managedApps`` and present the access token to ``POST /api/v1/app-protection/registrations``.
There is no mobile SDK: anything that can do this sign-in can report a registration.
"""

from __future__ import annotations

from django.http import HttpRequest
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core

from deskside.directory.models import User

PROTECTED_APPS_CLIENT_ID = "deskside-protected-apps"
PROTECTED_APPS_REDIRECT_URIS = "http://127.0.0.1/callback http://[::1]/callback"
MANAGED_APPS_SCOPE = "managedApps"


def protected_apps_application_ensure() -> None:
    """Create (or repair) the protected apps' public client; idempotent."""
    Application = get_application_model()
    Application.objects.update_or_create(
        client_id=PROTECTED_APPS_CLIENT_ID,
        defaults={
            "name": "Deskside protected apps",
            "client_type": Application.CLIENT_PUBLIC,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": PROTECTED_APPS_REDIRECT_URIS,
            # First-party: signing in is the consent; no second page.
            "skip_authorization": True,
            "algorithm": "",
        },
    )


def protected_app_user(request: HttpRequest) -> User | None:
    """The enabled user whose ``managedApps`` access token, issued to the protected apps'
    client, the request bears; None for no token, a wrong one, or a disabled user."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[MANAGED_APPS_SCOPE])
    if not valid:
        return None
    if oauth_request.access_token.application.client_id != PROTECTED_APPS_CLIENT_ID:
        return None
    user = oauth_request.user
    if not isinstance(user, User) or not user.account_enabled:
        return None
    return user
