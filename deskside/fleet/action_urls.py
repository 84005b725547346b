"""Portal endpoints of device actions and diagnostics downloads (mounted under /devices/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from deskside.fleet import action_views

app_name = "device_actions"

urlpatterns: list[URLPattern] = [
    path("<int:pk>/actions/", action_views.action_request, name="request"),
    path("<int:pk>/actions/<int:action_pk>/cancel/", action_views.action_cancel, name="cancel"),
    path(
        "<int:pk>/diagnostics/<int:bundle_pk>/",
        action_views.diagnostics_download,
        name="diagnostics_download",
    ),
]
