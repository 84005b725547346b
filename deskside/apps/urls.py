"""Portal pages of apps and app protection."""

from __future__ import annotations

from django.urls import path

from deskside.apps import views

app_name = "apps"

urlpatterns = [
    path("", views.app_list, name="app_list"),
    path("new/", views.app_create, name="app_create"),
    path("<int:pk>/", views.app_detail, name="app_detail"),
    path("<int:pk>/edit/", views.app_edit, name="app_edit"),
    path("<int:pk>/delete/", views.app_delete, name="app_delete"),
    path("<int:pk>/assignments/", views.app_assignment_add, name="app_assignment_add"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/",
        views.app_assignment_update,
        name="app_assignment_update",
    ),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/remove/",
        views.app_assignment_remove,
        name="app_assignment_remove",
    ),
    path("devices/<int:device_pk>/inventory/", views.device_inventory, name="device_inventory"),
    path("protection/", views.protection_list, name="protection_list"),
    path("protection/new/", views.protection_create, name="protection_create"),
    path("protection/registrations/", views.registration_list, name="registration_list"),
    path("protection/wipe-requests/", views.wipe_list, name="wipe_list"),
    path("protection/wipe-requests/new/", views.wipe_create, name="wipe_create"),
    path("protection/wipe-requests/<int:pk>/cancel/", views.wipe_cancel, name="wipe_cancel"),
    path("protection/<int:pk>/", views.protection_detail, name="protection_detail"),
    path("protection/<int:pk>/edit/", views.protection_edit, name="protection_edit"),
    path("protection/<int:pk>/delete/", views.protection_delete, name="protection_delete"),
    path("protection/<int:pk>/groups/", views.protection_assign, name="protection_assign"),
    path(
        "protection/<int:pk>/groups/<int:group_pk>/remove/",
        views.protection_unassign,
        name="protection_unassign",
    ),
]
