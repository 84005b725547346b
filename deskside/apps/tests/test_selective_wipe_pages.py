"""The portal's selective wipe: from a registration to the confirmation page (the apps it will
reach), the request, the list of wipes with each app's state, and cancel; who may do what; and,
in Chromium under the portal's CSP, the whole path clicked through."""

from __future__ import annotations

import pytest
from django.utils import timezone

from deskside.apps.models import AppRegistration, AppWipeRequest
from deskside.apps.wipes import app_wipe_request
from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.models import User

WIPES = "/apps/protection/wipe-requests/"
CONFIRM = "/apps/protection/wipe-requests/new/"


def _register(user: User, app: str, name: str, tag: str = "tag-pixel") -> AppRegistration:
    return AppRegistration.objects.create(
        tenant=user.tenant,
        user=user,
        app_identifier=app,
        app_name=name,
        device_tag=tag,
        device_name=f"{user.display_name}'s phone",
        platform="Android",
        last_sync_at=timezone.now(),
    )


@pytest.fixture
def anton(personas) -> User:  # type: ignore[no-untyped-def]
    """Anton (Amsterdam) with Outlook and Teams on his phone."""
    _register(personas.amsterdam_user, "com.microsoft.outlook", "Outlook")
    _register(personas.amsterdam_user, "com.microsoft.teams", "Teams")
    return personas.amsterdam_user


def test_the_registration_list_offers_the_wipe_to_those_who_may(login, personas, anton) -> None:
    admin_page = login(personas.admin).get("/apps/protection/registrations/").content.decode()
    helpdesk_page = login(personas.helpdesk).get("/apps/protection/registrations/")

    assert f"{CONFIRM}?user={anton.pk}&amp;device=tag-pixel" in admin_page
    assert helpdesk_page.status_code == 200
    assert "Wipe app data" not in helpdesk_page.content.decode()


def test_the_operator_confirms_then_asks_for_the_wipe(client, login, personas, anton) -> None:
    login(personas.admin)
    confirm = client.get(CONFIRM, {"user": anton.pk, "device": "tag-pixel"})
    assert confirm.status_code == 200
    assert [r.app_name for r in confirm.context["candidates"]] == ["Outlook", "Teams"]
    assert not AppWipeRequest.objects.exists()  # looking asks for nothing

    response = client.post(CONFIRM, {"user": anton.pk, "device": "tag-pixel"}, follow=True)

    assert response.redirect_chain == [(WIPES, 302)]
    wipe = AppWipeRequest.objects.get()
    assert (wipe.user, wipe.requested_by, wipe.state) == (anton, personas.admin, "pending")
    page = response.content.decode()
    assert "The apps will wipe their data when they next check in." in page
    assert "Anton Amsterdam&#x27;s phone" in page and "Cancel wipe" in page
    assert AuditEvent.objects.filter(action=Action.APP_WIPE_REQUESTED).count() == 1


def test_a_second_request_and_bad_input_are_refused_with_a_message(
    client, login, personas, anton
) -> None:
    login(personas.admin)
    client.post(CONFIRM, {"user": anton.pk, "device": "tag-pixel"})

    twice = client.post(CONFIRM, {"user": anton.pk, "device": "tag-pixel"})
    assert twice.status_code == 409
    assert "already pending" in twice.content.decode()
    incomplete = client.get(CONFIRM, {"user": anton.pk})
    assert incomplete.status_code == 400
    assert "Choose the user and device" in incomplete.content.decode()
    assert client.get(CONFIRM, {"user": "x", "device": "tag-pixel"}).status_code == 400
    assert client.get(CONFIRM, {"user": anton.pk, "device": "tag-none"}).status_code == 404
    assert client.post(CONFIRM, {"user": anton.pk, "device": "tag-none"}).status_code == 422
    assert AppWipeRequest.objects.count() == 1


def test_only_holders_of_managed_apps_wipe_in_scope_may_ask(client, login, personas, anton) -> None:
    louise = personas.lyon_user
    _register(louise, "com.microsoft.outlook", "Outlook", "tag-louise")

    login(personas.helpdesk)  # ManagedApps.Read only
    assert client.post(CONFIRM, {"user": anton.pk, "device": "tag-pixel"}).status_code == 403
    login(personas.outsider)  # administrator of another tenant
    assert client.post(CONFIRM, {"user": anton.pk, "device": "tag-pixel"}).status_code == 404
    assert client.get(CONFIRM, {"user": louise.pk, "device": "tag-louise"}).status_code == 404
    assert not AppWipeRequest.objects.exists()


def test_the_list_shows_each_apps_state_and_cancels(client, login, personas, anton) -> None:
    wipe = app_wipe_request(user=anton, device_tag="tag-pixel", actor=personas.admin)

    helpdesk_page = login(personas.helpdesk).get(WIPES)
    assert [w.pk for w in helpdesk_page.context["page"]] == [wipe.pk]
    assert "Cancel wipe" not in helpdesk_page.content.decode()
    assert client.post(f"{WIPES}{wipe.pk}/cancel/").status_code == 403
    login(personas.outsider)
    assert client.post(f"{WIPES}{wipe.pk}/cancel/").status_code == 404
    assert client.get(WIPES).context["page"].object_list == []

    login(personas.admin)
    response = client.post(f"{WIPES}{wipe.pk}/cancel/", follow=True)

    assert "The wipe was canceled." in response.content.decode()
    wipe.refresh_from_db()
    assert wipe.state == "canceled"
    assert set(wipe.targets.values_list("state", flat=True)) == {"canceled"}
    again = client.post(f"{WIPES}{wipe.pk}/cancel/", follow=True)
    assert "Only a pending wipe can be canceled." in again.content.decode()
    assert [w.pk for w in client.get(WIPES, {"state": "canceled"}).context["page"]] == [wipe.pk]
    assert list(client.get(WIPES, {"state": "pending"}).context["page"]) == []


def test_the_list_reads_a_bounded_number_of_queries(
    client, login, personas, django_assert_max_num_queries
) -> None:
    for index in range(12):
        user = personas.amsterdam_user if index % 2 else personas.lyon_user
        _register(user, "com.microsoft.outlook", "Outlook", f"tag-{index}")
        _register(user, "com.microsoft.teams", "Teams", f"tag-{index}")
        app_wipe_request(user=user, device_tag=f"tag-{index}", actor=personas.admin)
    login(personas.admin)

    with django_assert_max_num_queries(10):
        response = client.get(WIPES)

    assert len(response.context["page"]) == 12


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_operator_wipes_app_data_and_cancels(page, live_server, personas) -> None:
    from playwright.sync_api import expect

    from deskside.browser_fixtures import sign_in
    from deskside.conftest import PASSWORD

    _register(personas.amsterdam_user, "com.microsoft.outlook", "Outlook")
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, personas.admin.email, PASSWORD)

    page.goto(f"{live_server.url}/apps/protection/registrations/")
    page.get_by_role("link", name="Wipe app data").click()
    expect(page.get_by_role("heading", name="Wipe app data")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Outlook")
    page.get_by_role("button", name="Wipe app data").click()
    expect(
        page.get_by_text("The apps will wipe their data when they next check in.")
    ).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("Pending")

    page.get_by_role("button", name="Cancel wipe").click()
    expect(page.get_by_text("The wipe was canceled.")).to_be_visible()
    assert AppWipeRequest.objects.get().state == "canceled"
    assert not [text for text in violations if "Content Security Policy" in text]
