"""The Deskside agent protocol as a library (docs/agent-protocol.md, docs/enrollment.md).

Nothing here reads the local machine: facts are a plain dataclass the caller fills, so a demo or a
benchmark can drive many simulated devices with made-up facts::

    client = DesksideClient("https://deskside.example.org")
    session = client.start_session("example.org")
    enrolled = client.enroll(method="bulkToken", bulk_token=token, facts=facts,
                             session_id=session.session_id)
    device = DesksideClient(server, credential=enrolled.credential)
    answer = device.check_in(Report.new(facts=facts, inventory=[]))

Errors are exceptions: ``Offline`` (transport error, 5xx, 429: retry later), ``Unauthorized``
(401), ``Refused`` (403 at enrollment, with the reason), ``Invalid`` (422, naming the field),
``Rejected`` (any other 4xx).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from deskside_agent import __version__

AGENT_CLIENT_ID = "deskside-agent"
ENROLL_SCOPE = "enroll"
METHODS = ("user", "bulkToken", "preProvisioned")


class ProtocolError(Exception):
    """Something the server (or the way to it) answered that is not what was asked for."""


class Offline(ProtocolError):
    """The server could not be reached, or failed (5xx, 429): try again later."""


class Unauthorized(ProtocolError):
    """401: the device credential (or the user's access token) is not valid any more."""


class Rejected(ProtocolError):
    """A 4xx other than 401/403/422 (404, 413...): ``status`` and the server's ``detail``."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}" if detail else f"HTTP {status}")
        self.status = status
        self.detail = detail


class Invalid(Rejected):
    """422: the server names the wrong field (``field``, e.g. ``appResults.0.appId``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(422, detail)
        self.field = detail.split(":", 1)[0].strip() if ":" in detail else ""


@dataclass(frozen=True)
class Refusal:
    """Why the server refused an enrollment, in the language asked for."""

    code: str
    title: str
    details: str
    remediation: list[str]
    minimum_agent_version: str | None = None


class Refused(ProtocolError):
    """403 at enrollment: the refusal the server answered."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.code}: {refusal.title}")
        self.refusal = refusal


@dataclass(frozen=True)
class Facts:
    """What a device reports about itself. ``None``: the agent cannot tell."""

    device_name: str
    operating_system: str
    os_version: str
    serial_number: str = ""
    manufacturer: str = ""
    model: str = ""
    hardware_id: str = ""
    is_encrypted: bool | None = None
    firewall_enabled: bool | None = None
    screen_lock_enabled: bool | None = None
    free_storage_bytes: int | None = None
    total_storage_bytes: int | None = None

    def checkin_json(self) -> dict[str, Any]:
        """The ``facts`` object of a check-in."""
        return {
            "deviceName": self.device_name,
            "operatingSystem": self.operating_system,
            "osVersion": self.os_version,
            "serialNumber": self.serial_number,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "isEncrypted": self.is_encrypted,
            "firewallEnabled": self.firewall_enabled,
            "screenLockEnabled": self.screen_lock_enabled,
            "freeStorageSpaceInBytes": self.free_storage_bytes,
            "totalStorageSpaceInBytes": self.total_storage_bytes,
        }

    def enrollment_json(self, ownership: str = "unknown") -> dict[str, Any]:
        """The ``device`` object of an enrollment."""
        return {
            "deviceName": self.device_name,
            "operatingSystem": self.operating_system,
            "osVersion": self.os_version,
            "serialNumber": self.serial_number,
            "hardwareId": self.hardware_id,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "ownership": ownership,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class InventoryItem:
    """One installed application."""

    name: str
    version: str = ""
    publisher: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "publisher": self.publisher}


def inventory_json(items: list[InventoryItem]) -> list[dict[str, str]]:
    """The inventory as the protocol sends it, sorted, so that its hash is stable."""
    return sorted(
        (item.as_json() for item in items), key=lambda i: (i["name"], i["version"], i["publisher"])
    )


def inventory_hash(items: list[dict[str, str]]) -> str:
    """SHA-256 of the inventory's canonical JSON: unchanged inventory, same hash."""
    canonical = json.dumps(items, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Report:
    """One check-in report. A retry sends the same object again (same ``report_id``)."""

    report_id: str
    facts: Facts
    inventory: list[dict[str, str]] | None
    profile_results: list[dict[str, Any]] = field(default_factory=list)
    app_results: list[dict[str, Any]] = field(default_factory=list)
    action_results: list[dict[str, Any]] = field(default_factory=list)
    agent_version: str = __version__

    @classmethod
    def new(
        cls,
        *,
        facts: Facts,
        inventory: list[InventoryItem] | list[dict[str, str]] | None,
        profile_results: list[dict[str, Any]] | None = None,
        app_results: list[dict[str, Any]] | None = None,
        action_results: list[dict[str, Any]] | None = None,
        agent_version: str = __version__,
    ) -> Report:
        """A report with a fresh report id."""
        items: list[dict[str, str]] | None = None
        if inventory is not None:
            items = [i.as_json() if isinstance(i, InventoryItem) else dict(i) for i in inventory]
        return cls(
            report_id=str(uuid.uuid4()),
            facts=facts,
            inventory=items,
            profile_results=list(profile_results or []),
            app_results=list(app_results or []),
            action_results=list(action_results or []),
            agent_version=agent_version,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "reportId": self.report_id,
            "agentVersion": self.agent_version,
            "facts": self.facts.checkin_json(),
            "inventory": self.inventory,
            "profileResults": self.profile_results,
            "appResults": self.app_results,
            "actionResults": self.action_results,
        }


@dataclass(frozen=True)
class Answer:
    """The server's answer to a check-in."""

    device_id: int
    device_name: str
    compliance_state: str
    check_in_interval_seconds: int
    minimum_agent_version: str
    actions: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    apps: list[dict[str, Any]]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        try:
            return cls(
                device_id=int(data["deviceId"]),
                device_name=str(data.get("deviceName", "")),
                compliance_state=str(data.get("complianceState", "unknown")),
                check_in_interval_seconds=int(data.get("checkInIntervalSeconds", 900)),
                minimum_agent_version=str(data.get("minimumAgentVersion", "")),
                actions=[a for a in data.get("actions") or [] if isinstance(a, dict)],
                profiles=[p for p in data.get("profiles") or [] if isinstance(p, dict)],
                apps=[a for a in data.get("apps") or [] if isinstance(a, dict)],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ProtocolError(f"the check-in answer is not as expected: {error}") from error

    def as_json(self) -> dict[str, Any]:
        return {
            "deviceId": self.device_id,
            "deviceName": self.device_name,
            "complianceState": self.compliance_state,
            "checkInIntervalSeconds": self.check_in_interval_seconds,
            "minimumAgentVersion": self.minimum_agent_version,
            "actions": self.actions,
            "profiles": self.profiles,
            "apps": self.apps,
        }


@dataclass(frozen=True)
class Session:
    session_id: str
    expires: str


@dataclass(frozen=True)
class Enrolled:
    device_id: int
    credential: str


@dataclass(frozen=True)
class Pkce:
    """A PKCE pair (RFC 7636, S256) and the ``state`` of one authorization request."""

    verifier: str
    challenge: str
    state: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(64)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        return cls(verifier=verifier, challenge=challenge, state=secrets.token_urlsafe(24))


def version_tuple(text: str) -> tuple[int, ...]:
    """``1.2.10`` → (1, 2, 10); what is not a number counts as 0."""
    parts: list[int] = []
    for piece in text.strip().split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def version_below(version: str, minimum: str) -> bool:
    """Whether ``version`` is older than ``minimum`` (an empty minimum: never)."""
    if not minimum:
        return False
    a, b = version_tuple(version), version_tuple(minimum)
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)) < b + (0,) * (width - len(b))


def _detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(data, dict):
        detail = data.get("detail", "")
        if isinstance(detail, list):
            return "; ".join(str(item.get("msg", item)) for item in detail if item)
        return str(detail)
    return ""


class DesksideClient:
    """HTTP client of one agent (or of one simulated device) for one server."""

    def __init__(
        self,
        server: str,
        *,
        credential: str | None = None,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        verify: bool | str = True,
        language: str | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.credential = credential
        self._own_http = http is None
        headers = {"User-Agent": f"deskside-agent/{__version__}"}
        if language:
            headers["Accept-Language"] = language
        self._headers = headers
        self._http = http or httpx.Client(timeout=timeout, verify=verify, headers=headers)

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> DesksideClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport --------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        bearer: str | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        form: dict[str, str] | None = None,
        content_type: str | None = None,
    ) -> httpx.Response:
        headers = dict(self._headers)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = self._http.request(
                method,
                f"{self.server}{path}",
                json=json_body,
                content=content,
                data=form,
                headers=headers,
            )
        except httpx.HTTPError as error:
            raise Offline(f"cannot reach {self.server}: {error or type(error).__name__}") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise Offline(f"{self.server} answered HTTP {response.status_code}")
        if response.status_code == 401:
            raise Unauthorized(_detail(response) or "the credential is not valid")
        if response.status_code == 422:
            raise Invalid(_detail(response))
        return response

    def _device_credential(self) -> str:
        if not self.credential:
            raise Unauthorized("this client holds no device credential")
        return self.credential

    # -- enrollment --------------------------------------------------------------------------

    def start_session(self, tenant_domain: str) -> Session:
        """``POST /api/v1/enrollment/sessions``: the enrollment begins (30 minutes to finish)."""
        response = self._request(
            "POST", "/api/v1/enrollment/sessions", json_body={"tenantDomain": tenant_domain}
        )
        if response.status_code != 201:
            raise Rejected(response.status_code, _detail(response))
        data = response.json()
        return Session(session_id=str(data["sessionId"]), expires=str(data["expiresDateTime"]))

    def enroll(
        self,
        *,
        method: str,
        facts: Facts,
        ownership: str = "unknown",
        bulk_token: str = "",
        tenant_domain: str = "",
        session_id: str | None = None,
        access_token: str | None = None,
        agent_version: str = __version__,
    ) -> Enrolled:
        """``POST /api/v1/enrollment``; on success this client holds the device credential."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")
        body: dict[str, Any] = {
            "method": method,
            "agentVersion": agent_version,
            "device": facts.enrollment_json(ownership),
        }
        if bulk_token:
            body["bulkToken"] = bulk_token
        if tenant_domain:
            body["tenantDomain"] = tenant_domain
        if session_id:
            body["sessionId"] = session_id
        response = self._request("POST", "/api/v1/enrollment", bearer=access_token, json_body=body)
        if response.status_code == 403:
            data = response.json()
            raise Refused(
                Refusal(
                    code=str(data.get("code", "")),
                    title=str(data.get("title", "")),
                    details=str(data.get("details", "")),
                    remediation=[str(step) for step in data.get("remediation") or []],
                    minimum_agent_version=data.get("minimumAgentVersion"),
                )
            )
        if response.status_code != 201:
            raise Rejected(response.status_code, _detail(response))
        data = response.json()
        enrolled = Enrolled(
            device_id=int(data["deviceId"]), credential=str(data["deviceCredential"])
        )
        self.credential = enrolled.credential
        return enrolled

    # -- OAuth 2.0 user sign-in ---------------------------------------------------------------

    def authorize_url(self, *, redirect_uri: str, pkce: Pkce, login_hint: str = "") -> str:
        """Where the user's browser goes to sign in (authorization code + PKCE S256)."""
        query = {
            "response_type": "code",
            "client_id": AGENT_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": ENROLL_SCOPE,
            "state": pkce.state,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        }
        if login_hint:
            query["login_hint"] = login_hint
        return f"{self.server}/oauth/authorize/?{urlencode(query)}"

    def token_exchange(self, *, code: str, redirect_uri: str, pkce: Pkce) -> str:
        """``POST /oauth/token/``: the authorization code and the verifier for an access token."""
        response = self._request(
            "POST",
            "/oauth/token/",
            form={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": AGENT_CLIENT_ID,
                "code_verifier": pkce.verifier,
            },
        )
        if response.status_code != 200:
            try:
                error = response.json().get("error", "")
            except ValueError:
                error = ""
            raise Rejected(response.status_code, f"the sign-in was not accepted ({error})")
        token = response.json().get("access_token")
        if not isinstance(token, str) or not token:
            raise ProtocolError("the token endpoint answered without an access token")
        return token

    # -- after enrollment ---------------------------------------------------------------------

    def check_in(self, report: Report | dict[str, Any]) -> Answer:
        """``POST /api/v1/agent/checkin``; raises on anything but 200."""
        body = report.as_json() if isinstance(report, Report) else report
        response = self._request(
            "POST", "/api/v1/agent/checkin", bearer=self._device_credential(), json_body=body
        )
        if response.status_code != 200:
            raise Rejected(response.status_code, _detail(response))
        try:
            data = response.json()
        except ValueError as error:
            raise ProtocolError("the check-in answer is not JSON") from error
        if not isinstance(data, dict):
            raise ProtocolError("the check-in answer is not a JSON object")
        return Answer.from_json(data)

    def upload_diagnostics(self, action_id: int, bundle: bytes) -> None:
        """``POST /api/v1/agent/actions/{id}/diagnostics`` with the tar.gz; 201 or an error."""
        response = self._request(
            "POST",
            f"/api/v1/agent/actions/{int(action_id)}/diagnostics",
            bearer=self._device_credential(),
            content=bundle,
            content_type="application/gzip",
        )
        if response.status_code not in (200, 201):
            raise Rejected(response.status_code, _detail(response))

    def websocket_url(self) -> str:
        """``ws(s)://host/ws/agent/`` for this server."""
        parts = urlsplit(self.server)
        scheme = "wss" if parts.scheme == "https" else "ws"
        path = parts.path.rstrip("/") + "/ws/agent/"
        return urlunsplit((scheme, parts.netloc, path, "", ""))

    def websocket_origin(self) -> str:
        """The server's own origin: the socket's Origin header, which the server checks."""
        parts = urlsplit(self.server)
        return f"{parts.scheme}://{parts.netloc}"

    def websocket_headers(self) -> dict[str, str]:
        """The headers the push socket needs: the device credential as a bearer token."""
        return {"Authorization": f"Bearer {self._device_credential()}"}
