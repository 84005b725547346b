"""The database refuses to change a written audit event; deleting its actor or tenant keeps it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from deskside.audit.choices import Action, Outcome
from deskside.audit.models import AuditEvent
from deskside.audit.services import audit_record


def test_an_event_cannot_be_changed(personas) -> None:
    event = audit_record(action=Action.SIGN_IN, tenant=personas.tenant, actor=personas.admin)
    for change in (
        {"outcome": Outcome.FAILURE},
        {"details": {"forged": True}},
        {"actor_label": "x"},
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(**change)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=personas.helpdesk)
    event.refresh_from_db()
    assert (event.outcome, event.actor_id, event.details) == ("success", personas.admin.pk, {})


def test_deleting_the_actor_keeps_the_event_readable(personas) -> None:
    event = audit_record(action=Action.SIGN_IN, tenant=personas.tenant, actor=personas.nobody)
    personas.nobody.delete()
    event.refresh_from_db()
    assert event.actor_id is None
    assert event.actor_label == "nobody@lakeside.test"
