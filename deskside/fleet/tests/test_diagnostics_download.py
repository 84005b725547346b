"""An operator downloads a device's diagnostics bundle from the device page: it needs
ManagedDevices.Read and RemoteTasks.CollectDiagnostics on the device; the file comes as an
attachment and the download is audited; an expired bundle is not downloadable."""

from __future__ import annotations

import gzip
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from deskside.audit.models import AuditEvent
from deskside.fleet.actions import device_action_history, device_action_request
from deskside.fleet.diagnostics import diagnostics_bundle_upload
from deskside.fleet.models import DeviceAction, DiagnosticsBundle
from deskside.fleet.tests.action_helpers import make_devices, sign_in

BODY = gzip.compress(b"agent log\n" * 100)


@pytest.fixture(autouse=True)
def diagnostics_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DESKSIDE_DIAGNOSTICS_DIR = tmp_path / "diagnostics"
    return settings.DESKSIDE_DIAGNOSTICS_DIR


@pytest.fixture
def devices(personas):  # type: ignore[no-untyped-def]
    return make_devices(personas)


def _bundle(personas, device) -> DiagnosticsBundle:  # type: ignore[no-untyped-def]
    action = device_action_request(
        device=device, action="collectDiagnostics", parameters={}, actor=personas.admin
    )
    DeviceAction.objects.filter(pk=action.pk).update(state="active")
    return diagnostics_bundle_upload(
        device=device, action_id=action.pk, stream=io.BytesIO(BODY), content_length=len(BODY)
    )


def _url(bundle: DiagnosticsBundle) -> str:
    return f"/devices/{bundle.device_id}/diagnostics/{bundle.pk}/"


def test_an_operator_downloads_the_bundle_as_an_attachment(client, personas, devices) -> None:
    bundle = _bundle(personas, devices.anton)
    sign_in(client, personas, "helpdesk")
    response = client.get(_url(bundle))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BODY
    assert response["Content-Type"] == "application/gzip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "diagnostics-anton-laptop-" in disposition
    event = AuditEvent.objects.get(action="diagnosticsDownloaded")
    assert (event.actor_id, event.target_id) == (personas.helpdesk.pk, str(devices.anton.pk))
    assert event.details["bundleId"] == bundle.pk


@pytest.mark.parametrize(
    ("persona", "device_key", "status"),
    [
        ("anon", "anton", 302),
        ("admin", "anton", 200),
        ("helpdesk", "louise", 404),
        ("reader", "anton", 403),  # reads the device, may not collect diagnostics
        ("nobody", "anton", 403),
        ("unlicensed", "anton", 403),
        ("outsider", "anton", 404),
    ],
)
def test_only_operators_who_may_collect_diagnostics_download(
    client, personas, devices, persona, device_key, status
) -> None:
    bundle = _bundle(personas, getattr(devices, device_key))
    sign_in(client, personas, persona)
    assert client.get(_url(bundle)).status_code == status
    downloads = AuditEvent.objects.filter(action="diagnosticsDownloaded").count()
    assert downloads == (1 if status == 200 else 0)


def test_a_bundle_of_another_device_is_not_found(client, personas, devices) -> None:
    bundle = _bundle(personas, devices.anton)
    sign_in(client, personas, "admin")
    assert client.get(f"/devices/{devices.louise.pk}/diagnostics/{bundle.pk}/").status_code == 404


def test_an_expired_bundle_is_not_downloadable(client, personas, devices) -> None:
    bundle = _bundle(personas, devices.anton)
    DiagnosticsBundle.objects.filter(pk=bundle.pk).update(expires_at=timezone.now())
    sign_in(client, personas, "admin")
    assert client.get(_url(bundle)).status_code == 404
    assert not AuditEvent.objects.filter(action="diagnosticsDownloaded").exists()


def test_the_actions_section_links_the_bundle_only_while_it_is_kept(personas, devices) -> None:
    bundle = _bundle(personas, devices.anton)
    [item] = device_action_history(operator=personas.helpdesk, device=devices.anton)
    assert (item.bundle, item.bundle_expired) == (bundle, False)
    DiagnosticsBundle.objects.filter(pk=bundle.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    [item] = device_action_history(operator=personas.helpdesk, device=devices.anton)
    assert (item.bundle, item.bundle_expired) == (None, True)


def test_the_section_offers_no_download_to_a_role_that_may_not_collect(personas, devices) -> None:
    _bundle(personas, devices.anton)
    [item] = device_action_history(operator=personas.reader, device=devices.anton)
    assert item.bundle is None
