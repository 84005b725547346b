"""In Chromium, under the portal's Content-Security-Policy: the operator sends an action from the
device page and the section refreshes in place (htmx); a wipe asks first; a pending action is
canceled in place."""

from __future__ import annotations

import pytest

from deskside.fleet.models import DeviceAction
from deskside.fleet.tests.action_helpers import make_devices


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_operator_sends_and_cancels_actions_in_place(
    page, live_server, personas
) -> None:
    from playwright.sync_api import expect

    from deskside.browser_fixtures import sign_in
    from deskside.conftest import PASSWORD

    anton = make_devices(personas).anton
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    sign_in(page, live_server.url, personas.helpdesk.email, PASSWORD)
    page.goto(f"{live_server.url}/devices/{anton.pk}/")
    section = page.locator("#device-actions")
    section.get_by_role("button", name="Lock", exact=True).click()
    expect(section.get_by_role("status")).to_have_text("The action was sent to the device.")
    expect(section.locator("tbody tr").first).to_contain_text("Pending")
    assert DeviceAction.objects.get().action == "remoteLock"

    section.locator("summary", has_text="Wipe").click()
    expect(section.get_by_text("This cannot be undone.")).to_be_visible()
    section.get_by_role("button", name="Yes: Wipe").click()
    expect(section.get_by_text("Wipe pending")).to_be_visible()
    assert set(DeviceAction.objects.values_list("action", flat=True)) == {"remoteLock", "wipe"}

    section.locator("tbody tr").first.get_by_role("button", name="Cancel").click()
    expect(section.get_by_role("status")).to_have_text("The action was canceled.")
    assert DeviceAction.objects.get(action="wipe").state == "canceled"
    assert not [text for text in violations if "Content Security Policy" in text]
