from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from deskside.access.checks import operator_grants


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The signed-in operator's permissions, so the navigation shows only pages they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_granted": frozenset()}
    return {"perms_granted": operator_grants(user).permissions()}
