from django.urls import include, path

from deskside.api.main import api

urlpatterns = [
    path("", include("deskside.core.urls")),
    path("", include("deskside.accounts.urls")),
    path("directory/", include("deskside.directory.urls")),
    path("access/", include("deskside.access.urls")),
    path("audit/", include("deskside.audit.urls")),
    path("api/v1/", api.urls),
]

handler403 = "deskside.core.errors.forbidden"
handler404 = "deskside.core.errors.not_found"
handler400 = "deskside.core.errors.bad_request"
handler500 = "deskside.core.errors.server_error"
