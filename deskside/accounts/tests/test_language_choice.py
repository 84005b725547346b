"""The portal's language: from the browser, then a cookie, then the signed-in user's own setting."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from deskside.directory.models import User


def test_the_browser_language_is_used_before_sign_in(client: Client, db) -> None:
    response = client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response["Content-Language"] == "fr"
    assert "Se connecter" in response.content.decode()


def test_the_switcher_sets_a_cookie_that_wins_over_the_browser(client: Client, db) -> None:
    response = client.post("/language/", {"language": "nl", "next": "/sign-in/"})
    assert response["Location"] == "/sign-in/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "nl" and cookie["httponly"] and cookie["samesite"] == "Lax"
    page = client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Aanmelden" in page.content.decode()


def test_a_signed_in_users_setting_wins_and_is_kept(login, personas) -> None:
    client = login(personas.reader)
    client.post("/language/", {"language": "fr"})
    assert User.objects.get(pk=personas.reader.pk).preferred_language == "fr"
    client.cookies.clear()
    client.force_login(User.objects.get(pk=personas.reader.pk))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="nl")
    assert page["Content-Language"] == "fr"
    assert "Bienvenue" in page.content.decode()


def test_an_unknown_language_is_a_400(client: Client, db) -> None:
    response = client.post("/language/", {"language": "xx"})
    assert response.status_code == 400
    assert "Unknown language" in response.content.decode()
