from __future__ import annotations

from dataclasses import dataclass

import pytest

from deskside.fleet.models import ManagedDevice
from deskside.fleet.services import group_device_add
from deskside.fleet.tests.checkins import enroll
from deskside.fleet.tests.conftest import enrollment  # noqa: F401


@dataclass
class Enrolled:
    device: ManagedDevice
    credential: str

    def reload(self) -> ManagedDevice:
        self.device.refresh_from_db()
        return self.device


@pytest.fixture
def enrolled(client, enrollment, personas) -> Enrolled:  # type: ignore[no-untyped-def]  # noqa: F811
    """A Linux device enrolled through the API, a member of the Lyon office group."""
    device_id, credential = enroll(client)
    device = ManagedDevice.objects.get(pk=device_id)
    group_device_add(group=personas.lyon, device=device, actor=None)
    return Enrolled(device=device, credential=credential)
