from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from deskside.core.sealing import SealedTextField


class IdentityProvider(models.Model):
    """A tenant's OpenID Connect provider: its users may sign in there instead of with a password.

    The client secret is kept for the token exchange and never shown again once saved.
    """

    tenant = models.OneToOneField(
        "directory.Tenant", on_delete=models.CASCADE, related_name="identity_provider"
    )
    display_name = models.CharField(_("button label"), max_length=100)
    issuer = models.URLField(_("issuer"), max_length=500)
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret = SealedTextField(_("client secret"), default="")
    email_claim = models.CharField(_("e-mail claim"), max_length=100, default="email")
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.display_name} ({self.issuer})"
