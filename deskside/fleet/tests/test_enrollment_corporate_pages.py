"""Corporate identifiers: serial numbers pasted to declare devices corporate, listed, removed, each
change audited; a listed serial number lets a device through a restriction that blocks personal
devices."""

from __future__ import annotations

import pytest

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.enrollment import (
    DeviceFacts,
    EnrollmentAttempt,
    EnrollmentRefused,
    device_enroll,
)
from deskside.fleet.models import CorporateIdentifier

LIST = "/enrollment/corporate/"
ADD = "/enrollment/corporate/add/"


def _serials(tenant) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        CorporateIdentifier.objects.filter(tenant=tenant).values_list("serial_number", flat=True)
    )


def test_pasted_serial_numbers_are_added_once(login, personas) -> None:
    client = login(personas.admin)
    response = client.post(ADD, {"serial_numbers": "C02-A\n  C02-B \n\nC02-A, C02-C;C02-D\n"})
    assert response.status_code == 302
    assert _serials(personas.tenant) == ["C02-A", "C02-B", "C02-C", "C02-D"]
    client.post(ADD, {"serial_numbers": "C02-A\nC02-E"})
    assert _serials(personas.tenant) == ["C02-A", "C02-B", "C02-C", "C02-D", "C02-E"]
    added = AuditEvent.objects.filter(action=Action.CORPORATE_IDENTIFIER_ADDED)
    assert sorted(added.values_list("target_label", flat=True)) == _serials(personas.tenant)
    assert "1 added, 1 already listed." in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [(" \n, ", "Paste at least one serial number."), ("X" * 129, "Too long (at most 128")],
)
def test_a_bad_paste_is_a_400_and_adds_nothing(login, personas, text, message) -> None:
    response = login(personas.admin).post(ADD, {"serial_numbers": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CorporateIdentifier.objects.exists()


def test_removing_a_corporate_identifier(login, personas) -> None:
    client = login(personas.admin)
    client.post(ADD, {"serial_numbers": "C02-A\nC02-B"})
    listed = CorporateIdentifier.objects.get(serial_number="C02-A")
    assert client.post(f"/enrollment/corporate/{listed.pk}/remove/").status_code == 302
    assert _serials(personas.tenant) == ["C02-B"]
    event = AuditEvent.objects.get(action=Action.CORPORATE_IDENTIFIER_REMOVED)
    assert (event.actor, event.target_label) == (personas.admin, "C02-A")


def test_corporate_identifiers_need_enrollment_update(login, personas) -> None:
    login(personas.admin).post(ADD, {"serial_numbers": "C02-A"})
    listed = CorporateIdentifier.objects.get()
    client = login(personas.helpdesk)
    assert "C02-A" in client.get(LIST).content.decode()
    assert client.post(ADD, {"serial_numbers": "C02-B"}).status_code == 403
    assert client.post(f"/enrollment/corporate/{listed.pk}/remove/").status_code == 403
    outsider = login(personas.outsider)
    assert outsider.post(f"/enrollment/corporate/{listed.pk}/remove/").status_code == 404
    outsider.post(ADD, {"serial_numbers": "C02-THEIRS"})
    assert _serials(personas.tenant) == ["C02-A"]
    assert _serials(personas.other_tenant) == ["C02-THEIRS"]


def test_a_listed_serial_number_passes_a_block_on_personal_devices(
    login, personas, enrollment
) -> None:
    enrollment.default.block_personal = True
    enrollment.default.save()
    attempt = EnrollmentAttempt(
        method="user",
        agent_version="1.2.0",
        tenant=personas.tenant,
        user=personas.amsterdam_user,
        device=DeviceFacts(
            device_name="LAPTOP", operating_system="macOS", os_version="14.5", serial_number="C02-A"
        ),
    )
    with pytest.raises(EnrollmentRefused):
        device_enroll(attempt=attempt)
    login(personas.admin).post(ADD, {"serial_numbers": "C02-A"})
    assert device_enroll(attempt=attempt).device.owner_type == "company"
