from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

PROVIDER = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "deskside-test"
CLIENT_SECRET = "a-client-secret-the-tests-never-expect-to-see"


@dataclass(frozen=True)
class OidcServer:
    issuer: str
    client_id: str
    client_secret: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def oidc_server(live_server) -> Iterator[OidcServer]:  # type: ignore[no-untyped-def]
    """node-oidc-provider on a free loopback port, registered with the live server's callback."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run scripts/setup test")
    port = _free_port()
    redirect_uri = f"{live_server.url}/sign-in/organization/callback/"
    process = subprocess.Popen(
        [node, str(PROVIDER), str(port), CLIENT_ID, CLIENT_SECRET, redirect_uri],
        cwd=PROVIDER.parents[3],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read() if process.stdout else ""
            process.kill()
            pytest.fail(f"the OIDC provider did not start: {output}")
        time.sleep(0.1)
    yield OidcServer(issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    process.terminate()
    process.wait(timeout=10)
