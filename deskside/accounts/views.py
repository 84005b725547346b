from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from deskside.accounts.flow import NEXT_KEY, first_factor_passed, safe_next
from deskside.accounts.forms import SignInForm
from deskside.accounts.services import SignInError, password_sign_in, user_language_set
from deskside.audit.choices import Action
from deskside.audit.services import audit_record


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    if request.method == "GET":
        request.session[NEXT_KEY] = safe_next(request, request.GET.get("next"))
        return render(request, "accounts/sign_in.html", {"form": SignInForm()})
    form = SignInForm(request.POST)
    if form.is_valid():
        try:
            result = password_sign_in(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except SignInError as error:
            form.add_error(None, str(error))
        else:
            return first_factor_passed(request, result.user, "password")
    return render(request, "accounts/sign_in.html", {"form": form}, status=400)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(
            action=Action.SIGN_OUT,
            tenant=request.user.tenant,
            actor=request.user,
            request=request,
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
        user_language_set(user=request.user, language=language)
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response
