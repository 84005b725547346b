"""Bulk enrollment tokens: made with a name and an expiry, shown once (only the hash is kept, never
in the audit log or on a page again), listed with their expiry state, revoked; a token from the
page enrolls a device through the API until it is revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.enrollment import token_hash
from deskside.fleet.models import BulkEnrollmentToken, EnrollmentSettings

LIST = "/enrollment/tokens/"
NEW = "/enrollment/tokens/new/"


def _expiry(days: int = 30) -> str:
    return (timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _create(client, name: str = "Warehouse scanners") -> tuple[str, BulkEnrollmentToken]:  # type: ignore[no-untyped-def]
    response = client.post(NEW, {"name": name, "expires_at": _expiry()})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'id="token-secret">([^<]+)<', response.content.decode()).group(1)
    return secret, BulkEnrollmentToken.objects.get(name=name)


def test_a_token_is_shown_once_and_only_its_hash_is_stored(login, personas) -> None:
    client = login(personas.admin)
    secret, token = _create(client)
    assert len(secret) >= 40
    assert token.token_hash == token_hash(secret)
    assert token.tenant == personas.tenant
    assert secret not in client.get(LIST).content.decode()
    event = AuditEvent.objects.get(action=Action.BULK_TOKEN_CREATED)
    assert (event.actor, event.target_label) == (personas.admin, "Warehouse scanners")
    assert secret not in str(event.details) and token.token_hash not in str(event.details)


def test_each_token_gets_its_own_secret(login, personas) -> None:
    client = login(personas.admin)
    first, _ = _create(client, "First")
    second, _ = _create(client, "Second")
    assert first != second


def test_the_list_shows_which_tokens_expired(login, personas) -> None:
    now = timezone.now()
    BulkEnrollmentToken.objects.create(
        tenant=personas.tenant, name="Old", token_hash="a" * 64, expires_at=now - timedelta(days=1)
    )
    BulkEnrollmentToken.objects.create(
        tenant=personas.tenant, name="New", token_hash="b" * 64, expires_at=now + timedelta(days=9)
    )
    response = login(personas.helpdesk).get(LIST)
    states = {token.name: token.is_expired for token in response.context["tokens"]}
    assert states == {"Old": True, "New": False}
    body = response.content.decode()
    assert "Expired" in body.split("Old")[1].split("</tr>")[0]
    assert "Valid for" in body.split("New")[1].split("</tr>")[0]
    assert "a" * 64 not in body
    assert "Revoke" not in body  # the help desk may only read


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "expires_at": _expiry()}, "This field is required."),
        ({"name": "Past", "expires_at": _expiry(-1)}, "The expiry must be in the future."),
        ({"name": "Far", "expires_at": _expiry(400)}, "At most 365 days ahead."),
        ({"name": "Typo", "expires_at": "soon"}, "Enter a valid date/time."),
    ],
)
def test_a_bad_token_form_is_a_400_naming_the_field(login, personas, data, message) -> None:
    response = login(personas.admin).post(NEW, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'id="token-secret"' not in body
    assert not BulkEnrollmentToken.objects.exists()


def test_a_token_from_the_page_enrolls_until_it_is_revoked(client, login, personas) -> None:
    EnrollmentSettings.objects.create(tenant=personas.tenant, management_authority_set=True)
    secret, token = _create(login(personas.admin))
    body = {
        "method": "bulkToken",
        "bulkToken": secret,
        "agentVersion": "1.2.0",
        "device": {"deviceName": "SCANNER-1", "operatingSystem": "Linux", "osVersion": "12"},
    }
    api = "/api/v1/enrollment"
    assert client.post(api, body, content_type="application/json").status_code == 201
    assert login(personas.admin).post(f"/enrollment/tokens/{token.pk}/revoke/").status_code == 302
    assert not BulkEnrollmentToken.objects.exists()
    assert AuditEvent.objects.filter(
        action=Action.BULK_TOKEN_REVOKED, target_id=str(token.pk), actor=personas.admin
    ).exists()
    body["device"]["deviceName"] = "SCANNER-2"
    assert client.post(api, body, content_type="application/json").status_code == 401


def test_tokens_are_made_and_revoked_only_with_enrollment_update(login, personas) -> None:
    _secret, token = _create(login(personas.admin))
    client = login(personas.reader)
    assert client.post(NEW, {"name": "Mine", "expires_at": _expiry()}).status_code == 403
    assert client.post(f"/enrollment/tokens/{token.pk}/revoke/").status_code == 403
    assert (
        login(personas.outsider).post(f"/enrollment/tokens/{token.pk}/revoke/").status_code == 404
    )
    assert list(BulkEnrollmentToken.objects.values_list("name", flat=True)) == [
        "Warehouse scanners"
    ]
