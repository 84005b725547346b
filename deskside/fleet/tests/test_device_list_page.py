"""The device list: scoped to the operator, searchable as you type, filtered, sorted, paginated,
with charts by compliance and OS and the devices that do not respond marked, in a bounded number
of queries at any size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deskside.fleet.models import ManagedDevice
from deskside.fleet.tests.portal_objects import device

URL = "/devices/"


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item.device_name for item in response.context["page"]]


def test_the_help_desk_sees_only_the_devices_of_its_amsterdam_scope(login, fleet) -> None:
    names = _names(login(fleet.helpdesk).get(URL))
    assert names == ["AMS-01", "AMS-KIOSK"]


def test_an_administrator_sees_every_device_of_the_tenant_and_no_other(login, fleet) -> None:
    names = _names(login(fleet.admin).get(URL))
    assert names == ["AMS-01", "AMS-KIOSK", "LYON-01", "WAREHOUSE-SCANNER"]


def test_a_scope_of_all_users_covers_devices_with_a_user_only(login, fleet) -> None:
    assert _names(login(fleet.reader).get(URL)) == ["AMS-01", "LYON-01"]


def test_the_columns_show_the_devices_facts(login, fleet) -> None:
    response = login(fleet.admin).get(URL)
    row = response.content.decode().split("LYON-01")[1].split("</tr>")[0]
    for text in ("Louise Lyon", "Deskside agent", "Personal", "Not compliant", "Windows"):
        assert text in row
    assert "10.0.22631" in row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lyon-0", ["LYON-01"]),
        ("pf-ams", ["AMS-01"]),
        ("anton", ["AMS-01"]),
        ("LYON@", ["LYON-01"]),
    ],
)
def test_search_matches_name_serial_number_and_user(login, fleet, text, expected) -> None:
    assert _names(login(fleet.admin).get(URL, {"q": text})) == expected


def test_a_search_as_you_type_gets_only_the_results_partial(login, fleet) -> None:
    response = login(fleet.admin).get(URL, {"q": "ams"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<table>" in body
    assert "AMS-01" in body and "LYON-01" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"os": "Windows"}, ["LYON-01"]),
        ({"compliance": "compliant"}, ["AMS-01"]),
        ({"ownership": "personal"}, ["LYON-01"]),
        ({"os": "Linux", "ownership": "unknown"}, ["AMS-KIOSK", "WAREHOUSE-SCANNER"]),
    ],
)
def test_filters_narrow_the_list(login, fleet, params, expected) -> None:
    assert _names(login(fleet.admin).get(URL, params)) == expected


def test_an_unknown_filter_value_is_a_400_that_names_the_field(login, fleet) -> None:
    response = login(fleet.admin).get(URL, {"os": "Amiga"})
    assert response.status_code == 400
    assert "OS: Select a valid choice" in response.content.decode()


def test_sorting_by_a_column_and_back(login, fleet) -> None:
    ManagedDevice.objects.filter(device_name="LYON-01").update(
        last_sync_at=timezone.now() - timedelta(days=2)
    )
    client = login(fleet.admin)
    oldest_first = _names(client.get(URL, {"sort": "lastCheckIn"}))
    assert oldest_first[0] == "LYON-01"
    assert _names(client.get(URL, {"sort": "-lastCheckIn"}))[-1] == "LYON-01"
    assert _names(client.get(URL, {"sort": "-name"})) == [
        "WAREHOUSE-SCANNER",
        "LYON-01",
        "AMS-KIOSK",
        "AMS-01",
    ]


def test_the_list_is_paginated(login, personas) -> None:
    for number in range(60):
        device(personas, f"PC-{number:03}", personas.amsterdam_user)
    client = login(personas.admin)
    assert len(_names(client.get(URL))) == 50
    assert _names(client.get(URL, {"page": 2})) == [f"PC-{n:03}" for n in range(50, 60)]


def test_a_device_silent_for_three_check_in_intervals_is_marked_not_responding(
    login, fleet, settings
) -> None:
    settings.DESKSIDE_CHECKIN_SECONDS = 900
    ManagedDevice.objects.filter(device_name="AMS-01").update(
        last_sync_at=timezone.now() - timedelta(minutes=46)
    )
    ManagedDevice.objects.filter(device_name="AMS-KIOSK").update(
        last_sync_at=timezone.now() - timedelta(minutes=44)
    )
    client = login(fleet.helpdesk)
    response = client.get(URL)
    rows = {item.device_name: item.is_stale for item in response.context["page"]}
    assert rows == {"AMS-01": True, "AMS-KIOSK": False}
    assert "1 not responding" in response.content.decode()
    assert _names(client.get(URL, {"stale": "on"})) == ["AMS-01"]


def test_a_device_that_never_checked_in_counts_from_its_enrollment(login, personas) -> None:
    device(personas, "NEW", personas.amsterdam_user, last_sync_at=None)
    device(
        personas,
        "FORGOTTEN",
        personas.amsterdam_user,
        last_sync_at=None,
        enrolled_at=timezone.now() - timedelta(days=30),
    )
    ManagedDevice.objects.filter(device_name="NEW").update(enrolled_at=timezone.now())
    assert _names(login(personas.admin).get(URL, {"stale": "on"})) == ["FORGOTTEN"]


def test_the_charts_count_the_operators_devices_by_compliance_and_os(login, fleet) -> None:
    response = login(fleet.admin).get(URL)
    counts = response.context["counts"]
    assert counts.by_compliance == {"compliant": 1, "noncompliant": 1, "unknown": 2}
    assert counts.by_os == {"Linux": 3, "Windows": 1}
    body = response.content.decode()
    assert "<title>Not compliant: 1</title>" in body
    assert "<title>Linux: 3</title>" in body
    assert 'href="?compliance=noncompliant"' in body
    assert "style=" not in body


def test_the_help_desks_charts_count_only_its_scope(login, fleet) -> None:
    counts = login(fleet.helpdesk).get(URL).context["counts"]
    assert (counts.total, counts.by_os) == (2, {"Linux": 2})


def _populate(personas, count: int) -> None:  # type: ignore[no-untyped-def]
    ManagedDevice.objects.bulk_create(
        ManagedDevice(
            tenant=personas.tenant,
            device_name=f"BULK-{number:04}",
            operating_system=("Linux", "Windows", "macOS")[number % 3],
            compliance_state=("compliant", "noncompliant")[number % 2],
            primary_user=(personas.amsterdam_user, personas.lyon_user)[number % 2],
            last_sync_at=timezone.now() - timedelta(hours=number % 5),
        )
        for number in range(count)
    )


@pytest.mark.parametrize("count", [3, 400])
def test_the_list_reads_a_bounded_number_of_queries_at_any_size(
    login, personas, django_assert_max_num_queries, count
) -> None:
    _populate(personas, count)
    client = login(personas.helpdesk)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"q": "bulk", "sort": "-lastCheckIn"})
    assert response.status_code == 200
    assert len(response.context["page"]) == min(50, (count + 1) // 2)
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"q": "bulk"}, HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_list_narrows_as_the_operator_types(page, live_server, fleet) -> None:
    import re

    from playwright.sync_api import expect

    from deskside.browser_fixtures import sign_in
    from deskside.conftest import PASSWORD

    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    sign_in(page, live_server.url, fleet.helpdesk.email, PASSWORD)
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="All devices").click()
    results = page.locator("#device-results")
    expect(results.get_by_role("link", name="AMS-KIOSK")).to_be_visible()
    page.get_by_label("Search by name, serial number or user").fill("pf-ams")
    expect(results.get_by_role("link", name="AMS-KIOSK")).to_have_count(0)
    expect(results.get_by_role("link", name="AMS-01")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=pf-ams"))
    page.get_by_role("link", name="AMS-01").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AMS-01")
    assert not [text for text in violations if "Content Security Policy" in text]
