"""Browser fixtures (a pytest plugin): Playwright for Python driving Debian's Chromium.

Never `playwright install`: the browser is /usr/bin/chromium from Debian's packages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # (fixtures, assertions) are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto(f"{base_url}/sign-in/")
    form = page.locator("form[action='/sign-in/']")
    form.get_by_label(re.compile("E-mail|E-mailadres|Adresse e-mail")).fill(email)
    form.get_by_label(re.compile("Password|Wachtwoord|Mot de passe")).fill(password)
    form.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in/$"))
