"""The agent uploads a diagnostics bundle for its unfinished collectDiagnostics action: stored as a
file with its size and SHA-256 and audited; too large is a 413 (declared or while reading), not
gzip a 400 or 415, and an action that is not the device's unfinished collectDiagnostics a 404."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from datetime import timedelta

import pytest
from django.utils import timezone

from deskside.audit.models import AuditEvent
from deskside.fleet.actions import device_action_request
from deskside.fleet.diagnostics import DiagnosticsRefused, diagnostics_bundle_upload
from deskside.fleet.models import DeviceAction, DiagnosticsBundle
from deskside.fleet.tests.action_helpers import credential_of, make_devices


def bundle_bytes(size: int = 2000) -> bytes:
    """A real tar.gz, as the agent makes it (a log of about ``size`` bytes)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        log = (b"Dec  1 21:00:00 agent: checked in\n" * (size // 34 + 1))[:size]
        info = tarfile.TarInfo("agent.log")
        info.size = len(log)
        archive.addfile(info, io.BytesIO(log))
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def diagnostics_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DESKSIDE_DIAGNOSTICS_DIR = tmp_path / "diagnostics"
    return settings.DESKSIDE_DIAGNOSTICS_DIR


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    return make_devices(personas)


@pytest.fixture
def collect(personas, devices) -> DeviceAction:  # type: ignore[no-untyped-def]
    action = device_action_request(
        device=devices.anton, action="collectDiagnostics", parameters={}, actor=personas.admin
    )
    DeviceAction.objects.filter(pk=action.pk).update(state="active")
    return action


def upload(client, device, action_id, body, content_type="application/gzip", **extra):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/agent/actions/{action_id}/diagnostics",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {credential_of(device)}",
        **extra,
    )


def test_a_bundle_is_stored_with_its_size_and_digest(
    client, devices, collect, diagnostics_dir
) -> None:
    body = bundle_bytes()
    response = upload(client, devices.anton, collect.pk, body)
    assert response.status_code == 201, response.content
    bundle = DiagnosticsBundle.objects.get()
    assert (bundle.device_id, bundle.action_id) == (devices.anton.pk, collect.pk)
    assert (bundle.size_bytes, bundle.sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert (diagnostics_dir / bundle.file_name).read_bytes() == body
    assert response.json() == {
        "bundleId": bundle.pk,
        "sizeInBytes": len(body),
        "sha256": bundle.sha256,
        "expiresDateTime": response.json()["expiresDateTime"],
    }
    assert timedelta(days=27, hours=23) < bundle.expires_at - timezone.now() <= timedelta(days=28)
    event = AuditEvent.objects.get(action="diagnosticsUploaded")
    assert event.target_id == str(devices.anton.pk)
    assert event.details == {
        "actionId": collect.pk,
        "sizeInBytes": len(body),
        "sha256": bundle.sha256,
    }


def test_the_retention_follows_the_setting(client, settings, devices, collect) -> None:
    settings.DESKSIDE_DIAGNOSTICS_DAYS = 3
    upload(client, devices.anton, collect.pk, bundle_bytes())
    kept = DiagnosticsBundle.objects.get().expires_at - timezone.now()
    assert timedelta(days=2, hours=23) < kept <= timedelta(days=3)


def test_a_bundle_larger_than_3_mb_is_streamed_not_refused(
    client, settings, devices, collect
) -> None:
    """Django's in-memory body limit (2.5 MB) does not apply: the body is read in chunks."""
    body = gzip.compress(b"x") + bytes(3_500_000)
    assert upload(client, devices.anton, collect.pk, body).status_code == 201
    assert DiagnosticsBundle.objects.get().size_bytes == len(body)


def test_a_retry_replaces_the_bundle(client, devices, collect, diagnostics_dir) -> None:
    upload(client, devices.anton, collect.pk, bundle_bytes(1000))
    first = DiagnosticsBundle.objects.get()
    second_body = bundle_bytes(5000)
    assert upload(client, devices.anton, collect.pk, second_body).status_code == 201
    bundle = DiagnosticsBundle.objects.get()
    assert bundle.pk == first.pk
    assert (diagnostics_dir / bundle.file_name).read_bytes() == second_body


def test_a_declared_length_over_the_limit_is_a_413_and_nothing_is_read(
    client, settings, devices, collect, diagnostics_dir
) -> None:
    settings.DESKSIDE_DIAGNOSTICS_MAX_BYTES = 1000
    response = upload(client, devices.anton, collect.pk, gzip.compress(b"x") + bytes(20_000))
    assert response.status_code == 413
    assert not DiagnosticsBundle.objects.exists()
    assert not diagnostics_dir.exists() or not any(diagnostics_dir.iterdir())


def test_a_body_that_grows_past_the_limit_while_read_is_a_413(
    settings, devices, collect, diagnostics_dir
) -> None:
    """A chunked upload declares no length: the limit is checked as the body arrives."""
    settings.DESKSIDE_DIAGNOSTICS_MAX_BYTES = 100_000
    body = io.BytesIO(gzip.compress(b"x") + bytes(200_000))
    with pytest.raises(DiagnosticsRefused) as refused:
        diagnostics_bundle_upload(
            device=devices.anton, action_id=collect.pk, stream=body, content_length=None
        )
    assert refused.value.status == 413
    assert body.tell() < 200_000  # it stopped reading soon after the limit
    assert not DiagnosticsBundle.objects.exists()
    assert not any(diagnostics_dir.iterdir())


def test_the_default_limit_is_50_mb(settings) -> None:
    assert settings.DESKSIDE_DIAGNOSTICS_MAX_BYTES == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"plain text log", "application/gzip", 400),
        (bundle_bytes(), "application/octet-stream", 415),
        (bundle_bytes(), "text/plain", 415),
    ],
)
def test_a_body_that_is_not_a_gzip_file_is_refused(
    client, devices, collect, body, content_type, status
) -> None:
    response = upload(client, devices.anton, collect.pk, body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["detail"]
    assert not DiagnosticsBundle.objects.exists()


def test_an_empty_body_is_refused(devices, collect, diagnostics_dir) -> None:
    with pytest.raises(DiagnosticsRefused) as refused:
        diagnostics_bundle_upload(
            device=devices.anton, action_id=collect.pk, stream=io.BytesIO(), content_length=0
        )
    assert refused.value.status == 400
    assert not DiagnosticsBundle.objects.exists()
    assert not any(diagnostics_dir.iterdir())


def test_an_action_of_another_device_is_a_404(client, devices, collect) -> None:
    response = upload(client, devices.louise, collect.pk, bundle_bytes())
    assert response.status_code == 404
    assert not DiagnosticsBundle.objects.exists()


@pytest.mark.parametrize("state", ["done", "failed", "canceled", "notSupported"])
def test_a_finished_action_is_a_404(client, devices, collect, state) -> None:
    DeviceAction.objects.filter(pk=collect.pk).update(state=state)
    assert upload(client, devices.anton, collect.pk, bundle_bytes()).status_code == 404
    assert not DiagnosticsBundle.objects.exists()


def test_an_action_that_is_not_collect_diagnostics_is_a_404(client, personas, devices) -> None:
    lock = device_action_request(
        device=devices.anton, action="remoteLock", parameters={}, actor=personas.admin
    )
    assert upload(client, devices.anton, lock.pk, bundle_bytes()).status_code == 404
    assert upload(client, devices.anton, 999999, bundle_bytes()).status_code == 404


def test_an_unknown_credential_is_a_401(client, devices, collect) -> None:
    response = client.post(
        f"/api/v1/agent/actions/{collect.pk}/diagnostics",
        bundle_bytes(),
        content_type="application/gzip",
        HTTP_AUTHORIZATION="Bearer not-a-credential",
    )
    assert response.status_code == 401
    assert not DiagnosticsBundle.objects.exists()


def test_the_openapi_document_describes_the_upload(client, db) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/agent/actions/{actionId}/diagnostics"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/gzip"}
    assert {"201", "400", "401", "404", "413", "415"} <= set(operation["responses"])
