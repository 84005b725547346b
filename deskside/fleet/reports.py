"""What an agent reports at check-in, as the parts that store it receive it.

See docs/agent-protocol.md. The API layer (``fleet/agent_api.py``) validates the JSON and builds
these; the check-in service (``fleet/checkin.py``) hands each piece to the part that owns it, in
one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Facts:
    """The device's facts. ``None``: the agent could not tell (stored as unknown)."""

    device_name: str
    operating_system: str
    os_version: str
    serial_number: str = ""
    manufacturer: str = ""
    model: str = ""
    is_encrypted: bool | None = None
    firewall_enabled: bool | None = None
    screen_lock_enabled: bool | None = None
    free_storage_bytes: int | None = None
    total_storage_bytes: int | None = None


@dataclass(frozen=True)
class InventoryItem:
    """An installed application as the device lists it."""

    name: str
    version: str = ""
    publisher: str = ""


@dataclass(frozen=True)
class ProfileResult:
    """The outcome of applying one configuration profile at ``version``."""

    profile_id: int
    version: int
    state: str  # succeeded | failed | notApplicable
    detail: str = ""


@dataclass(frozen=True)
class AppResult:
    """The install state of one assigned app after the agent acted on it."""

    app_id: int
    install_state: str  # installed | failed | notInstalled | uninstallFailed | notApplicable
    error_code: str = ""
    detail: str = ""
    version: str = ""


@dataclass(frozen=True)
class ActionResult:
    """The outcome of one device action the agent was given."""

    action_id: int
    state: str  # done | failed | notSupported
    detail: str = ""


@dataclass(frozen=True)
class CheckInReport:
    """One check-in. ``inventory`` None: not sent this time (unchanged since the last one)."""

    report_id: uuid.UUID
    agent_version: str
    facts: Facts
    inventory: list[InventoryItem] | None = None
    profile_results: list[ProfileResult] = field(default_factory=list)
    app_results: list[AppResult] = field(default_factory=list)
    action_results: list[ActionResult] = field(default_factory=list)
