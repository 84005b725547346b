"""Administrators' enrollment pages: restrictions, bulk tokens, pre-provisioned devices,
corporate identifiers."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "enrollment"

urlpatterns: list[URLPattern] = []
