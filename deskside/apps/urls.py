"""Portal pages of apps and app protection."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "apps"

urlpatterns: list[URLPattern] = []
