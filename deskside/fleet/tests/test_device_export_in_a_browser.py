"""In Chromium: the operator narrows the device list as they type (htmx), and the export link
follows, so the file downloaded holds the devices the list shows."""

from __future__ import annotations

import csv
import io
import re

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_export_downloads_what_the_list_shows(page, live_server, fleet) -> None:
    from playwright.sync_api import expect

    from deskside.browser_fixtures import sign_in
    from deskside.conftest import PASSWORD

    sign_in(page, live_server.url, fleet.admin.email, PASSWORD)
    page.goto(f"{live_server.url}/devices/")
    page.get_by_label("Search by name, serial number or user").fill("ams")
    results = page.locator("#device-results tbody")
    expect(results.locator("tr")).to_have_count(2)
    link = page.locator("#device-export")
    expect(link).to_have_attribute("href", re.compile(r"^/devices/export\.csv\?.*\bq=ams\b"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("devices-")
    with open(download.path(), encoding="utf-8-sig") as file:
        names = [row["Device name"] for row in csv.DictReader(io.StringIO(file.read()))]
    assert names == ["AMS-01", "AMS-KIOSK"]
