"""The agent's OAuth 2.0 client and the check of its access tokens at enrollment.

The agent is one public client per deployment (``deskside-agent``): it signs the user in through
the portal (authorization code + PKCE, loopback redirect) and presents the access token, scope
``enroll``, to the enrollment API. The user's tenant follows from the user.
"""

from __future__ import annotations

from django.http import HttpRequest
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core

from deskside.directory.models import User

AGENT_CLIENT_ID = "deskside-agent"
AGENT_REDIRECT_URIS = "http://127.0.0.1/callback http://[::1]/callback"
ENROLL_SCOPE = "enroll"


def agent_application_ensure() -> None:
    """Create (or repair) the agent's public client; idempotent."""
    Application = get_application_model()
    Application.objects.update_or_create(
        client_id=AGENT_CLIENT_ID,
        defaults={
            "name": "Deskside agent",
            "client_type": Application.CLIENT_PUBLIC,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": AGENT_REDIRECT_URIS,
            # First-party: signing in is the consent; no second page.
            "skip_authorization": True,
            "algorithm": "",
        },
    )


def enrolling_user(request: HttpRequest) -> User | None:
    """The user whose ``enroll`` access token, issued to the agent, the request bears."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[ENROLL_SCOPE])
    if not valid or oauth_request.access_token.application.client_id != AGENT_CLIENT_ID:
        return None
    user = oauth_request.user
    return user if isinstance(user, User) else None
