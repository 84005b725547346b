"""The portal as OAuth 2.0 authorization server for its first-party public clients, and the
agent's client among them.

The agent is one public client per deployment (``deskside-agent``): it signs the user in through
the portal (authorization code + PKCE, loopback redirect) and presents the access token, scope
``enroll``, to the enrollment API. The user's tenant follows from the user. Protected apps have
a client of their own (apps/oauth.py) made and checked by the same two functions below.
"""

from __future__ import annotations

from django.http import HttpRequest
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core

from deskside.directory.models import User

AGENT_CLIENT_ID = "deskside-agent"
LOOPBACK_REDIRECT_URIS = "http://127.0.0.1/callback http://[::1]/callback"
ENROLL_SCOPE = "enroll"


def loopback_client_ensure(*, client_id: str, name: str) -> None:
    """Create (or repair) a first-party public client that redirects to loopback; idempotent."""
    Application = get_application_model()
    Application.objects.update_or_create(
        client_id=client_id,
        defaults={
            "name": name,
            "client_type": Application.CLIENT_PUBLIC,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": LOOPBACK_REDIRECT_URIS,
            # First-party: signing in is the consent; no second page.
            "skip_authorization": True,
            "algorithm": "",
        },
    )


def bearer_user(request: HttpRequest, *, client_id: str, scope: str) -> User | None:
    """The user whose access token for ``scope``, issued to ``client_id``, the request bears."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[scope])
    if not valid or oauth_request.access_token.application.client_id != client_id:
        return None
    user = oauth_request.user
    return user if isinstance(user, User) else None


def agent_application_ensure() -> None:
    """Create (or repair) the agent's public client; idempotent."""
    loopback_client_ensure(client_id=AGENT_CLIENT_ID, name="Deskside agent")


def enrolling_user(request: HttpRequest) -> User | None:
    """The user whose ``enroll`` access token, issued to the agent, the request bears."""
    return bearer_user(request, client_id=AGENT_CLIENT_ID, scope=ENROLL_SCOPE)
