"""The TOTP second factor: set-up, sign-in with a code, replay refused, lockout, mandatory for
operators where the tenant says so."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.conftest import PASSWORD
from deskside.directory.models import Tenant, User


def _enroll(client: Client, user: User) -> pyotp.TOTP:
    client.force_login(user, backend="deskside.accounts.backends.DirectoryBackend")
    assert client.post("/account/security/", {"step": "offer"}).status_code == 200
    user.refresh_from_db()
    secret = pyotp.TOTP(user.totp_secret)
    response = client.post("/account/security/", {"step": "confirm", "code": secret.now()})
    assert response.status_code == 302
    client.post("/sign-out/")
    return secret


def _next_code(secret: pyotp.TOTP) -> str:
    """The next step's code (accepted for clock drift): the current one was spent at set-up."""
    return secret.at(time.time() + secret.interval)


def _password(client: Client, user: User):  # type: ignore[no-untyped-def]
    return client.post("/sign-in/", {"email": user.email, "password": PASSWORD})


def test_setting_up_needs_a_valid_first_code(client: Client, personas) -> None:
    client.force_login(personas.reader, backend="deskside.accounts.backends.DirectoryBackend")
    page = client.post("/account/security/", {"step": "offer"})
    assert b"data:image/svg+xml" in page.content
    response = client.post("/account/security/", {"step": "confirm", "code": "000000"})
    assert response.status_code == 400
    assert not User.objects.get(pk=personas.reader.pk).has_totp


def test_with_a_second_factor_the_password_alone_does_not_sign_in(client: Client, personas) -> None:
    secret = _enroll(client, personas.reader)
    response = _password(client, personas.reader)
    assert response["Location"] == "/sign-in/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    response = client.post("/sign-in/verify/", {"code": _next_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.reader.pk)
    assert AuditEvent.objects.filter(action=Action.SIGN_IN).latest("id").details == {
        "method": "password+totp"
    }
    assert AuditEvent.objects.filter(action=Action.MFA_ENROLLED, actor=personas.reader).exists()


def test_a_code_cannot_be_used_twice(client: Client, personas) -> None:
    secret = _enroll(client, personas.reader)
    _password(client, personas.reader)
    response = client.post("/sign-in/verify/", {"code": secret.now()})  # spent at set-up
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(client: Client, personas) -> None:
    _enroll(client, personas.reader)
    _password(client, personas.reader)
    for _ in range(settings.DESKSIDE_LOCKOUT_THRESHOLD):
        client.post("/sign-in/verify/", {"code": "123456"})
    assert User.objects.get(pk=personas.reader.pk).locked_until is not None
    reasons = set(
        AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).values_list(
            "details__reason", flat=True
        )
    )
    assert "badCode" in reasons


def test_the_verify_page_without_a_pending_sign_in_sends_back(client: Client, personas) -> None:
    response = client.get("/sign-in/verify/")
    assert response["Location"] == "/sign-in/"


@pytest.fixture
def mandatory(personas) -> Tenant:
    Tenant.objects.filter(pk=personas.tenant.pk).update(require_operator_mfa=True)
    return personas.tenant


def test_a_tenant_can_require_a_second_factor_for_operators(
    client: Client, personas, mandatory
) -> None:
    response = _password(client, personas.helpdesk)
    assert response["Location"] == "/sign-in/second-factor/"
    assert "_auth_user_id" not in client.session
    page = client.get("/sign-in/second-factor/")
    assert b"requires a second factor" in page.content
    secret = pyotp.TOTP(User.objects.get(pk=personas.helpdesk.pk).totp_secret)
    response = client.post("/sign-in/second-factor/", {"code": secret.now()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.helpdesk.pk)
    assert User.objects.get(pk=personas.helpdesk.pk).has_totp


def test_the_requirement_does_not_apply_to_users_without_a_role(
    client: Client, personas, mandatory
) -> None:
    assert _password(client, personas.nobody)["Location"] == "/"


def test_the_second_factor_cannot_be_removed_where_it_is_required(
    client: Client, personas, mandatory
) -> None:
    secret = _enroll(client, personas.reader)
    client.force_login(personas.reader, backend="deskside.accounts.backends.DirectoryBackend")
    response = client.post("/account/security/", {"step": "remove", "code": _next_code(secret)})
    assert response.status_code == 400
    assert User.objects.get(pk=personas.reader.pk).has_totp
