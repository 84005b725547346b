"""The guard every portal view wears: signed in, licensed, an operator, maybe a permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse

from deskside.access.checks import is_operator, require

View = Callable[..., HttpResponseBase]


def operator_view(permission: str | None = None) -> Callable[[View], View]:
    """Admit licensed operators; with ``permission``, only those an assignment grants it.

    Object-level checks (scope) stay in the view through ``require``/``get_or_404``.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_license:
                return TemplateResponse(request, "access/unlicensed.html", status=403)
            if not is_operator(user):
                return TemplateResponse(request, "access/no_role.html", status=403)
            if permission is not None:
                require(user, permission)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def signed_in_view(view: View) -> View:
    """Admit any signed-in user: for pages about their own account (security, language)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
