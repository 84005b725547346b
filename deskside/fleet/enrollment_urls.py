"""Administrators' enrollment pages: settings, restrictions, bulk tokens, deployment profiles,
pre-provisioned devices, corporate identifiers, and enrollment failures."""

from __future__ import annotations

from django.urls import URLPattern, path

from deskside.fleet import enrollment_views as views

app_name = "enrollment"

urlpatterns: list[URLPattern] = [
    path("", views.settings, name="settings"),
    path("settings/", views.settings_update, name="settings_update"),
    path("restrictions/", views.restriction_list, name="restriction_list"),
    path("restrictions/new/", views.restriction_create, name="restriction_create"),
    path(
        "restrictions/default/",
        views.restriction_default_create,
        name="restriction_default_create",
    ),
    path("restrictions/<int:pk>/edit/", views.restriction_edit, name="restriction_edit"),
    path("restrictions/<int:pk>/move/", views.restriction_move, name="restriction_move"),
    path("restrictions/<int:pk>/delete/", views.restriction_delete, name="restriction_delete"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("profiles/", views.profile_list, name="profile_list"),
    path("profiles/new/", views.profile_create, name="profile_create"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("preprovisioned/", views.preprovisioned_list, name="preprovisioned_list"),
    path("preprovisioned/add/", views.preprovisioned_add, name="preprovisioned_add"),
    path(
        "preprovisioned/<int:pk>/profile/",
        views.preprovisioned_assign,
        name="preprovisioned_assign",
    ),
    path(
        "preprovisioned/<int:pk>/remove/",
        views.preprovisioned_remove,
        name="preprovisioned_remove",
    ),
    path("corporate/", views.corporate_list, name="corporate_list"),
    path("corporate/add/", views.corporate_add, name="corporate_add"),
    path("corporate/<int:pk>/remove/", views.corporate_remove, name="corporate_remove"),
    path("failures/", views.failure_list, name="failure_list"),
    path("failures/<int:pk>/", views.failure_detail, name="failure_detail"),
]
