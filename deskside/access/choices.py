from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    GROUPS = "groups", _("Selected groups")
    ALL_USERS = "allUsers", _("All users")
    ALL_DEVICES = "allDevices", _("All devices")
    ALL_USERS_AND_DEVICES = "allUsersAndDevices", _("All users and all devices")
