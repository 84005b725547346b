from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class SsoForm(forms.Form):
    email = forms.EmailField(label=_("Work e-mail address"), max_length=254)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TenantSignInForm(forms.Form):
    require_operator_mfa = forms.BooleanField(
        label=_("Require a second factor (TOTP) for operators"), required=False
    )


class IdentityProviderForm(forms.Form):
    display_name = forms.CharField(label=_("Button label"), max_length=100)
    issuer = forms.URLField(label=_("Issuer"), max_length=500, assume_scheme="https")
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored, never shown again. Leave empty to keep the current secret."),
    )
    email_claim = forms.CharField(label=_("E-mail claim"), max_length=100, initial="email")
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
