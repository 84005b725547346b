"""Portal pages of the fleet: the device list and the device page."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "fleet"

urlpatterns: list[URLPattern] = []
