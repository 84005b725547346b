from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from deskside.directory.models import User


class DirectoryBackend(BaseBackend):
    """Loads the signed-in user for each request. Passwords are checked by ``password_sign_in``,
    which also keeps the lockout count, so this backend never authenticates by itself."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("tenant").filter(pk=user_id).first()
        if user is None or not user.account_enabled:
            return None
        return user
