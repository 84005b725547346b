"""The demo's fleet: about 150 devices over five platforms, made through the real API, with the
failures a help desk meets — non-compliant devices, failed app installs and profiles, app
protection that never checked in, and a refused enrollment of every reason. Made once."""

from __future__ import annotations

import stat

import pytest
from django.conf import settings
from django.core.management import call_command

from deskside.apps.models import AppRegistration, DeviceAppState
from deskside.audit.models import AuditEvent
from deskside.core.demo_fleet import demo_agent_token_file, demo_fleet_seed
from deskside.directory.models import User
from deskside.fleet.failures import FailureReason
from deskside.fleet.models import EnrollmentFailure, ManagedDevice
from deskside.policies.models import DeviceProfileStatus

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def _platforms_and_methods(tenant) -> None:  # type: ignore[no-untyped-def]
    devices = ManagedDevice.objects.filter(tenant=tenant)
    assert 140 <= devices.count() <= 170
    assert set(devices.values_list("operating_system", flat=True)) == {
        "Windows",
        "macOS",
        "iOS",
        "Android",
        "Linux",
    }
    assert set(devices.values_list("enrollment_method", flat=True)) == {
        "user",
        "bulkToken",
        "preProvisioned",
    }
    assert devices.filter(last_sync_at__isnull=False).count() >= 140


def _what_a_help_desk_meets(tenant) -> None:  # type: ignore[no-untyped-def]
    states = set(
        ManagedDevice.objects.filter(tenant=tenant).values_list("compliance_state", flat=True)
    )
    assert {"compliant", "noncompliant"} <= states
    failed_apps = DeviceAppState.objects.filter(device__tenant=tenant, install_state="failed")
    assert failed_apps.exclude(error_code="").exists()
    profiles = DeviceProfileStatus.objects.filter(device__tenant=tenant)
    assert profiles.filter(status="failed", profile__profile_type="wifi").exists()
    assert profiles.filter(status="failed", profile__profile_type="vpn").exists()
    assert profiles.filter(status="conflict").exists()
    assert AppRegistration.objects.filter(tenant=tenant).exists()
    reasons = set(EnrollmentFailure.objects.filter(tenant=tenant).values_list("reason", flat=True))
    assert reasons == set(FailureReason.values)


def test_the_demo_fills_a_realistic_fleet_once(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    call_command("demo_seed")
    assert "20 refused enrollments" in capsys.readouterr().out
    admin = User.objects.get(email="admin@lakeside.example")
    _platforms_and_methods(admin.tenant)
    _what_a_help_desk_meets(admin.tenant)
    token = demo_agent_token_file()
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert len(token.read_text()) >= 32

    devices, events = ManagedDevice.objects.count(), AuditEvent.objects.count()
    summary = demo_fleet_seed(tenant=admin.tenant, admin=admin, progress=lambda line: None)
    assert summary.devices == devices
    assert (ManagedDevice.objects.count(), AuditEvent.objects.count()) == (devices, events)
