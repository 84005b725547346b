"""Request types for views: behind ``operator_view`` or ``signed_in_view`` the user is a real
directory user, and django-htmx has added ``request.htmx``."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from deskside.directory.models import User


class PortalRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
