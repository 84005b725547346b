"""The device list's CSV export: a report (ManagedDevices.ViewReports) over the devices the
operator may read and report on, with the list's filters and order, safe to open in a
spreadsheet, in the operator's language, audited, in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.fleet.selectors import DEVICE_REPORTS
from deskside.fleet.tests.portal_objects import device, grant

URL = "/devices/export.csv"


def _rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "a byte order mark, so spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


def _names(response: Any) -> list[str]:
    return [row["Device name"] for row in _rows(response)]


def test_an_administrator_gets_every_device_of_the_tenant_and_no_other(login, fleet) -> None:
    response = login(fleet.admin).get(URL)
    assert _names(response) == ["AMS-01", "AMS-KIOSK", "LYON-01", "WAREHOUSE-SCANNER"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="devices-')
    assert disposition.endswith('.csv"')


def test_the_row_holds_the_list_columns_and_the_facts_behind_them(login, fleet) -> None:
    lyon = device(fleet, "LYON-01")
    lyon.serial_number, lyon.is_encrypted, lyon.free_storage_bytes = "SN-L1", False, 12_345
    lyon.save()
    row = next(r for r in _rows(login(fleet.admin).get(URL)) if r["Device name"] == "LYON-01")
    assert row["Device id"] == str(lyon.pk)
    assert row["Primary user"] == "Louise Lyon"
    assert row["Primary user e-mail"] == fleet.lyon_user.email
    assert row["Managed by"] == "Deskside agent"
    assert row["Ownership"] == "Personal"
    assert row["Compliance"] == "Not compliant"
    assert (row["OS"], row["OS version"]) == ("Windows", "10.0.22631")
    assert (row["Serial number"], row["Encrypted"]) == ("SN-L1", "No")
    assert (row["Firewall on"], row["Free storage (bytes)"]) == ("Unknown", "12345")
    assert row["Last check-in"].endswith("+00:00")
    assert row["Not responding"] == "No"


def test_the_list_filters_and_order_apply(login, fleet) -> None:
    client = login(fleet.admin)
    assert _names(client.get(URL, {"os": "Windows"})) == ["LYON-01"]
    assert _names(client.get(URL, {"q": "ams", "sort": "-name"})) == ["AMS-KIOSK", "AMS-01"]


def test_a_bad_filter_is_a_400_that_names_it_and_nothing_is_audited(login, fleet) -> None:
    response = login(fleet.admin).get(URL, {"os": "Plan9", "sort": "colour"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "OS: Select a valid choice." in text and "Sort: Select a valid choice." in text
    assert not AuditEvent.objects.filter(action=Action.DEVICES_EXPORTED).exists()


def test_operators_without_reports_are_refused_and_see_no_export_link(login, fleet) -> None:
    for persona in (fleet.helpdesk, fleet.reader):
        client = login(persona)
        assert client.get(URL).status_code == 403
        assert b"device-export" not in client.get("/devices/").content


def test_the_list_links_to_the_export_of_what_it_shows(login, fleet) -> None:
    page = login(fleet.admin).get("/devices/", {"os": "Windows", "page": "1"}).content.decode()
    assert 'id="device-export" href="/devices/export.csv?os=Windows"' in page


def test_reports_over_everyone_still_cover_only_the_devices_the_operator_may_read(
    login, fleet
) -> None:
    grant(fleet, fleet.helpdesk, [DEVICE_REPORTS])
    assert _names(login(fleet.helpdesk).get(URL)) == ["AMS-01", "AMS-KIOSK"]


def test_reads_over_everyone_cover_only_the_devices_the_reports_scope_reaches(login, fleet) -> None:
    """The reader reads the devices of all users; its reports reach the Amsterdam group only
    (and AMS-KIOSK has no user, so the reader may not read it)."""
    grant(fleet, fleet.reader, [DEVICE_REPORTS], scope_groups=[fleet.amsterdam])
    assert _names(login(fleet.reader).get(URL)) == ["AMS-01"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_is_kept_as_text(login, fleet, start: str) -> None:
    device(fleet, f'{start}HYPERLINK("http://evil")', fleet.amsterdam_user, model=f"{start}1+1")
    rows = _rows(login(fleet.admin).get(URL, {"q": "HYPERLINK"}))
    assert rows[0]["Device name"] == f'\'{start}HYPERLINK("http://evil")'
    assert rows[0]["Model"] == f"'{start}1+1"


def test_the_export_is_audited_with_its_filters_and_size(login, fleet) -> None:
    login(fleet.admin).get(URL, {"os": "Linux", "q": " ams ", "sort": "-name"})
    event = AuditEvent.objects.get(action=Action.DEVICES_EXPORTED)
    assert event.actor == fleet.admin and event.tenant == fleet.tenant
    assert event.details == {"filters": {"os": "Linux", "q": "ams", "sort": "-name"}, "devices": 2}


def test_the_header_and_labels_are_in_the_operators_language(client: Client, fleet) -> None:
    fleet.admin.preferred_language = "nl"
    fleet.admin.save()
    client.force_login(fleet.admin, backend="deskside.accounts.backends.DirectoryBackend")
    rows = _rows(client.get(URL, {"os": "Windows"}))
    assert rows[0]["Apparaatnaam"] == "LYON-01"
    assert rows[0]["Eigendom"] == "Persoonlijk"


def test_a_large_export_takes_nine_queries_and_one_a_chunk(
    login, fleet, django_assert_num_queries, monkeypatch
) -> None:
    """Session, user, access (two), count, audit (three with its savepoint), the rows; and the
    app install counts once per chunk of rows."""
    from deskside.fleet import export
    from deskside.fleet.models import ManagedDevice

    monkeypatch.setattr(export, "CHUNK_ROWS", 100)
    now = timezone.now()
    ManagedDevice.objects.bulk_create(
        ManagedDevice(
            tenant=fleet.tenant,
            device_name=f"BULK-{n:04}",
            operating_system="Linux",
            primary_user=fleet.lyon_user,
            last_sync_at=now,
        )
        for n in range(300)
    )
    client = login(fleet.admin)
    with django_assert_num_queries(9 + 4):
        rows = _rows(client.get(URL))
    assert len(rows) == 304
