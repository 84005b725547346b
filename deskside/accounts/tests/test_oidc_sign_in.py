"""Signing in through the tenant's identity provider: a real node-oidc-provider, a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from deskside.accounts.models import IdentityProvider
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.oidc, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(personas, oidc_server) -> IdentityProvider:  # type: ignore[no-untyped-def]
    return IdentityProvider.objects.create(
        tenant=personas.tenant,
        display_name="Lakeside ID",
        issuer=oidc_server.issuer,
        client_id=oidc_server.client_id,
        client_secret=oidc_server.client_secret,
    )


def _start(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in/")
    form = page.locator("#sso-form")
    form.get_by_label("Work e-mail address").fill(email)
    form.locator("button[type=submit]").click()


def _provider_login(page: Page, login: str) -> None:
    """node-oidc-provider's development pages: sign in with any name, then consent."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # consent


def test_a_user_signs_in_through_the_provider(page: Page, live_server, personas, provider) -> None:
    _start(page, live_server.url, "helpdesk@lakeside.test")
    _provider_login(page, "helpdesk@lakeside.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Hugo Helpdesk")
    event = AuditEvent.objects.filter(action=Action.SIGN_IN, actor=personas.helpdesk).get()
    assert event.details == {"method": "oidc"}


def test_a_person_the_tenant_does_not_know_is_refused(
    page: Page, live_server, personas, provider
) -> None:
    _start(page, live_server.url, "helpdesk@lakeside.test")
    _provider_login(page, "stranger@lakeside.test")
    expect(page.locator("#sso-form .errors")).to_contain_text("this tenant has no such user")
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN).exists()
    failure = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).get()
    assert failure.details == {"method": "oidc", "reason": "unknownUser"}
    assert failure.tenant == personas.tenant


def test_a_user_of_another_tenant_cannot_sign_in_through_this_tenants_provider(
    page: Page, live_server, personas, provider
) -> None:
    _start(page, live_server.url, "helpdesk@lakeside.test")
    _provider_login(page, personas.outsider.email)
    expect(page.locator("#sso-form .errors")).to_be_visible()
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN).exists()


def test_an_unverified_address_is_refused(page: Page, live_server, personas, provider) -> None:
    _start(page, live_server.url, "helpdesk@lakeside.test")
    _provider_login(page, "unverified-helpdesk@lakeside.test")
    expect(page.locator("#sso-form .errors")).to_contain_text("did not succeed")
    assert AuditEvent.objects.get(action=Action.SIGN_IN_FAILED).details["reason"] == (
        "emailNotVerified"
    )


def test_a_tampered_state_is_refused(page: Page, live_server, personas, provider) -> None:
    _start(page, live_server.url, "helpdesk@lakeside.test")
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/interaction/"))
    page.goto(f"{live_server.url}/sign-in/organization/callback/?code=forged&state=forged")
    expect(page.locator("#sso-form .errors")).to_contain_text("did not succeed")
    assert AuditEvent.objects.get(action=Action.SIGN_IN_FAILED).details["reason"] == "stateMismatch"


def test_an_address_whose_tenant_has_no_provider_is_told_so(
    page: Page, live_server, personas
) -> None:
    _start(page, live_server.url, "someone@elsewhere.test")
    expect(page.locator("#sso-form .errors")).to_contain_text("has not set up signing in")
