"""Portal pages of the fleet: the device list and the device page."""

from __future__ import annotations

from django.urls import URLPattern, path

from deskside.fleet import views

app_name = "fleet"

urlpatterns: list[URLPattern] = [
    path("", views.device_list, name="device_list"),
    path("export.csv", views.device_export, name="device_export"),
    path("<int:pk>/", views.device_detail, name="device_detail"),
]
