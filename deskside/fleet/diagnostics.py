"""Diagnostics bundles: the logs a device uploads for a collectDiagnostics action.

A bundle is a tar.gz the agent posts to ``/api/v1/agent/actions/{actionId}/diagnostics``. It is
streamed to a file under ``DESKSIDE_DIAGNOSTICS_DIR`` (refused beyond
``DESKSIDE_DIAGNOSTICS_MAX_BYTES``), recorded as a ``DiagnosticsBundle`` and kept for
``DESKSIDE_DIAGNOSTICS_DAYS``; ``deskside diagnostics-expire`` deletes expired rows and files.
Operators download a bundle from the device page (audited). See docs/device-actions.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from deskside.access.checks import NOT_FOUND_MESSAGE
from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.directory.models import User
from deskside.fleet.models import (
    UNFINISHED_ACTION_STATES,
    DeviceAction,
    DeviceActionType,
    DiagnosticsBundle,
    ManagedDevice,
)

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# An upload in progress is a hidden temporary file; one older than this was abandoned.
ABANDONED_AFTER = timedelta(days=1)


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class DiagnosticsRefused(Exception):
    """An upload that is not stored: ``status`` 404 (no such action), 413 (too large) or 400."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def diagnostics_dir() -> Path:
    folder = Path(settings.DESKSIDE_DIAGNOSTICS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _bundle_path(file_name: str) -> Path:
    return diagnostics_dir() / Path(file_name).name


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _upload_action(*, device: ManagedDevice, action_id: int, lock: bool = False) -> DeviceAction:
    actions = DeviceAction.objects.filter(
        device_id=device.pk,
        pk=action_id,
        action=DeviceActionType.COLLECT_DIAGNOSTICS,
        state__in=UNFINISHED_ACTION_STATES,
    )
    action = (actions.select_for_update() if lock else actions).first()
    if action is None:
        raise DiagnosticsRefused(404, "No unfinished collectDiagnostics action of this device.")
    return action


def _receive(stream: Readable, limit: int) -> tuple[Path, int, str]:
    """Copy the body to a temporary file in the diagnostics folder: (path, size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept after closing, on success)
        dir=diagnostics_dir(), prefix=".upload-", suffix=".part", delete=False
    )
    path = Path(handle.name)
    try:
        with handle:
            while chunk := stream.read(CHUNK_BYTES):
                if size == 0 and not chunk.startswith(GZIP_MAGIC):
                    raise DiagnosticsRefused(400, "The body is not a gzip file.")
                size += len(chunk)
                if size > limit:
                    raise DiagnosticsRefused(413, f"The bundle is larger than {limit} bytes.")
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise DiagnosticsRefused(400, "The body is empty.")
    except BaseException:
        _remove(path)
        raise
    return path, size, digest.hexdigest()


def diagnostics_bundle_upload(
    *,
    device: ManagedDevice,
    action_id: int,
    stream: Readable,
    content_length: int | None,
    now: datetime | None = None,
) -> DiagnosticsBundle:
    """Store the bundle the device's agent sends for its unfinished collectDiagnostics action.

    The declared length is checked first, then the action, then the body while it is read
    (nothing beyond the limit is written); the row and its audit event are written in one
    transaction. A second upload for the same action (a retry) replaces the first."""
    limit = settings.DESKSIDE_DIAGNOSTICS_MAX_BYTES
    if content_length is not None and content_length > limit:
        raise DiagnosticsRefused(413, f"The bundle is larger than {limit} bytes.")
    _upload_action(device=device, action_id=action_id)
    received, size, sha256 = _receive(stream, limit)
    final = _bundle_path(f"{uuid.uuid4().hex}.tar.gz")
    os.replace(received, final)
    try:
        return _bundle_record(
            device=device,
            action_id=action_id,
            file_name=final.name,
            size=size,
            sha256=sha256,
            now=now or timezone.now(),
        )
    except BaseException:
        # Not recorded: the file goes (a crash before this point leaves an orphan, which
        # diagnostics_bundles_expire sweeps).
        _remove(final)
        raise


@transaction.atomic
def _bundle_record(
    *,
    device: ManagedDevice,
    action_id: int,
    file_name: str,
    size: int,
    sha256: str,
    now: datetime,
) -> DiagnosticsBundle:
    device = ManagedDevice.objects.select_for_update().get(pk=device.pk)
    action = _upload_action(device=device, action_id=action_id, lock=True)
    bundle = DiagnosticsBundle.objects.filter(action=action).first()
    if bundle is None:
        bundle = DiagnosticsBundle(device=device, action=action)
    else:
        transaction.on_commit(partial(_remove, _bundle_path(bundle.file_name)))
    bundle.file_name = file_name
    bundle.size_bytes = size
    bundle.sha256 = sha256
    bundle.uploaded_at = now
    bundle.expires_at = now + timedelta(days=settings.DESKSIDE_DIAGNOSTICS_DAYS)
    bundle.save()
    audit_record(
        action=Action.DIAGNOSTICS_UPLOADED,
        tenant=device.tenant,
        actor=None,
        actor_label=device.device_name,
        target=device,
        details={"actionId": action.pk, "sizeInBytes": size, "sha256": sha256},
    )
    return bundle


def diagnostics_bundle_get(
    *, device: ManagedDevice, bundle_id: int, now: datetime | None = None
) -> DiagnosticsBundle:
    """The device's bundle ``bundle_id`` while it is kept, else Http404 (expired bundles are
    not downloadable). The caller has checked the operator's access to the device."""
    bundle = (
        DiagnosticsBundle.objects.select_related("device")
        .filter(device_id=device.pk, pk=bundle_id, expires_at__gt=now or timezone.now())
        .first()
    )
    if bundle is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return bundle


@transaction.atomic
def diagnostics_bundle_open(
    *, bundle: DiagnosticsBundle, actor: User, request: HttpRequest | None = None
) -> BinaryIO:
    """Open the bundle's file for an operator's download, and audit the download."""
    try:
        handle = _bundle_path(bundle.file_name).open("rb")
    except FileNotFoundError as missing:
        logger.error("The file of diagnostics bundle %s is missing", bundle.pk)
        raise Http404(_("The file of this diagnostics bundle is missing.")) from missing
    audit_record(
        action=Action.DIAGNOSTICS_DOWNLOADED,
        tenant=bundle.device.tenant,
        actor=actor,
        target=bundle.device,
        request=request,
        details={"bundleId": bundle.pk, "actionId": bundle.action_id, "sha256": bundle.sha256},
    )
    return handle


def diagnostics_download_name(bundle: DiagnosticsBundle) -> str:
    """The file name an operator's browser saves the bundle as."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in bundle.device.device_name)
    return f"diagnostics-{safe}-{bundle.uploaded_at:%Y%m%d-%H%M%S}.tar.gz"


def diagnostics_bundles_expire(*, now: datetime | None = None) -> int:
    """Delete the bundles whose retention has ended, rows and files (each audited), and files
    that no row names (abandoned uploads); the number of bundles deleted."""
    now = now or timezone.now()
    deleted = 0
    expired = DiagnosticsBundle.objects.filter(expires_at__lte=now).values_list("pk", flat=True)
    for bundle_id in list(expired):
        deleted += _bundle_expire(bundle_id=bundle_id, now=now)
    _orphans_remove(now=now)
    return deleted


@transaction.atomic
def _bundle_expire(*, bundle_id: int, now: datetime) -> int:
    bundle = (
        DiagnosticsBundle.objects.select_for_update()
        .select_related("device__tenant")
        .filter(pk=bundle_id, expires_at__lte=now)
        .first()
    )
    if bundle is None:
        return 0
    audit_record(
        action=Action.DIAGNOSTICS_EXPIRED,
        tenant=bundle.device.tenant,
        actor=None,
        actor_label="retention",
        target=bundle.device,
        details={"bundleId": bundle.pk, "actionId": bundle.action_id, "sha256": bundle.sha256},
    )
    bundle.delete()
    transaction.on_commit(partial(_remove, _bundle_path(bundle.file_name)))
    return 1


def _orphans_remove(*, now: datetime) -> None:
    known = set(DiagnosticsBundle.objects.values_list("file_name", flat=True))
    cutoff = (now - ABANDONED_AFTER).timestamp()
    for path in diagnostics_dir().iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            logger.info("Removing the abandoned diagnostics file %s", path.name)
            _remove(path)
