"""``EVALUATED_FACTS`` is what quiet check-ins compare (fleet/checkin.py): the evaluation of a
policy with every rule depends on each of those fields and on no other field of the device."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from deskside.fleet.models import ManagedDevice
from deskside.policies.evaluation import EVALUATED_FACTS, evaluate_policy
from deskside.policies.models import CompliancePolicy

NOW = timezone.now()

EVERY_RULE = CompliancePolicy(
    pk=1,
    name="Every rule",
    platform="Linux",
    os_minimum_version="12",
    os_maximum_version="13",
    require_encryption=True,
    require_firewall=True,
    require_screen_lock=True,
    minimum_agent_version="1.1",
    max_days_since_check_in=7,
    grace_period_days=0,
)

# A change of each evaluated fact that turns the compliant device below not compliant.
FAILING = {
    "operating_system": "Windows",
    "os_version": "11",
    "is_encrypted": False,
    "firewall_enabled": False,
    "screen_lock_enabled": False,
    "agent_version": "1.0.0",
}


def _device(**changes: object) -> ManagedDevice:
    fields: dict[str, object] = {
        "pk": 1,
        "tenant_id": 1,
        "device_name": "pc",
        "operating_system": "Linux",
        "os_version": "12.8",
        "is_encrypted": True,
        "firewall_enabled": True,
        "screen_lock_enabled": True,
        "agent_version": "1.2.0",
        "last_sync_at": NOW,
    }
    fields.update(changes)
    return ManagedDevice(**fields)


def _evaluated(device: ManagedDevice) -> object:
    return evaluate_policy(EVERY_RULE, device, now=NOW, previous=None, conflicts={})


def test_the_list_names_exactly_the_facts_of_the_rules() -> None:
    assert set(FAILING) == set(EVALUATED_FACTS)


@pytest.mark.parametrize("name", EVALUATED_FACTS)
def test_each_evaluated_fact_changes_the_evaluation(name: str) -> None:
    assert _evaluated(_device()).status == "compliant"  # type: ignore[attr-defined]
    assert _evaluated(_device(**{name: FAILING[name]})) != _evaluated(_device())


def _other_value(field: models.Field) -> object:  # type: ignore[type-arg]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.BigIntegerField, models.IntegerField)):
        return 1
    if isinstance(field, models.DateTimeField):
        return NOW - timedelta(days=400)
    if isinstance(field, models.UUIDField):
        return "00000000-0000-4000-8000-000000000000"
    if isinstance(field, models.JSONField):
        return {"other": True}
    return "other-value"


OTHER_FIELDS = [
    field
    for field in ManagedDevice._meta.concrete_fields
    if field.attname not in {*EVALUATED_FACTS, "id", "last_sync_at"}
]


@pytest.mark.parametrize("field", OTHER_FIELDS, ids=[field.attname for field in OTHER_FIELDS])
def test_no_other_field_of_the_device_changes_it(field: models.Field) -> None:  # type: ignore[type-arg]
    changed = _device(**{field.attname: _other_value(field)})
    assert _evaluated(changed) == _evaluated(_device())
