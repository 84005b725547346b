"""Selective wipe of protected app data through the API, end to end: an operator asks for it
(``POST /api/v1/app-protection/wipe-requests``), each protected app of the user on that device
receives it in the answer to its next check-in (real OAuth 2.0 access tokens), reports what it
did, and the request and its apps show the outcome. Denials, refusals and cancel are proved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deskside.apps.models import AppRegistration, AppWipeRequest, AppWipeTarget
from deskside.apps.tests.helpers import access_token
from deskside.audit.choices import Action, Outcome
from deskside.audit.models import AuditEvent

WIPES = "/api/v1/app-protection/wipe-requests"
REGISTRATIONS = "/api/v1/app-protection/registrations"
OUTLOOK = "com.microsoft.outlook"
TEAMS = "com.microsoft.teams"
PIXEL = "tag-anton-pixel"

pytestmark = pytest.mark.usefixtures("protected_apps_client")


def _registration(**changes: Any) -> dict[str, Any]:
    return {
        "appIdentifier": OUTLOOK,
        "appName": "Outlook",
        "appVersion": "4.2405.0",
        "deviceTag": PIXEL,
        "deviceName": "Anton's Pixel",
        "deviceType": "Pixel 8",
        "platform": "Android",
        "platformVersion": "14",
        **changes,
    }


def _as_app(client: Client, token: str, url: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def _check_in(client: Client, token: str, **changes: Any) -> dict[str, Any]:
    response = _as_app(client, token, REGISTRATIONS, _registration(**changes))
    assert response.status_code in (200, 201), response.content
    answer: dict[str, Any] = response.json()
    return answer


def _report(client: Client, token: str, wipe_id: int, app: str, state: str, detail: str = ""):  # type: ignore[no-untyped-def]
    body = {"appIdentifier": app, "state": state, "detail": detail}
    return _as_app(client, token, f"{WIPES}/{wipe_id}/result", body)


@pytest.fixture
def anton(client, personas) -> str:  # type: ignore[no-untyped-def]
    """Anton's access token, with Outlook and Teams registered on his Pixel (and Outlook on his
    iPad, another device)."""
    token = access_token(client, personas.amsterdam_user)
    _check_in(client, token)
    _check_in(client, token, appIdentifier=TEAMS, appName="Teams")
    _check_in(client, token, deviceTag="tag-anton-ipad", deviceName="Anton's iPad", platform="iOS")
    return token


def _request(client: Client, user_id: int, device_tag: str = PIXEL):  # type: ignore[no-untyped-def]
    return client.post(
        WIPES, {"userId": user_id, "deviceTag": device_tag}, content_type="application/json"
    )


def test_a_wipe_reaches_each_app_at_its_check_in_and_ends_when_all_reported(
    client, personas, login, anton
) -> None:
    login(personas.admin)
    response = _request(client, personas.amsterdam_user.pk)

    assert response.status_code == 201, response.content
    wipe = response.json()
    assert (wipe["userPrincipalName"], wipe["deviceName"], wipe["state"]) == (
        personas.amsterdam_user.email,
        "Anton's Pixel",
        "pending",
    )
    assert wipe["requestedBy"] == personas.admin.email
    assert [(a["appIdentifier"], a["state"], a["deliveredDateTime"]) for a in wipe["apps"]] == [
        (OUTLOOK, "pending", None),
        (TEAMS, "pending", None),
    ]

    # Outlook checks in on the Pixel and is told to wipe, with where to report; on the iPad not.
    order = _check_in(client, anton)["wipe"]
    assert order["wipeRequestId"] == wipe["id"]
    assert order["resultUrl"] == f"http://testserver{WIPES}/{wipe['id']}/result"
    assert _check_in(client, anton, deviceTag="tag-anton-ipad", platform="iOS")["wipe"] is None
    # Until it reports, every check-in repeats the order (the app may have missed an answer).
    assert _check_in(client, anton)["wipe"]["wipeRequestId"] == wipe["id"]

    reported = _report(client, anton, wipe["id"], OUTLOOK, "succeeded")
    assert reported.status_code == 200, reported.content
    assert reported.json()["state"] == "succeeded"
    # Its data and sign-in are gone, and so is its registration; Teams has not reported yet.
    assert not AppRegistration.objects.filter(app_identifier=OUTLOOK, device_tag=PIXEL).exists()
    assert AppWipeRequest.objects.get().state == "pending"

    assert _check_in(client, anton, appIdentifier=TEAMS, appName="Teams")["wipe"] is not None
    failed = _report(client, anton, wipe["id"], TEAMS, "failed", "Files open in another app")
    assert failed.status_code == 200, failed.content

    done = client.get(f"{WIPES}/{wipe['id']}").json()
    assert done["state"] == "failed"
    assert done["completedDateTime"] is not None
    assert {a["appIdentifier"]: (a["state"], a["detail"]) for a in done["apps"]} == {
        OUTLOOK: ("succeeded", ""),
        TEAMS: ("failed", "Files open in another app"),
    }
    # Teams keeps its registration (its wipe failed), Outlook on the iPad was never touched.
    assert set(AppRegistration.objects.values_list("app_identifier", "device_tag")) == {
        (TEAMS, PIXEL),
        (OUTLOOK, "tag-anton-ipad"),
    }
    events = AuditEvent.objects.filter(target_type="apps.appwiperequest").order_by("id")
    assert [(e.action, e.outcome, e.actor_id) for e in events] == [
        (Action.APP_WIPE_REQUESTED, Outcome.SUCCESS, personas.admin.pk),
        (Action.APP_WIPE_REPORTED, Outcome.SUCCESS, personas.amsterdam_user.pk),
        (Action.APP_WIPE_REPORTED, Outcome.FAILURE, personas.amsterdam_user.pk),
    ]


def test_an_app_that_registers_while_the_wipe_is_pending_joins_it(
    client, personas, login, anton
) -> None:
    login(personas.admin)
    wipe_id = _request(client, personas.amsterdam_user.pk).json()["id"]

    order = _check_in(client, anton, appIdentifier="com.microsoft.onedrive", appName="OneDrive")

    assert order["wipe"]["wipeRequestId"] == wipe_id
    apps = client.get(f"{WIPES}/{wipe_id}").json()["apps"]
    assert [a["appName"] for a in apps] == ["OneDrive", "Outlook", "Teams"]


def test_reporting_again_is_harmless_and_a_different_report_is_refused(
    client, personas, login, anton
) -> None:
    login(personas.admin)
    wipe_id = _request(client, personas.amsterdam_user.pk).json()["id"]
    _check_in(client, anton)

    assert _report(client, anton, wipe_id, OUTLOOK, "failed", "busy").status_code == 200
    assert _report(client, anton, wipe_id, OUTLOOK, "failed", "busy").status_code == 200
    changed = _report(client, anton, wipe_id, OUTLOOK, "succeeded")

    assert changed.status_code == 409
    assert changed.json()["detail"] == "state: This app already reported this wipe."
    assert AuditEvent.objects.filter(action=Action.APP_WIPE_REPORTED).count() == 1


def test_an_app_cannot_report_a_wipe_it_did_not_receive_or_of_another_user(
    client, personas, login, anton
) -> None:
    login(personas.admin)
    wipe_id = _request(client, personas.amsterdam_user.pk).json()["id"]

    not_received = _report(client, anton, wipe_id, OUTLOOK, "succeeded")
    assert not_received.status_code == 422
    assert not_received.json()["detail"].startswith("appIdentifier: ")

    louise = access_token(client, personas.lyon_user)
    other_user = _report(client, louise, wipe_id, OUTLOOK, "succeeded")
    assert other_user.status_code == 404
    assert _report(client, "not-a-token", wipe_id, OUTLOOK, "succeeded").status_code == 401
    bad = _as_app(client, anton, f"{WIPES}/{wipe_id}/result", {"appIdentifier": OUTLOOK})
    assert bad.status_code == 422
    assert "state" in bad.content.decode()
    assert AppWipeTarget.objects.filter(state="pending").count() == 2


def test_requests_are_refused_with_what_was_wrong(client, personas, login, anton) -> None:
    login(personas.admin)

    nothing_there = _request(client, personas.amsterdam_user.pk, "tag-unknown")
    assert nothing_there.status_code == 422
    assert nothing_there.json()["detail"] == (
        "deviceTag: No protected app of this user is registered on this device."
    )
    assert _request(client, personas.amsterdam_user.pk).status_code == 201
    twice = _request(client, personas.amsterdam_user.pk)
    assert twice.status_code == 409
    assert twice.json()["detail"].startswith("deviceTag: A wipe")
    unknown_field = client.post(
        WIPES,
        {"userId": personas.amsterdam_user.pk, "deviceTag": PIXEL, "apps": [OUTLOOK]},
        content_type="application/json",
    )
    assert unknown_field.status_code == 422
    assert "apps" in unknown_field.content.decode()
    assert AppWipeRequest.objects.count() == 1


def test_cancel_stops_the_apps_not_yet_reached(client, personas, login, anton) -> None:
    login(personas.admin)
    wipe_id = _request(client, personas.amsterdam_user.pk).json()["id"]
    _check_in(client, anton)  # Outlook received it; Teams has not checked in since.

    canceled = client.post(f"{WIPES}/{wipe_id}/cancel")

    assert canceled.status_code == 200, canceled.content
    assert canceled.json()["state"] == "canceled"
    assert {a["appIdentifier"]: a["state"] for a in canceled.json()["apps"]} == {
        OUTLOOK: "pending",
        TEAMS: "canceled",
    }
    assert _check_in(client, anton, appIdentifier=TEAMS, appName="Teams")["wipe"] is None
    # Outlook already had it: what it did is still recorded, the request stays canceled.
    assert _report(client, anton, wipe_id, OUTLOOK, "succeeded").status_code == 200
    assert AppWipeRequest.objects.get().state == "canceled"
    again = client.post(f"{WIPES}/{wipe_id}/cancel")
    assert again.status_code == 409
    assert again.json()["detail"] == "state: Only a pending wipe can be canceled."
    assert AuditEvent.objects.filter(action=Action.APP_WIPE_CANCELED).count() == 1


def test_the_help_desk_reads_wipes_in_its_scope_but_cannot_ask_for_one(
    client, personas, login, anton
) -> None:
    login(personas.admin)
    wipe_id = _request(client, personas.amsterdam_user.pk).json()["id"]

    login(personas.helpdesk)  # ManagedApps.Read over Amsterdam, no ManagedApps.Wipe
    listed = client.get(WIPES)
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()["items"]] == [wipe_id]
    assert client.get(f"{WIPES}/{wipe_id}").status_code == 200
    refused = _request(client, personas.amsterdam_user.pk)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Your role does not allow this."
    assert client.post(f"{WIPES}/{wipe_id}/cancel").status_code == 403
    # Louise (Lyon) is out of the help desk's scope: as if she did not exist.
    assert _request(client, personas.lyon_user.pk).status_code == 404
    assert AppWipeRequest.objects.get().state == "pending"


def test_other_tenants_and_signed_out_callers_see_nothing(client, personas, login, anton) -> None:
    login(personas.admin)
    wipe_id = _request(client, personas.amsterdam_user.pk).json()["id"]

    login(personas.outsider)
    assert client.get(WIPES).json()["items"] == []
    assert client.get(f"{WIPES}/{wipe_id}").status_code == 404
    assert client.post(f"{WIPES}/{wipe_id}/cancel").status_code == 404
    assert _request(client, personas.amsterdam_user.pk).status_code == 404
    login(personas.nobody)  # licensed, no role
    assert client.get(WIPES).status_code == 403
    client.logout()
    assert client.get(WIPES).status_code == 401
    assert AppWipeRequest.objects.get().state == "pending"


def test_the_list_filters_by_user_and_state(client, personas, login, anton) -> None:
    louise = access_token(client, personas.lyon_user)
    _check_in(client, louise, deviceTag="tag-louise", deviceName="Louise's phone")
    login(personas.admin)
    anton_wipe = _request(client, personas.amsterdam_user.pk).json()["id"]
    louise_wipe = _request(client, personas.lyon_user.pk, "tag-louise").json()["id"]
    client.post(f"{WIPES}/{louise_wipe}/cancel")

    def ids(**query: Any) -> list[int]:
        response = client.get(WIPES, query)
        assert response.status_code == 200, response.content
        return [w["id"] for w in response.json()["items"]]

    assert ids() == [louise_wipe, anton_wipe]
    assert ids(userId=personas.amsterdam_user.pk) == [anton_wipe]
    assert ids(state="canceled") == [louise_wipe]
    assert client.get(WIPES, {"state": "done"}).status_code == 422


def test_the_list_reads_a_bounded_number_of_queries(
    client, personas, login, anton, django_assert_max_num_queries
) -> None:
    login(personas.admin)
    _request(client, personas.amsterdam_user.pk)
    _request(client, personas.amsterdam_user.pk, "tag-anton-ipad")

    with django_assert_max_num_queries(8):
        response = client.get(WIPES)

    assert response.json()["count"] == 2
