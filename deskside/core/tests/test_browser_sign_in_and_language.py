"""In a real browser: an administrator signs in, switches to Dutch and French, and opens the role
assignments; the help desk operator's menu holds only their pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from deskside.browser_fixtures import sign_in
from deskside.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_signs_in_switches_language_and_opens_role_assignments(
    page: Page, live_server, personas
) -> None:
    sign_in(page, live_server.url, personas.admin.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Ada Admin")
    page.wait_for_load_state("load")

    page.get_by_label("Language").select_option("nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom, Ada Admin")
    page.get_by_role("link", name="Roltoewijzingen").click()
    expect(page).to_have_url(re.compile(r"/access/assignments/$"))
    expect(page.get_by_role("cell", name="Help desk Amsterdam")).to_be_visible()
    # The switcher submits from app.js (deferred): wait until it runs before changing it.
    page.wait_for_load_state("load")

    page.get_by_label("Taal").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attributions de rôles")

    personas.admin.refresh_from_db()
    assert personas.admin.preferred_language == "fr"


def test_the_help_desk_operator_sees_only_the_pages_of_their_role(
    page: Page, live_server, personas
) -> None:
    sign_in(page, live_server.url, personas.helpdesk.email, PASSWORD)
    menu = page.get_by_role("navigation", name="Portal")
    expect(menu.get_by_role("link", name="Users")).to_be_visible()
    expect(menu.get_by_role("link", name="Audit log")).to_be_visible()
    expect(menu.get_by_role("link", name="Role assignments")).to_have_count(0)
    response = page.goto(f"{live_server.url}/access/assignments/")
    assert response is not None and response.status == 403


def test_an_unlicensed_operator_is_told_why_the_portal_is_refused(
    page: Page, live_server, personas
) -> None:
    sign_in(page, live_server.url, personas.unlicensed.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot use the portal without a licence"
    )


def test_the_pages_raise_no_content_security_policy_violation(
    page: Page, live_server, personas
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, live_server.url, personas.admin.email, PASSWORD)
    for path in ("/", "/access/assignments/", "/directory/users/", "/audit/"):
        page.goto(f"{live_server.url}{path}")
    assert violations == []
