"""Sign-in: passwords with lockout, the second factor, and the language setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deskside.audit.choices import Action, Outcome
from deskside.audit.services import audit_record
from deskside.directory.models import User
from deskside.directory.selectors import tenant_for_email

INVALID_CREDENTIALS = _("The e-mail address or password is not correct.")
ACCOUNT_LOCKED = _(
    "Too many failed sign-ins: this account is locked for a while. Try again later, "
    "or ask an administrator."
)
ACCOUNT_DISABLED = _("This account is disabled. Ask an administrator.")


class SignInError(Exception):
    """A refused sign-in, with the message to show (never more specific than it must be)."""


@dataclass(frozen=True)
class SignInResult:
    user: User


def password_sign_in(*, email: str, password: str, request: HttpRequest) -> SignInResult:
    """Check a password. Counts failures; locks the account after the configured number in a row.

    Raises SignInError. Commits the failure count and its audit event even though it raises.
    """
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().select_related("tenant").filter(email=email).first()
        if user is None:
            # Hash anyway, so that an unknown address takes as long as a wrong password.
            User().set_password(password)
            audit_record(
                action=Action.SIGN_IN_FAILED,
                outcome=Outcome.FAILURE,
                tenant=tenant_for_email(email=email),
                actor=None,
                actor_label=email[:254],
                request=request,
                details={"reason": "unknownUser"},
            )
            error: SignInError | None = SignInError(INVALID_CREDENTIALS)
        else:
            error = _check_user_password(user=user, password=password, request=request)
    if error is not None:
        raise error
    assert user is not None
    return SignInResult(user=user)


def _check_user_password(*, user: User, password: str, request: HttpRequest) -> SignInError | None:
    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        _record_failure(user, request, "locked")
        return SignInError(ACCOUNT_LOCKED)
    if not user.check_password(password):
        user.failed_sign_ins += 1
        locked = user.failed_sign_ins >= settings.DESKSIDE_LOCKOUT_THRESHOLD
        if locked:
            user.locked_until = now + timedelta(minutes=settings.DESKSIDE_LOCKOUT_MINUTES)
            user.failed_sign_ins = 0
        user.save(update_fields=["failed_sign_ins", "locked_until"])
        _record_failure(user, request, "badPassword")
        if locked:
            audit_record(
                action=Action.ACCOUNT_LOCKED,
                outcome=Outcome.SUCCESS,
                tenant=user.tenant,
                actor=None,
                target=user,
                request=request,
                details={"minutes": settings.DESKSIDE_LOCKOUT_MINUTES},
            )
            return SignInError(ACCOUNT_LOCKED)
        return SignInError(INVALID_CREDENTIALS)
    if not user.account_enabled:
        _record_failure(user, request, "disabled")
        return SignInError(ACCOUNT_DISABLED)
    if user.failed_sign_ins or user.locked_until:
        user.failed_sign_ins = 0
        user.locked_until = None
        user.save(update_fields=["failed_sign_ins", "locked_until"])
    return None


def _record_failure(user: User, request: HttpRequest, reason: str) -> None:
    audit_record(
        action=Action.SIGN_IN_FAILED,
        outcome=Outcome.FAILURE,
        tenant=user.tenant,
        actor=user,
        target=user,
        request=request,
        details={"reason": reason},
    )


def sign_in_record(*, user: User, request: HttpRequest, method: str) -> None:
    """The audit event of a completed sign-in (password, password+TOTP, or an identity provider)."""
    audit_record(
        action=Action.SIGN_IN,
        tenant=user.tenant,
        actor=user,
        target=user,
        request=request,
        details={"method": method},
    )


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ValueError(language)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
