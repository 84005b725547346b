"""Portal endpoints of device actions and diagnostics downloads."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "device_actions"

urlpatterns: list[URLPattern] = []
