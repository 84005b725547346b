"""Selective wipe of protected app data (ManagedApps.Wipe; docs/apps.md "Selective wipe").

An operator asks to wipe a user's app data on one device, as the protected apps know it (its
device tag). Every protected app of that user registered on that device becomes a target; an app
that registers there while the request is pending becomes one too. A target receives the wipe in
the answer to its app's next check-in, as often as it checks in until it reports; the app wipes
its managed data and reports ``succeeded`` or ``failed``. A succeeded wipe removes the app's
registration (its data and sign-in are gone; it registers anew when the user signs in again).

Canceling stops the targets not yet delivered; a target already delivered may still report
(what the app did is the truth), but the request stays canceled. Writes are atomic and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from deskside.apps.choices import WIPE_REPORTED_STATES, WipeState
from deskside.apps.models import AppRegistration, AppWipeRequest, AppWipeTarget
from deskside.audit.choices import Action, Outcome
from deskside.audit.services import audit_record
from deskside.directory.models import User


class WipeRefused(Exception):
    """The wipe cannot be requested, canceled or reported: ``field`` names what is wrong;
    ``status`` is the HTTP status the API answers with."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def _label(wipe: AppWipeRequest, user: User) -> str:
    return f"{user.email} on {wipe.device_name}"


@transaction.atomic
def app_wipe_request(
    *,
    user: User,
    device_tag: str,
    actor: User | None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> AppWipeRequest:
    """Ask every protected app of ``user`` on the device with ``device_tag`` to wipe its data."""
    now = now or timezone.now()
    registrations = list(
        AppRegistration.objects.filter(user=user, device_tag=device_tag).order_by(
            "-last_sync_at", "id"
        )
    )
    if not registrations:
        raise WipeRefused(
            "deviceTag", _("No protected app of this user is registered on this device.")
        )
    pending = _("A wipe of this user's app data on this device is already pending.")
    if AppWipeRequest.objects.filter(
        user=user, device_tag=device_tag, state=WipeState.PENDING
    ).exists():
        raise WipeRefused("deviceTag", pending, status=409)
    try:
        with transaction.atomic():
            wipe = AppWipeRequest.objects.create(
                tenant_id=user.tenant_id,
                user=user,
                device_tag=device_tag,
                device_name=registrations[0].device_name,
                requested_by=actor,
                requested_at=now,
            )
    except IntegrityError as race:  # another request for the same device landed first
        raise WipeRefused("deviceTag", pending, status=409) from race
    apps = {r.app_identifier: r.app_name for r in registrations}
    AppWipeTarget.objects.bulk_create(
        AppWipeTarget(request=wipe, app_identifier=identifier, app_name=name)
        for identifier, name in sorted(apps.items())
    )
    audit_record(
        action=Action.APP_WIPE_REQUESTED,
        tenant=user.tenant,
        actor=actor,
        target=wipe,
        target_label=_label(wipe, user),
        request=request,
        details={"user": user.email, "deviceName": wipe.device_name, "apps": sorted(apps)},
    )
    return wipe


@transaction.atomic
def app_wipe_cancel(
    *,
    wipe: AppWipeRequest,
    actor: User | None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> AppWipeRequest:
    """Cancel a pending request: its targets not yet delivered will not be."""
    now = now or timezone.now()
    wipe = AppWipeRequest.objects.select_for_update().select_related("user").get(pk=wipe.pk)
    if wipe.state != WipeState.PENDING:
        raise WipeRefused("state", _("Only a pending wipe can be canceled."), status=409)
    canceled = wipe.targets.filter(state=WipeState.PENDING, delivered_at__isnull=True).update(
        state=WipeState.CANCELED, reported_at=now
    )
    wipe.state = WipeState.CANCELED
    wipe.completed_at = now
    wipe.save(update_fields=["state", "completed_at"])
    audit_record(
        action=Action.APP_WIPE_CANCELED,
        tenant=wipe.user.tenant,
        actor=actor,
        target=wipe,
        target_label=_label(wipe, wipe.user),
        request=request,
        details={"user": wipe.user.email, "appsNotReached": canceled},
    )
    return wipe


@dataclass(frozen=True)
class WipeOrder:
    """What a checking-in protected app is told: wipe your data and report to this request."""

    wipe_request_id: int
    requested_at: datetime


def app_wipe_deliver(
    *, registration: AppRegistration, now: datetime | None = None
) -> WipeOrder | None:
    """The wipe a checking-in app must carry out, if a request for its user and device is
    pending and the app has not reported yet (an app registered after the request joins it).
    Runs inside the check-in's transaction; no query beyond one when nothing is pending."""
    now = now or timezone.now()
    wipe = (
        AppWipeRequest.objects.select_for_update()
        .filter(
            user_id=registration.user_id,
            device_tag=registration.device_tag,
            state=WipeState.PENDING,
        )
        .first()
    )
    if wipe is None:
        return None
    target, _created = AppWipeTarget.objects.get_or_create(
        request=wipe,
        app_identifier=registration.app_identifier,
        defaults={"app_name": registration.app_name},
    )
    if target.state != WipeState.PENDING:
        return None
    if target.delivered_at is None:
        target.delivered_at = now
        target.save(update_fields=["delivered_at"])
    return WipeOrder(wipe_request_id=wipe.pk, requested_at=wipe.requested_at)


@transaction.atomic
def app_wipe_report(
    *,
    user: User,
    wipe_id: int,
    app_identifier: str,
    state: str,
    detail: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> AppWipeTarget:
    """Record what a protected app of ``user`` did with the wipe it received. The same report
    again is a no-op (an app retrying); a different one after the first is refused."""
    now = now or timezone.now()
    if state not in WIPE_REPORTED_STATES:
        raise WipeRefused("state", _("The state must be succeeded or failed."))
    wipe = AppWipeRequest.objects.select_for_update().filter(pk=wipe_id, user=user).first()
    if wipe is None:
        raise WipeRefused("wipeRequestId", _("No such wipe request for this user."), status=404)
    target = wipe.targets.filter(app_identifier=app_identifier).first()
    if target is None or target.delivered_at is None:
        raise WipeRefused("appIdentifier", _("This app did not receive this wipe request."))
    if target.state == state and target.detail == detail[:1000]:
        return target
    if target.state != WipeState.PENDING:
        raise WipeRefused("state", _("This app already reported this wipe."), status=409)
    target.state = state
    target.detail = detail[:1000]
    target.reported_at = now
    target.save(update_fields=["state", "detail", "reported_at"])
    if state == WipeState.SUCCEEDED:
        AppRegistration.objects.filter(
            user=user, app_identifier=app_identifier, device_tag=wipe.device_tag
        ).delete()
    if (
        wipe.state == WipeState.PENDING
        and not wipe.targets.filter(state=WipeState.PENDING).exists()
    ):
        failed = wipe.targets.filter(state=WipeState.FAILED).exists()
        wipe.state = WipeState.FAILED if failed else WipeState.SUCCEEDED
        wipe.completed_at = now
        wipe.save(update_fields=["state", "completed_at"])
    audit_record(
        action=Action.APP_WIPE_REPORTED,
        outcome=Outcome.SUCCESS if state == WipeState.SUCCEEDED else Outcome.FAILURE,
        tenant=user.tenant,
        actor=user,
        target=wipe,
        target_label=_label(wipe, user),
        request=request,
        details={"app": app_identifier, "state": state, "detail": target.detail},
    )
    return target
