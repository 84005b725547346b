from django.urls import path

from deskside.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/verify/", views.verify, name="verify"),
    path("sign-in/second-factor/", views.mfa_required, name="mfa_required"),
    path("sign-in/organization/", views.sso_start, name="sso_start"),
    path("sign-in/organization/callback/", views.oidc_callback, name="oidc_callback"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("language/", views.set_language, name="set_language"),
    path("account/security/", views.security, name="security"),
    path("settings/sign-in/", views.tenant_settings, name="tenant_settings"),
]
