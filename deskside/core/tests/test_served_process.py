"""The real ``deskside serve`` process: ASGI over uvicorn, static files, strict security headers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("served")
    env = {
        **os.environ,
        "DESKSIDE_SECRET_KEY": "served-process-test",
        "DESKSIDE_DATA_DIR": str(data),
        "DESKSIDE_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "DESKSIDE_HTTPS": "1",
        "DESKSIDE_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "deskside.settings",
    }
    cli = [sys.executable, "-m", "deskside.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    port = _free_port()
    process = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the server did not start")
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_the_sign_in_page_carries_a_strict_content_security_policy(server: str) -> None:
    response = httpx.get(f"{server}/sign-in/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text and " style=" not in response.text


def test_cookies_are_secure_httponly_and_same_site_behind_https(server: str) -> None:
    response = httpx.get(f"{server}/sign-in/", headers={"X-Forwarded-Proto": "https"})
    cookies = response.headers.get_list("set-cookie")
    csrf = next(cookie for cookie in cookies if cookie.startswith("deskside_csrf="))
    assert "Secure" in csrf and "SameSite=Lax" in csrf
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_the_pages_scripts_and_styles_are_served_by_the_process_itself(server: str) -> None:
    for path in ("/static/htmx.min.js", "/static/deskside/app.css", "/static/deskside/app.js"):
        assert httpx.get(f"{server}{path}").status_code == 200, path


def test_an_unknown_host_is_refused_with_400(server: str) -> None:
    response = httpx.get(f"{server}/sign-in/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_the_portal_needs_a_signed_in_operator(server: str) -> None:
    response = httpx.get(f"{server}/")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/sign-in/?next=/")


def test_the_agents_api_runs_through_its_own_lean_middleware(server: str) -> None:
    response = httpx.post(
        f"{server}/api/v1/agent/checkin",
        json={"reportId": "x"},
        headers={"Authorization": "Bearer not-a-credential", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    # The security headers still; none of the portal's session, CSRF or HTML headers.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    for header in ("set-cookie", "content-security-policy", "x-frame-options", "vary"):
        assert header not in response.headers, header
    portal = httpx.post(f"{server}/api/v1/devices", headers={"X-Forwarded-Proto": "https"})
    assert "content-security-policy" in portal.headers


def test_a_chunked_request_body_is_read_and_a_long_one_needs_a_length(server: str) -> None:
    """Behind a proxy that streams, a body may come chunked, without Content-Length."""
    headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https"}
    url = f"{server}/api/v1/enrollment"

    def chunked(body: bytes, size: int) -> Iterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start : start + size]

    known = httpx.post(url, content=b'{"method": "bulkToken"}', headers=headers)
    streamed = httpx.post(url, content=chunked(b'{"method": "bulkToken"}', 5), headers=headers)
    assert "content-length" not in streamed.request.headers
    assert (streamed.status_code, streamed.json()) == (known.status_code, known.json())
    too_long = httpx.post(
        url, content=chunked(b" " * (4 * 1024 * 1024), 64 * 1024), headers=headers
    )
    assert too_long.status_code == 411
    assert "needs a Content-Length header" in too_long.text
