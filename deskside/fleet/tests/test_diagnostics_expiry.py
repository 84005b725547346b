"""``deskside diagnostics-expire`` deletes the bundles whose retention ended, rows and files, and
audits each; bundles still kept stay; files no row names (abandoned uploads) go after a day."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from deskside.audit.models import AuditEvent
from deskside.fleet.actions import device_action_request
from deskside.fleet.diagnostics import diagnostics_bundle_upload
from deskside.fleet.models import DeviceAction, DiagnosticsBundle
from deskside.fleet.tests.action_helpers import make_devices

BODY = gzip.compress(b"agent log\n")


@pytest.fixture(autouse=True)
def diagnostics_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DESKSIDE_DIAGNOSTICS_DIR = tmp_path / "diagnostics"
    return settings.DESKSIDE_DIAGNOSTICS_DIR


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    return make_devices(personas)


def _bundle(personas, device, age_days: int) -> DiagnosticsBundle:  # type: ignore[no-untyped-def]
    action = device_action_request(
        device=device, action="collectDiagnostics", parameters={}, actor=personas.admin
    )
    DeviceAction.objects.filter(pk=action.pk).update(state="active")
    return diagnostics_bundle_upload(
        device=device,
        action_id=action.pk,
        stream=io.BytesIO(BODY),
        content_length=len(BODY),
        now=timezone.now() - timedelta(days=age_days),
    )


def _expire(capsys) -> str:  # type: ignore[no-untyped-def]
    # on_commit callbacks run: the command runs outside the test's transaction in real life.
    call_command("diagnostics-expire")
    return capsys.readouterr().out


def test_expired_bundles_are_deleted_with_their_files(
    personas, devices, diagnostics_dir, capsys, django_capture_on_commit_callbacks
) -> None:
    old = _bundle(personas, devices.anton, age_days=29)
    fresh = _bundle(personas, devices.louise, age_days=27)
    with django_capture_on_commit_callbacks(execute=True):
        output = _expire(capsys)
    assert "1 expired diagnostics bundle(s) deleted." in output
    assert list(DiagnosticsBundle.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not (diagnostics_dir / old.file_name).exists()
    assert (diagnostics_dir / fresh.file_name).exists()
    # The action stays in the device's history.
    assert DeviceAction.objects.filter(pk=old.action_id).exists()
    event = AuditEvent.objects.get(action="diagnosticsExpired")
    assert (event.target_id, event.details["bundleId"]) == (str(devices.anton.pk), old.pk)


def test_nothing_is_deleted_when_nothing_expired(
    personas, devices, diagnostics_dir, capsys, django_capture_on_commit_callbacks
) -> None:
    fresh = _bundle(personas, devices.anton, age_days=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 expired" in _expire(capsys)
    assert DiagnosticsBundle.objects.get() == fresh
    assert (diagnostics_dir / fresh.file_name).exists()
    assert not AuditEvent.objects.filter(action="diagnosticsExpired").exists()


def test_abandoned_upload_files_go_after_a_day(personas, devices, diagnostics_dir, capsys) -> None:
    kept = _bundle(personas, devices.anton, age_days=0)
    abandoned = diagnostics_dir / ".upload-abandoned.part"
    recent = diagnostics_dir / ".upload-in-progress.part"
    abandoned.write_bytes(b"x")
    recent.write_bytes(b"x")
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(abandoned, (two_days_ago, two_days_ago))
    os.utime(diagnostics_dir / kept.file_name, (two_days_ago, two_days_ago))
    _expire(capsys)
    assert not abandoned.exists()
    assert recent.exists()
    assert (diagnostics_dir / kept.file_name).exists()


def test_the_retention_default_is_28_days(settings) -> None:
    assert settings.DESKSIDE_DIAGNOSTICS_DAYS == 28


def test_the_deskside_command_runs_it(tmp_path) -> None:
    """The ``deskside`` CLI hands unknown subcommands to Django: ``deskside diagnostics-expire``."""
    root = Path(__file__).resolve().parents[3]
    env = {
        "PATH": "/usr/bin:/bin",
        "DESKSIDE_SECRET_KEY": "cli-test",
        "DESKSIDE_DATA_DIR": str(tmp_path),
        "DESKSIDE_HTTPS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "deskside.cli", "diagnostics-expire", "--help"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "retention has ended" in done.stdout
