"""Helpers for the apps tests: apps and assignments made through the services, check-ins and
OAuth sign-ins through the HTTP API."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from deskside.apps.models import MobileApp, MobileAppAssignment
from deskside.apps.oauth import MANAGED_APPS_SCOPE, PROTECTED_APPS_CLIENT_ID
from deskside.apps.services import app_assignment_create, mobile_app_create
from deskside.directory.models import Group, Tenant, User
from deskside.fleet.tests.checkins import check_in, report

REDIRECT = "http://127.0.0.1:49153/callback"


def debian(tenant: Tenant, name: str = "VLC", package: str = "vlc", **fields: Any) -> MobileApp:
    """A Linux Debian package app."""
    return mobile_app_create(
        tenant=tenant,
        display_name=name,
        platform="Linux",
        app_type="debianPackage",
        package_name=package,
        actor=None,
        **fields,
    )


def script(tenant: Tenant, name: str = "Backup agent", **fields: Any) -> MobileApp:
    """A Linux script app with a file detection rule."""
    values: dict[str, Any] = {
        "install_script": "#!/bin/sh\ncurl -fsS https://example.test/install | sh\n",
        "uninstall_script": "#!/bin/sh\nrm -rf /opt/backup\n",
        "detection": {"type": "fileExists", "path": "/opt/backup/bin/backup"},
        **fields,
    }
    return mobile_app_create(
        tenant=tenant,
        display_name=name,
        platform="Linux",
        app_type="script",
        actor=None,
        **values,
    )


def ios(tenant: Tenant, name: str = "Outlook", **fields: Any) -> MobileApp:
    """An iOS store app."""
    return mobile_app_create(
        tenant=tenant,
        display_name=name,
        platform="iOS",
        app_type="iosStore",
        url="https://apps.apple.com/app/microsoft-outlook/id951937596",
        package_name="com.microsoft.Office.Outlook",
        actor=None,
        **fields,
    )


def assign(app: MobileApp, group: Group, intent: str, actor: User) -> MobileAppAssignment:
    return app_assignment_create(app=app, group=group, intent=intent, actor=actor)


def answer_apps(client: Client, credential: str, **changes: Any) -> list[dict[str, Any]]:
    """Check in (a complete report, ``changes`` replacing its keys) and return the answer's apps."""
    response = check_in(client, credential, report(**changes))
    assert response.status_code == 200, response.content
    return list(response.json()["apps"])


def result(app: MobileApp, state: str, **fields: Any) -> dict[str, Any]:
    return {"appId": app.pk, "installState": state, **fields}


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def access_token(
    client: Client,
    user: User,
    *,
    client_id: str = PROTECTED_APPS_CLIENT_ID,
    scope: str = MANAGED_APPS_SCOPE,
) -> str:
    """What a protected app does: send the user's browser to authorize (authorization code +
    PKCE), catch the code on loopback, exchange it with the verifier. It holds no session."""
    verifier = secrets.token_urlsafe(64)
    client.force_login(user, backend="deskside.accounts.backends.DirectoryBackend")
    response = client.get(
        "/oauth/authorize/",
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "state-42",
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302, response.content
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["state"] == ["state-42"], response["Location"]
    client.logout()
    token = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "redirect_uri": REDIRECT,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    return str(token.json()["access_token"])
