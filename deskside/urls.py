from django.urls import include, path
from oauth2_provider import views as oauth_views

from deskside.api.main import api

oauth_patterns = [
    path("authorize/", oauth_views.AuthorizationView.as_view(), name="authorize"),
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
]

urlpatterns = [
    path("", include("deskside.core.urls")),
    path("", include("deskside.accounts.urls")),
    path("directory/", include("deskside.directory.urls")),
    path("access/", include("deskside.access.urls")),
    path("audit/", include("deskside.audit.urls")),
    path("devices/", include("deskside.fleet.urls")),
    path("devices/", include("deskside.fleet.action_urls")),
    path("enrollment/", include("deskside.fleet.enrollment_urls")),
    path("policies/", include("deskside.policies.urls")),
    path("apps/", include("deskside.apps.urls")),
    path("api/v1/", api.urls),
    # The agent's user sign-in (fleet/oauth.py): only what authorization code + PKCE needs.
    path("oauth/", include((oauth_patterns, "oauth2_provider"))),
]

handler403 = "deskside.core.errors.forbidden"
handler404 = "deskside.core.errors.not_found"
handler400 = "deskside.core.errors.bad_request"
handler500 = "deskside.core.errors.server_error"
