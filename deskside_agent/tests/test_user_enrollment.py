"""User enrollment through the real OAuth flow: the agent listens on loopback and prints the
authorization URL; the test plays the browser (httpx), signs in on the portal's real sign-in form
with a persona's password, and follows the redirect back to the agent's listener."""

from __future__ import annotations

import json
import re
import subprocess

import httpx
import pytest

from deskside_agent.tests.conftest import AgentHome

pytestmark = pytest.mark.agent


def _authorize_url(process: subprocess.Popen[str], server_url: str) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(f"{server_url}/oauth/authorize/"):
            return line.strip()
    raise AssertionError(f"the agent printed no authorization URL: {process.stderr.read()}")


def _browser_signs_in(url: str, server_url: str, email: str, password: str) -> httpx.Response:
    """What the user's browser does: authorize → sign-in form → authorize → the agent."""
    with httpx.Client(base_url=server_url, follow_redirects=False, timeout=30) as browser:
        to_sign_in = browser.get(url)
        assert to_sign_in.status_code == 302
        assert to_sign_in.headers["location"].startswith("/sign-in/?next=/oauth/authorize/")
        form = browser.get(to_sign_in.headers["location"])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, form.text
        signed_in = browser.post(
            "/sign-in/",
            data={"csrfmiddlewaretoken": token.group(1), "email": email, "password": password},
        )
        assert signed_in.status_code == 302, signed_in.text
        assert signed_in.headers["location"].startswith("/oauth/authorize/")
        authorized = browser.get(signed_in.headers["location"])
        assert authorized.status_code == 302
        callback = authorized.headers["location"]
        assert re.match(r"http://127\.0\.0\.1:\d+/callback\?", callback), callback
        return httpx.get(callback, timeout=30)


def test_the_signed_in_user_enrolls_the_device_as_its_primary_user(agent: AgentHome, server):
    process = agent.popen("enroll", "--user", "--no-browser", "--email", "ams@lakeside.test")
    url = _authorize_url(process, server.url)
    assert "code_challenge_method=S256" in url and "state=" in url
    landing = _browser_signs_in(url, server.url, "ams@lakeside.test", server.base["password"])
    assert landing.status_code == 200
    assert "You can close this window" in landing.text
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    device_id = json.loads((agent.state / "credential.json").read_text())["deviceId"]
    device = server.seed("device", deviceId=device_id)
    assert (device["enrollmentMethod"], device["primaryUser"]) == ("user", "ams@lakeside.test")


def test_an_unlicensed_user_gets_the_servers_reason_and_remediation(agent: AgentHome, server):
    process = agent.popen("enroll", "--user", "--no-browser", "--email", "unlicensed@lakeside.test")
    url = _authorize_url(process, server.url)
    _browser_signs_in(url, server.url, "unlicensed@lakeside.test", server.base["password"])
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Enrollment refused: UserNotLicensed" in err
    assert "What to do:" in err
    assert not (agent.state / "credential.json").exists()
    assert "UserNotLicensed" in server.seed("failures")["reasons"]


def test_a_callback_with_another_state_is_refused(agent: AgentHome, server):
    process = agent.popen(
        "enroll",
        "--user",
        "--no-browser",
        "--email",
        "ams@lakeside.test",
        "--sign-in-timeout",
        "3",
    )
    url = _authorize_url(process, server.url)
    port = re.search(r"redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)", url)
    assert port
    forged = httpx.get(f"http://127.0.0.1:{port.group(1)}/callback?code=x&state=forged")
    assert forged.status_code == 400
    out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "state" in err
