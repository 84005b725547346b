"""The one function every part uses to write an audit event."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from deskside.audit.choices import Action, Outcome
from deskside.audit.models import AuditEvent
from deskside.directory.models import Tenant, User


def source_address(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (a proxy's forwarding header is not trusted)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: Action,
    outcome: Outcome = Outcome.SUCCESS,
    tenant: Tenant | None,
    actor: User | None,
    target: models.Model | None = None,
    target_label: str = "",
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction so both land or neither."""
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        actor_label=actor_label or (actor.email if actor else ""),
        action=action,
        outcome=outcome,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:300],
        source_address=source_address(request),
        details=details or {},
    )
