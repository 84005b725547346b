"""Writes to the fleet that are not enrollment (``enrollment.py``), check-in (``checkin.py``),
device actions (``actions.py``) or diagnostics (``diagnostics.py``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.directory.models import Group, User
from deskside.directory.services import tenant_assignments_changed
from deskside.fleet.models import DeviceMembership, ManagedDevice
from deskside.fleet.push import agents_push


@transaction.atomic
def group_device_add(
    *,
    group: Group,
    device: ManagedDevice,
    actor: User | None,
    request: HttpRequest | None = None,
) -> DeviceMembership:
    """Make a device a direct member of a group of its own tenant."""
    if group.tenant_id != device.tenant_id:
        raise ValidationError({"member": _("The member belongs to another tenant.")})
    if DeviceMembership.objects.filter(group=group, device=device).exists():
        raise ValidationError({"member": _("This device is already a member of the group.")})
    membership = DeviceMembership.objects.create(group=group, device=device)
    agents_push(device_ids=[device.pk])
    tenant_assignments_changed(tenant_id=group.tenant_id)
    audit_record(
        action=Action.GROUP_MEMBER_ADDED,
        tenant=group.tenant,
        actor=actor,
        target=group,
        request=request,
        details={"member_type": "device", "member": device.device_name},
    )
    return membership


@transaction.atomic
def devices_export_record(
    *,
    actor: User,
    filters: dict[str, Any],
    count: int,
    request: HttpRequest | None = None,
) -> None:
    """Audit an export of the device list: who, with which filters, how many devices."""
    audit_record(
        action=Action.DEVICES_EXPORTED,
        tenant=actor.tenant,
        actor=actor,
        request=request,
        details={"filters": filters, "devices": count},
    )
