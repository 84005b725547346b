"""System checks of the deployment's own settings (``deskside check``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from deskside.core.sealing import parse_keys


@checks.register(checks.Tags.security)
def data_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every ``DESKSIDE_DATA_KEYS`` entry is a Fernet key (else nothing sealed can be read)."""
    try:
        parse_keys(list(settings.DESKSIDE_DATA_KEYS))
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="deskside.E001")]
    return []
