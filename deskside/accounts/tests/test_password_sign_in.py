"""Password sign-in: Argon2, generic errors, lockout after repeated failures, the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.conftest import PASSWORD
from deskside.directory.models import User


def _post(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/sign-in/", {"email": email, "password": password})


def test_production_hashes_passwords_with_argon2() -> None:
    import deskside.settings as production

    assert production.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_the_stored_hash_is_argon2(personas) -> None:
    assert personas.admin.password.startswith("argon2$argon2id$")


def test_a_correct_password_signs_in_and_is_audited(client: Client, personas) -> None:
    response = _post(client, "ADMIN@lakeside.test ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(personas.admin.pk)
    event = AuditEvent.objects.get(action=Action.SIGN_IN)
    assert (event.actor, event.tenant, event.details) == (
        personas.admin,
        personas.tenant,
        {"method": "password"},
    )
    assert event.source_address == "127.0.0.1"


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    client: Client, personas
) -> None:
    wrong = _post(client, "admin@lakeside.test", "nope")
    unknown = _post(client, "ghost@lakeside.test", "nope")
    assert wrong.status_code == unknown.status_code == 400
    message = "The e-mail address or password is not correct."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    reasons = list(
        AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED)
        .order_by("id")
        .values_list("details__reason", flat=True)
    )
    assert reasons == ["badPassword", "unknownUser"]
    assert "_auth_user_id" not in client.session


def test_the_account_locks_after_the_threshold_even_for_the_right_password(
    client: Client, personas
) -> None:
    for _ in range(settings.DESKSIDE_LOCKOUT_THRESHOLD):
        _post(client, "reader@lakeside.test", "wrong")
    user = User.objects.get(pk=personas.reader.pk)
    assert user.locked_until is not None and user.locked_until > timezone.now()
    assert (
        AuditEvent.objects.filter(action=Action.ACCOUNT_LOCKED, target_id=str(user.pk)).count() == 1
    )
    response = _post(client, "reader@lakeside.test", PASSWORD)
    assert response.status_code == 400
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_its_time(client: Client, personas) -> None:
    User.objects.filter(pk=personas.reader.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1), failed_sign_ins=0
    )
    assert _post(client, "reader@lakeside.test", PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(client: Client, personas) -> None:
    for _ in range(settings.DESKSIDE_LOCKOUT_THRESHOLD - 1):
        _post(client, "reader@lakeside.test", "wrong")
    assert _post(client, "reader@lakeside.test", PASSWORD).status_code == 302
    assert User.objects.get(pk=personas.reader.pk).failed_sign_ins == 0


def test_a_disabled_account_cannot_sign_in(client: Client, personas) -> None:
    User.objects.filter(pk=personas.reader.pk).update(account_enabled=False)
    response = _post(client, "reader@lakeside.test", PASSWORD)
    assert response.status_code == 400
    assert "disabled" in response.content.decode()


@pytest.mark.parametrize("data", [{}, {"email": "not-an-address", "password": "x"}])
def test_malformed_input_is_a_400_with_a_message(client: Client, personas, data) -> None:
    response = client.post("/sign-in/", data)
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_next_must_stay_on_this_site(client: Client, personas) -> None:
    client.get("/sign-in/?next=https://evil.example/")
    response = _post(client, "admin@lakeside.test", PASSWORD)
    assert response["Location"] == "/"
    client.post("/sign-out/")
    client.get("/sign-in/?next=/audit/")
    assert _post(client, "admin@lakeside.test", PASSWORD)["Location"] == "/audit/"


def test_sign_out_ends_the_session_and_is_audited(client: Client, personas) -> None:
    _post(client, "admin@lakeside.test", PASSWORD)
    assert client.post("/sign-out/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, actor=personas.admin).exists()
    assert client.get("/").status_code == 302
