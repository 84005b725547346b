from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from deskside.directory.models import User


class UserForm(forms.Form):
    email = forms.EmailField(label=_("User principal name (e-mail)"), max_length=254)
    display_name = forms.CharField(label=_("Display name"), max_length=200)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    surname = forms.CharField(label=_("Surname"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    account_enabled = forms.BooleanField(label=_("Account enabled"), required=False, initial=True)
    has_license = forms.BooleanField(label=_("Licensed"), required=False, initial=True)


class UserCreateForm(UserForm):
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput,
        help_text=_(
            "Leave empty for a user who signs in only through the organization's provider."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            candidate = User(email=data.get("email", ""), display_name=data.get("display_name", ""))
            try:
                validate_password(data["password"], candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class GroupForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)


class MemberForm(forms.Form):
    user_email = forms.EmailField(label=_("User (e-mail)"), required=False)
    group_name = forms.CharField(label=_("Or group (name)"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("user_email")) == bool(data.get("group_name")):
            raise forms.ValidationError(_("Give either a user's e-mail or a group's name."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
