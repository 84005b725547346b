"""The enrollment settings page: everyone with EnrollmentProgram.Read sees the tenant's state, only
EnrollmentProgram.Update changes it, each change audited with the fields it touched."""

from __future__ import annotations

from datetime import UTC, datetime

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.models import EnrollmentSettings

URL = "/enrollment/"
UPDATE = "/enrollment/settings/"


def test_a_tenant_that_never_saved_settings_is_shown_as_not_set_up(login, personas) -> None:
    body = login(personas.helpdesk).get(URL).content.decode()
    assert "Not set up yet" in body
    assert 'action="/enrollment/settings/"' not in body  # the help desk may only read


def test_an_administrator_sets_the_tenant_up(login, personas) -> None:
    response = login(personas.admin).post(
        UPDATE,
        {
            "management_authority_set": "on",
            "allow_user_enrollment": "on",
            "allow_preprovisioned_enrollment": "on",
            "apple_push_certificate_expires_at": "2031-06-30T12:00",
        },
    )
    assert response.status_code == 302
    saved = EnrollmentSettings.objects.get(tenant=personas.tenant)
    assert (
        saved.management_authority_set,
        saved.allow_user_enrollment,
        saved.allow_bulk_enrollment,
        saved.allow_preprovisioned_enrollment,
        saved.apple_push_certificate_expires_at,
    ) == (True, True, False, True, datetime(2031, 6, 30, 12, tzinfo=UTC))
    event = AuditEvent.objects.get(action=Action.ENROLLMENT_SETTINGS_UPDATED)
    assert event.actor == personas.admin and event.tenant == personas.tenant
    assert event.details["fields"] == [
        "allow_bulk_enrollment",
        "apple_push_certificate_expires_at",
        "management_authority_set",
    ]
    body = login(personas.reader).get(URL).content.decode()
    assert "Valid until" in body and "Bulk enrollment token</span>" not in body


def test_an_expired_apple_push_certificate_is_shown_expired(login, personas) -> None:
    EnrollmentSettings.objects.create(
        tenant=personas.tenant,
        management_authority_set=True,
        apple_push_certificate_expires_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    assert "Expired on" in login(personas.admin).get(URL).content.decode()


def test_saving_the_same_settings_again_writes_no_event(login, personas) -> None:
    client = login(personas.admin)
    data = {"management_authority_set": "on", "allow_user_enrollment": "on"}
    client.post(UPDATE, data)
    client.post(UPDATE, data)
    assert AuditEvent.objects.filter(action=Action.ENROLLMENT_SETTINGS_UPDATED).count() == 1


def test_a_malformed_expiry_is_a_400_naming_the_field(login, personas) -> None:
    response = login(personas.admin).post(
        UPDATE, {"apple_push_certificate_expires_at": "next summer"}
    )
    assert response.status_code == 400
    assert "Apple push certificate expires" in response.content.decode()
    assert "Enter a valid date/time." in response.content.decode()
    assert not EnrollmentSettings.objects.exists()


def test_changing_settings_needs_enrollment_update(login, personas) -> None:
    for operator in (personas.helpdesk, personas.reader):
        response = login(operator).post(UPDATE, {"management_authority_set": "on"})
        assert response.status_code == 403
    assert login(personas.helpdesk).get(UPDATE).status_code == 405
    assert not EnrollmentSettings.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.ENROLLMENT_SETTINGS_UPDATED).exists()


def test_another_tenants_administrator_changes_only_their_own_settings(login, personas) -> None:
    login(personas.outsider).post(UPDATE, {"management_authority_set": "on"})
    assert list(EnrollmentSettings.objects.values_list("tenant", flat=True)) == [
        personas.other_tenant.pk
    ]
