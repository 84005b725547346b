"""Sign-in: passwords and second-factor codes with one lockout, TOTP set-up, sign-in through the
tenant's identity provider, the tenant's sign-in settings, and the language setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deskside.accounts import totp
from deskside.accounts.models import IdentityProvider
from deskside.audit.choices import Action, Outcome
from deskside.audit.services import audit_record
from deskside.directory.models import Tenant, User
from deskside.directory.selectors import tenant_for_email

INVALID_CREDENTIALS = _("The e-mail address or password is not correct.")
INVALID_CODE = _("The code is not correct, or was already used. Enter the current code.")
ACCOUNT_LOCKED = _(
    "Too many failed sign-ins: this account is locked for a while. Try again later, "
    "or ask an administrator."
)
ACCOUNT_DISABLED = _("This account is disabled. Ask an administrator.")
SSO_REFUSED = _(
    "Signing in through your organization did not succeed. Try again, or ask an administrator."
)
SSO_UNKNOWN_USER = _("Your organization signed you in, but this tenant has no such user.")
SSO_NOT_SET_UP = _("Your organization has not set up signing in through its identity provider.")


class SignInError(Exception):
    """A refused sign-in, with the message to show (never more specific than it must be)."""


@dataclass(frozen=True)
class SignInResult:
    user: User


def password_sign_in(*, email: str, password: str, request: HttpRequest) -> SignInResult:
    """Check a password. Counts failures; locks the account after the configured number in a row.

    Raises SignInError. The failure count and its audit event are committed even so.
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
            error = _check(user, request, "badPassword", lambda: user.check_password(password))
    if error is not None:
        raise error
    assert user is not None
    return SignInResult(user=user)


def second_factor_check(*, user: User, code: str, request: HttpRequest) -> None:
    """Check a TOTP code at sign-in; a wrong code counts towards the same lockout as passwords."""
    with transaction.atomic():
        locked = User.objects.select_for_update().select_related("tenant").get(pk=user.pk)
        error = _check(locked, request, "badCode", lambda: totp.code_accept(user=locked, code=code))
    if error is not None:
        raise error


def _check(user: User, request: HttpRequest, reason: str, verify: Any) -> SignInError | None:
    """One factor of a sign-in, under the row lock the caller holds: lockout, failure count."""
    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        _record_failure(user, request, "locked")
        return SignInError(ACCOUNT_LOCKED)
    if not verify():
        user.failed_sign_ins += 1
        locked = user.failed_sign_ins >= settings.DESKSIDE_LOCKOUT_THRESHOLD
        if locked:
            user.locked_until = now + timedelta(minutes=settings.DESKSIDE_LOCKOUT_MINUTES)
            user.failed_sign_ins = 0
        user.save(update_fields=["failed_sign_ins", "locked_until"])
        _record_failure(user, request, reason)
        if not locked:
            return SignInError(INVALID_CREDENTIALS if reason == "badPassword" else INVALID_CODE)
        audit_record(
            action=Action.ACCOUNT_LOCKED,
            tenant=user.tenant,
            actor=None,
            target=user,
            request=request,
            details={"minutes": settings.DESKSIDE_LOCKOUT_MINUTES},
        )
        return SignInError(ACCOUNT_LOCKED)
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
def totp_secret_offer(*, user: User) -> str:
    """A new, not yet confirmed secret for the user (replaces an unconfirmed one)."""
    if user.has_totp:
        raise ValidationError(gettext("A second factor is already set up."))
    secret = totp.secret_new()
    user.totp_secret = secret
    user.totp_last_counter = None
    user.save(update_fields=["totp_secret", "totp_last_counter"])
    return secret


@transaction.atomic
def totp_confirm(*, user: User, code: str, request: HttpRequest) -> None:
    """Confirm the offered secret with a first code; from now on sign-in asks for a code."""
    if user.has_totp or not user.totp_secret:
        raise ValidationError(gettext("Start the set-up again."))
    if not totp.code_accept(user=user, code=code):
        raise ValidationError({"code": str(INVALID_CODE)})
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_confirmed_at"])
    audit_record(
        action=Action.MFA_ENROLLED, tenant=user.tenant, actor=user, target=user, request=request
    )


@transaction.atomic
def totp_remove(*, user: User, code: str, request: HttpRequest) -> None:
    """Remove the second factor (proven with a current code) unless the tenant requires one."""
    if not user.has_totp:
        raise ValidationError(gettext("No second factor is set up."))
    if user.tenant.require_operator_mfa:
        raise ValidationError(gettext("Your organization requires a second factor."))
    if not totp.code_accept(user=user, code=code):
        raise ValidationError({"code": str(INVALID_CODE)})
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_counter = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_counter"])
    audit_record(
        action=Action.MFA_REMOVED, tenant=user.tenant, actor=user, target=user, request=request
    )


def sso_provider_for(*, email: str) -> IdentityProvider:
    """The enabled identity provider of the tenant the address belongs to."""
    tenant = tenant_for_email(email=email)
    provider = (
        IdentityProvider.objects.filter(tenant=tenant, enabled=True).first() if tenant else None
    )
    if provider is None:
        raise SignInError(SSO_NOT_SET_UP)
    return provider


def sso_failure_record(*, tenant_id: int | None, reason: str, request: HttpRequest) -> None:
    audit_record(
        action=Action.SIGN_IN_FAILED,
        outcome=Outcome.FAILURE,
        tenant=Tenant.objects.filter(pk=tenant_id).first() if tenant_id else None,
        actor=None,
        request=request,
        details={"method": "oidc", "reason": reason},
    )


def sso_user_for(
    *, provider: IdentityProvider, claims: dict[str, Any], request: HttpRequest
) -> User:
    """The tenant's enabled user the provider vouched for, by the configured e-mail claim."""
    email = claims.get(provider.email_claim)
    reason = ""
    user = None
    if not isinstance(email, str) or "@" not in email:
        reason = "noEmailClaim"
    elif claims.get("email_verified") is False:
        reason = "emailNotVerified"
    else:
        user = User.objects.filter(tenant_id=provider.tenant_id, email=email.lower()).first()
        if user is None:
            reason = "unknownUser"
        elif not user.account_enabled:
            reason = "disabled"
    if reason:
        sso_failure_record(tenant_id=provider.tenant_id, reason=reason, request=request)
        raise SignInError(SSO_UNKNOWN_USER if reason == "unknownUser" else SSO_REFUSED)
    assert user is not None
    return user


@transaction.atomic
def tenant_sign_in_settings_update(
    *, tenant: Tenant, require_operator_mfa: bool, actor: User, request: HttpRequest
) -> None:
    if tenant.require_operator_mfa == require_operator_mfa:
        return
    tenant.require_operator_mfa = require_operator_mfa
    tenant.save(update_fields=["require_operator_mfa"])
    audit_record(
        action=Action.TENANT_UPDATED,
        tenant=tenant,
        actor=actor,
        target=tenant,
        request=request,
        details={"require_operator_mfa": require_operator_mfa},
    )


@transaction.atomic
def identity_provider_set(
    *,
    tenant: Tenant,
    display_name: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    email_claim: str,
    enabled: bool,
    actor: User,
    request: HttpRequest,
) -> IdentityProvider:
    """Create or change the tenant's provider. An empty secret keeps the stored one."""
    parts = urlsplit(issuer)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ValidationError({"issuer": gettext("Enter the issuer's http(s) address.")})
    provider = IdentityProvider.objects.filter(tenant=tenant).first()
    if provider is None and not client_secret:
        raise ValidationError({"client_secret": gettext("Enter the client secret.")})
    provider = provider or IdentityProvider(tenant=tenant)
    provider.display_name = display_name.strip()
    provider.issuer = issuer.rstrip("/")
    provider.client_id = client_id.strip()
    provider.email_claim = email_claim.strip() or "email"
    provider.enabled = enabled
    secret_changed = bool(client_secret)
    if secret_changed:
        provider.client_secret = client_secret
    provider.save()
    audit_record(
        action=Action.IDENTITY_PROVIDER_UPDATED,
        tenant=tenant,
        actor=actor,
        target=provider,
        request=request,
        details={
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "enabled": enabled,
            "secret_changed": secret_changed,
        },
    )
    return provider


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ValueError(language)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
