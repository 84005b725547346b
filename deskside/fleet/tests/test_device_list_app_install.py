"""The device list's "App install" column (troubleshooting reference): a failure with the number
of apps that failed, or success, counted over the apps assigned to the device for its platform,
for the devices in the operator's MobileApps.Read scope; the export carries the numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import timezone

from deskside.apps.models import DeviceAppState, MobileApp
from deskside.apps.tests.helpers import debian, ios
from deskside.fleet.tests.portal_objects import device, grant

URL = "/devices/"


def _state(device_name: str, personas: Any, app: MobileApp, state: str, intent: str = "required"):  # type: ignore[no-untyped-def]
    return DeviceAppState.objects.create(
        device=device(personas, device_name),
        app=app,
        intent=intent,
        install_state=state,
        last_modified_at=timezone.now(),
    )


@pytest.fixture
def installs(fleet):  # type: ignore[no-untyped-def]
    """AMS-01: two failures (install, uninstall) and one installed app; AMS-KIOSK: installed;
    WAREHOUSE-SCANNER: only an unassigned failure and an iOS app's failure (not its platform);
    LYON-01 (Windows): nothing."""
    vlc, gimp, curl = (
        debian(fleet.tenant, name, package)
        for name, package in (("VLC", "vlc"), ("GIMP", "gimp"), ("curl", "curl"))
    )
    _state("AMS-01", fleet, vlc, "failed")
    _state("AMS-01", fleet, gimp, "uninstallFailed", intent="uninstall")
    _state("AMS-01", fleet, curl, "installed")
    _state("AMS-KIOSK", fleet, curl, "installed")
    _state("WAREHOUSE-SCANNER", fleet, vlc, "failed", intent="")
    _state("WAREHOUSE-SCANNER", fleet, ios(fleet.tenant), "failed")
    return fleet


def _cells(response: Any) -> dict[str, str]:
    """Each row's "App install" cell, by device name."""
    assert response.status_code == 200
    return {
        device.device_name: _cell(response.content.decode(), device.device_name)
        for device in response.context["page"]
    }


def _cell(html: str, name: str) -> str:
    row = html.split(f">{name}</a>")[1].split("</tr>")[0]
    return row.split("<td>")[6].split("</td>")[0]


def test_the_column_shows_failures_with_their_number_or_success(login, installs) -> None:
    response = login(installs.admin).get(URL)
    assert "App install" in response.content.decode()
    cells = _cells(response)
    assert "Failure: 2 apps" in cells["AMS-01"]
    assert f'href="/devices/{device(installs, "AMS-01").pk}/#device-apps"' in cells["AMS-01"]
    assert "Success" in cells["AMS-KIOSK"]
    assert "—" in cells["WAREHOUSE-SCANNER"], "unassigned and other-platform states do not count"
    assert "—" in cells["LYON-01"]


def test_an_operator_without_mobile_apps_read_gets_no_column(login, installs) -> None:
    grant(installs, installs.nobody, ["ManagedDevices.Read"])
    page = login(installs.nobody).get(URL).content.decode()
    assert "AMS-01" in page
    assert "App install" not in page and "Failure:" not in page


def test_devices_outside_the_apps_scope_show_no_result(login, installs) -> None:
    """Device reads over everyone, app reads over the Lyon group only: AMS-01's failures stay
    hidden."""
    grant(installs, installs.nobody, ["ManagedDevices.Read"], name="Devices")
    grant(installs, installs.nobody, ["MobileApps.Read"], scope_groups=[installs.lyon], name="Apps")
    cells = _cells(login(installs.nobody).get(URL))
    assert "—" in cells["AMS-01"] and "Failure" not in cells["AMS-01"]


def test_the_export_carries_the_numbers(login, installs) -> None:
    response = login(installs.admin).get("/devices/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["Device name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert (rows["AMS-01"]["Apps failed"], rows["AMS-01"]["Apps installed"]) == ("2", "1")
    assert (rows["AMS-KIOSK"]["Apps failed"], rows["AMS-KIOSK"]["Apps installed"]) == ("0", "1")
    assert rows["LYON-01"]["Apps failed"] == "0"


def test_the_column_costs_no_query(login, installs, django_assert_max_num_queries) -> None:
    client = login(installs.admin)
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
