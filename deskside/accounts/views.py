from __future__ import annotations

import hmac
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deskside.access.decorators import operator_view, signed_in_view
from deskside.accounts import flow, oidc, services, totp
from deskside.accounts.forms import (
    CodeForm,
    IdentityProviderForm,
    SignInForm,
    SsoForm,
    TenantSignInForm,
)
from deskside.accounts.models import IdentityProvider
from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.core.forms import add_service_errors
from deskside.core.requests import PortalRequest
from deskside.directory.models import User

OIDC_KEY = "deskside_oidc_flow"
OIDC_MAX_SECONDS = 600


def _sign_in_page(
    request: HttpRequest,
    form: SignInForm | None = None,
    sso: SsoForm | None = None,
    status: int = 200,
    sso_error: str = "",
) -> HttpResponse:
    context = {
        "form": form or SignInForm(),
        "sso_form": sso or SsoForm(prefix="sso"),
        "sso_error": sso_error,
    }
    return render(request, "accounts/sign_in.html", context, status=status)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    if request.method == "GET":
        request.session[flow.NEXT_KEY] = flow.safe_next(request, request.GET.get("next"))
        return _sign_in_page(request)
    form = SignInForm(request.POST)
    if form.is_valid():
        try:
            result = services.password_sign_in(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except services.SignInError as error:
            form.add_error(None, str(error))
        else:
            return flow.first_factor_passed(request, result.user, "password")
    return _sign_in_page(request, form=form, status=400)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a sign-in: the code from the user's authenticator."""
    pending = flow.pending_user(request)
    if pending is None:
        messages.error(request, _("The sign-in expired. Sign in again."))
        return redirect("accounts:sign_in")
    user, method = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_check(user=user, code=form.cleaned_data["code"], request=request)
        except services.SignInError as error:
            form.add_error("code", str(error))
        else:
            return flow.pending_finish(request, user, method)
    status = 400 if form.errors else 200
    return render(request, "accounts/verify.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def mfa_required(request: HttpRequest) -> HttpResponse:
    """Set up the second factor the tenant requires, to finish signing in."""
    pending = flow.pending_user(request)
    if pending is None:
        messages.error(request, _("The sign-in expired. Sign in again."))
        return redirect("accounts:sign_in")
    user, method = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_confirm(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return flow.pending_finish(request, user, method)
    if request.method == "GET" or not user.totp_secret:
        services.totp_secret_offer(user=user)
    context = _totp_context(user) | {"form": form, "required": True}
    return render(request, "accounts/totp_setup.html", context, status=400 if form.errors else 200)


def _totp_context(user: User) -> dict[str, str]:
    uri = totp.provisioning_uri(user=user, secret=user.totp_secret)
    return {"secret": user.totp_secret, "qr": totp.qr_svg_data_uri(uri)}


@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """Find the tenant's provider and show the way there (a link: form-action can't block it)."""
    form = SsoForm(request.POST, prefix="sso")
    if not form.is_valid():
        return _sign_in_page(request, sso=form, status=400)
    try:
        provider = services.sso_provider_for(email=form.cleaned_data["email"])
        started, url = oidc.flow_start(provider=provider, redirect_uri=_callback_uri(request))
    except services.SignInError as error:
        form.add_error(None, str(error))
        return _sign_in_page(request, sso=form, status=400)
    except oidc.OidcError as error:
        services.sso_failure_record(
            tenant_id=provider.tenant_id, reason=error.reason, request=request
        )
        form.add_error(None, str(services.SSO_REFUSED))
        return _sign_in_page(request, sso=form, status=400)
    request.session[OIDC_KEY] = started.as_session()
    context = {"provider": provider, "authorize_url": url}
    return render(request, "accounts/sso_continue.html", context)


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:oidc_callback"))


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    saved = request.session.pop(OIDC_KEY, None)
    state = request.GET.get("state", "")
    code = request.GET.get("code", "")
    tenant_id: int | None = saved.get("tenant_id") if saved else None
    provider = (
        IdentityProvider.objects.filter(tenant_id=tenant_id, enabled=True).first()
        if tenant_id is not None
        else None
    )
    reason = _callback_problem(saved, state, code, provider, request.GET.get("error", ""))
    if reason:
        services.sso_failure_record(tenant_id=tenant_id, reason=reason, request=request)
        return _sso_refused(request, str(services.SSO_REFUSED))
    assert provider is not None and saved is not None
    try:
        claims = oidc.flow_finish(
            provider=provider,
            flow=oidc.Flow(**saved),
            code=code,
            redirect_uri=_callback_uri(request),
        )
        user = services.sso_user_for(provider=provider, claims=claims, request=request)
    except oidc.OidcError as error:
        services.sso_failure_record(tenant_id=tenant_id, reason=error.reason, request=request)
        return _sso_refused(request, str(services.SSO_REFUSED))
    except services.SignInError as error:
        return _sso_refused(request, str(error))
    return flow.session_start(request, user, "oidc")


def _callback_problem(
    saved: dict[str, object] | None, state: str, code: str, provider: object, error: str
) -> str:
    if error:
        return "providerError"
    if not saved or not state or not hmac.compare_digest(str(saved.get("state", "")), state):
        return "stateMismatch"
    if time.time() - float(str(saved.get("started", 0))) > OIDC_MAX_SECONDS:
        return "flowExpired"
    if not code:
        return "noCode"
    if provider is None:
        return "providerDisabled"
    return ""


def _sso_refused(request: HttpRequest, message: str) -> HttpResponse:
    return _sign_in_page(request, sso_error=message, status=400)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(
            action=Action.SIGN_OUT, tenant=request.user.tenant, actor=request.user, request=request
        )
    logout(request)
    return redirect("accounts:sign_in")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: kept on the user when signed in, in a cookie for everyone."""
    language = request.POST.get("language", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        return HttpResponseBadRequest(translation.gettext("Unknown language."))
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    response = HttpResponseRedirect(flow.safe_next(request, request.POST.get("next")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response


@require_http_methods(["GET", "POST"])
@signed_in_view
def security(request: PortalRequest) -> HttpResponse:
    """The user's own second factor: set it up, confirm it, or remove it."""
    user = request.user
    form = CodeForm(request.POST or None)
    step = request.POST.get("step", "")
    if step == "offer":
        try:
            services.totp_secret_offer(user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:security")
        return render(
            request, "accounts/totp_setup.html", _totp_context(user) | {"form": CodeForm()}
        )
    if step in {"confirm", "remove"} and form.is_valid():
        action = services.totp_confirm if step == "confirm" else services.totp_remove
        try:
            action(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your second factor was saved.")
                if step == "confirm"
                else _("Your second factor was removed."),
            )
            return redirect("accounts:security")
    if step == "confirm":
        context = _totp_context(user) | {"form": form}
        return render(request, "accounts/totp_setup.html", context, status=400)
    return render(
        request, "accounts/security.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@operator_view("Organization.Update")
def tenant_settings(request: PortalRequest) -> HttpResponse:
    tenant = request.user.tenant
    provider = IdentityProvider.objects.filter(tenant=tenant).first()
    provider_initial = (
        {
            name: getattr(provider, name)
            for name in IdentityProviderForm.base_fields
            if name != "client_secret"
        }
        if provider
        else {}
    )
    tenant_form = TenantSignInForm(
        request.POST if request.POST.get("part") == "tenant" else None,
        initial={"require_operator_mfa": tenant.require_operator_mfa},
    )
    provider_form = IdentityProviderForm(
        request.POST if request.POST.get("part") == "provider" else None, initial=provider_initial
    )
    if tenant_form.is_bound and tenant_form.is_valid():
        services.tenant_sign_in_settings_update(
            tenant=tenant, actor=request.user, request=request, **tenant_form.cleaned_data
        )
        messages.success(request, _("The sign-in settings were saved."))
        return redirect("accounts:tenant_settings")
    if provider_form.is_bound and provider_form.is_valid():
        try:
            services.identity_provider_set(
                tenant=tenant, actor=request.user, request=request, **provider_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(provider_form, error)
        else:
            messages.success(request, _("The identity provider was saved."))
            return redirect("accounts:tenant_settings")
    context = {
        "tenant_form": tenant_form,
        "provider_form": provider_form,
        "provider": provider,
        "callback_uri": _callback_uri(request),
    }
    status = 400 if tenant_form.errors or provider_form.errors else 200
    return render(request, "accounts/tenant_settings.html", context, status=status)
