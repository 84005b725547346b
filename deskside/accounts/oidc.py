"""Signing in through a tenant's OpenID Connect provider: authorization code flow with PKCE (S256),
state and nonce; the ID token's signature is checked against the provider's published keys (JWKS)
and its claims (issuer, audience, expiry, nonce) with joserfc. The HTTP calls use httpx.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from deskside.accounts.models import IdentityProvider

TIMEOUT = httpx.Timeout(10.0)
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
LEEWAY_SECONDS = 60


class OidcError(Exception):
    """The provider's answer cannot be trusted or used; ``reason`` is a stable audit code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Flow:
    """What the browser's session keeps between the redirect and the callback."""

    state: str
    nonce: str
    verifier: str
    tenant_id: int
    started: float

    def as_session(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError("providerUnreachable") from exc
    if not isinstance(data, dict):
        raise OidcError("providerUnreachable")
    return data


def discovery(provider: IdentityProvider) -> dict[str, Any]:
    issuer = provider.issuer.rstrip("/")
    document = _get_json(f"{issuer}/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise OidcError("issuerMismatch")
    return document


def flow_start(*, provider: IdentityProvider, redirect_uri: str) -> tuple[Flow, str]:
    """A new flow and the provider's authorization URL to send the browser to."""
    document = discovery(provider)
    flow = Flow(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),
        tenant_id=provider.tenant_id,
        started=time.time(),
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": create_s256_code_challenge(flow.verifier),
            "code_challenge_method": "S256",
        }
    )
    return flow, f"{document['authorization_endpoint']}?{query}"


def flow_finish(
    *, provider: IdentityProvider, flow: Flow, code: str, redirect_uri: str
) -> dict[str, Any]:
    """Exchange the code and return the verified ID token's claims."""
    document = discovery(provider)
    try:
        response = httpx.post(
            document["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": flow.verifier,
            },
            auth=(provider.client_id, provider.client_secret),
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise OidcError("providerUnreachable") from exc
    if response.status_code != 200:
        raise OidcError("codeRejected")
    tokens = response.json()
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("noIdToken")
    keys = KeySet.import_key_set(_get_json(document["jwks_uri"]))  # type: ignore[arg-type]
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": str(document["issuer"])},
            aud={"essential": True, "value": provider.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": flow.nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise OidcError("invalidIdToken") from exc
    claims = dict(token.claims)
    if provider.email_claim not in claims and document.get("userinfo_endpoint"):
        claims.update(_userinfo(document["userinfo_endpoint"], tokens, subject=claims["sub"]))
    return claims


def _userinfo(url: str, tokens: dict[str, Any], *, subject: str) -> dict[str, Any]:
    """Claims the provider keeps out of the ID token, for the same subject only."""
    access_token = tokens.get("access_token")
    if not isinstance(access_token, str):
        return {}
    try:
        response = httpx.get(
            url, headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
        )
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError("providerUnreachable") from exc
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise OidcError("userinfoMismatch")
    return {key: value for key, value in info.items() if key not in {"sub", "iss", "aud"}}
