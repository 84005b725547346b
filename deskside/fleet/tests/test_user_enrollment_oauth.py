"""User enrollment: the agent signs the user in with OAuth 2.0 (authorization code + PKCE, loopback
redirect; the portal is the authorization server) and enrolls with the access token. The checks
that need a user answer through the HTTP API too."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from deskside.directory.models import User
from deskside.fleet.models import EnrollmentFailure, EnrollmentRestriction, ManagedDevice
from deskside.fleet.oauth import AGENT_CLIENT_ID, agent_application_ensure

REDIRECT = "http://127.0.0.1:49152/callback"


@pytest.fixture(autouse=True)
def _agent_client(db) -> None:  # type: ignore[no-untyped-def]
    agent_application_ensure()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize(client: Client, verifier: str, **changes: str):  # type: ignore[no-untyped-def]
    query = {
        "response_type": "code",
        "client_id": AGENT_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "enroll",
        "state": "state-123",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        **changes,
    }
    return client.get("/oauth/authorize/", query)


def access_token(client: Client, user: User) -> str:
    """What the agent does: send the user's browser to authorize, catch the code on loopback,
    exchange it with the PKCE verifier. The agent itself holds no session."""
    verifier = secrets.token_urlsafe(64)
    client.force_login(user, backend="deskside.accounts.backends.DirectoryBackend")
    response = _authorize(client, verifier)
    assert response.status_code == 302
    callback = urlsplit(response["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == REDIRECT
    params = parse_qs(callback.query)
    assert params["state"] == ["state-123"]
    client.logout()
    token = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "redirect_uri": REDIRECT,
            "client_id": AGENT_CLIENT_ID,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    return str(token.json()["access_token"])


def _enroll(client: Client, token: str, **device: Any):  # type: ignore[no-untyped-def]
    body = {
        "method": "user",
        "agentVersion": "1.2.0",
        "device": {
            "deviceName": "ANTON-MBP",
            "operatingSystem": "macOS",
            "osVersion": "14.5",
            "serialNumber": "C02-ANTON",
            "ownership": "personal",
            **device,
        },
    }
    return client.post(
        "/api/v1/enrollment",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_the_signed_in_user_enrolls_their_device(client, personas, enrollment) -> None:
    response = _enroll(client, access_token(client, personas.amsterdam_user))
    assert response.status_code == 201
    device = ManagedDevice.objects.get(pk=response.json()["deviceId"])
    assert (device.primary_user, device.owner_type, device.enrollment_method) == (
        personas.amsterdam_user,
        "personal",
        "user",
    )


def test_authorizing_needs_a_signed_in_user(client, personas) -> None:
    response = _authorize(client, secrets.token_urlsafe(64))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/oauth/authorize/")


def test_pkce_is_required(client, personas) -> None:
    client.force_login(
        personas.amsterdam_user, backend="deskside.accounts.backends.DirectoryBackend"
    )
    response = _authorize(client, "x", code_challenge="", code_challenge_method="")
    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]


def test_a_wrong_verifier_gets_no_token(client, personas) -> None:
    client.force_login(
        personas.amsterdam_user, backend="deskside.accounts.backends.DirectoryBackend"
    )
    code = parse_qs(urlsplit(_authorize(client, "a" * 64)["Location"]).query)["code"][0]
    response = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": AGENT_CLIENT_ID,
            "code_verifier": "b" * 64,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_only_loopback_redirects_are_allowed(client, personas) -> None:
    client.force_login(
        personas.amsterdam_user, backend="deskside.accounts.backends.DirectoryBackend"
    )
    response = _authorize(client, "a" * 64, redirect_uri="http://evil.example/callback")
    assert response.status_code == 400


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_enrolling_without_a_valid_token_is_a_401(client, personas, enrollment, token) -> None:
    response = _enroll(client, token)
    assert response.status_code == 401
    assert "Sign the user in again" in response.json()["detail"]
    assert not EnrollmentFailure.objects.exists()


def test_an_unlicensed_user_is_refused(client, personas, enrollment) -> None:
    response = _enroll(client, access_token(client, personas.unlicensed))
    assert response.json()["code"] == "UserNotLicensed"
    assert EnrollmentFailure.objects.get().user == personas.unlicensed


def test_the_device_limit(client, personas, enrollment) -> None:
    enrollment.default.device_limit = 1
    enrollment.default.save()
    token = access_token(client, personas.lyon_user)
    assert _enroll(client, token).status_code == 201
    response = _enroll(client, token, serialNumber="C02-SECOND")
    assert response.json()["code"] == "DeviceLimitReached"


def test_personal_devices_blocked(client, personas, enrollment) -> None:
    EnrollmentRestriction.objects.update(block_personal=True)
    token = access_token(client, personas.lyon_user)
    assert _enroll(client, token).json()["code"] == "PersonalDeviceBlocked"
    assert _enroll(client, token, ownership="unknown").json()["code"] == "DeviceNotPreregistered"
