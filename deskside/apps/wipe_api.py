"""Selective wipe of protected app data over the API (docs/apps.md "Selective wipe").

Operators (portal session, ``LicensedOperator``) list, request and cancel wipes: reading needs
``ManagedApps.Read`` over the user, requesting and canceling ``ManagedApps.Wipe``; a user out of
scope is a 404, a role too weak a 403. A protected app (``managedApps`` access token of the user)
reports what it did with the wipe its check-in's answer gave it. Input schemas forbid unknown
fields; a refusal is a 4xx whose detail names the field.
"""

# No ``from __future__ import annotations``: ninja reads the paginated list's query parameters
# from its signature through paginate's wrapper, which cannot resolve names given as strings.

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from deskside.access.checks import get_or_404, require
from deskside.api.auth import LicensedOperator, operator_of
from deskside.apps.api import ErrorOut, ManagedAppsToken, Strict
from deskside.apps.choices import WipeState
from deskside.apps.models import AppWipeRequest, AppWipeTarget
from deskside.apps.selectors import wipe_request_get, wipe_request_list
from deskside.apps.validation import APP_IDENTIFIER
from deskside.apps.wipes import WipeRefused, app_wipe_cancel, app_wipe_report, app_wipe_request
from deskside.directory.models import User

READ_PERMISSION = "ManagedApps.Read"
WIPE_PERMISSION = "ManagedApps.Wipe"

router = Router(tags=["app selective wipe"], auth=LicensedOperator())

State = Literal["pending", "succeeded", "failed", "canceled"]
assert set(State.__args__) == set(WipeState.values)  # type: ignore[attr-defined]


class WipeRequestIn(Strict):
    userId: int
    deviceTag: str = Field(min_length=1, max_length=200)


class WipeResultIn(Strict):
    appIdentifier: str = Field(min_length=3, max_length=200, pattern=f"^{APP_IDENTIFIER.pattern}$")
    state: Literal["succeeded", "failed"]
    detail: str = Field(default="", max_length=1000)


class WipeTargetOut(Schema):
    """One protected app of the request and what it reported."""

    appIdentifier: str = Field(alias="app_identifier")
    appName: str = Field(alias="app_name")
    state: State
    detail: str
    deliveredDateTime: datetime | None = Field(alias="delivered_at")
    reportedDateTime: datetime | None = Field(alias="reported_at")


class WipeRequestOut(Schema):
    id: int
    userId: int = Field(alias="user_id")
    userPrincipalName: str
    deviceTag: str = Field(alias="device_tag")
    deviceName: str = Field(alias="device_name")
    state: State
    requestedBy: str | None
    requestedDateTime: datetime = Field(alias="requested_at")
    completedDateTime: datetime | None = Field(alias="completed_at")
    apps: list[WipeTargetOut]

    @staticmethod
    def resolve_userPrincipalName(wipe: AppWipeRequest) -> str:
        return wipe.user.email

    @staticmethod
    def resolve_requestedBy(wipe: AppWipeRequest) -> str | None:
        return wipe.requested_by.email if wipe.requested_by else None

    @staticmethod
    def resolve_apps(wipe: AppWipeRequest) -> list[AppWipeTarget]:
        return list(wipe.targets.all())


def _refused(refusal: WipeRefused) -> HttpError:
    return HttpError(refusal.status, f"{refusal.field}: {refusal.message}")


@router.get("", response=list[WipeRequestOut])
@paginate(PageNumberPagination, page_size=50)
def wipe_list(
    request: HttpRequest, userId: int | None = None, state: State | None = None
) -> QuerySet[AppWipeRequest]:
    """Selective wipe requests of the users in the operator's scope, newest first (50 a page:
    ``?page=2``), optionally of one user (``?userId=``) or in one state (``?state=``)."""
    operator = operator_of(request)
    require(operator, READ_PERMISSION)
    return wipe_request_list(operator=operator, user_id=userId, state=state or "")


@router.post(
    "",
    response={201: WipeRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def wipe_create(request: HttpRequest, payload: WipeRequestIn) -> tuple[int, AppWipeRequest]:
    """Ask every protected app of the user on the device with ``deviceTag`` to wipe its managed
    data; each receives it in the answer to its next check-in. Needs ManagedApps.Wipe over the
    user."""
    operator = operator_of(request)
    user = get_or_404(User.objects.all(), operator, WIPE_PERMISSION, pk=payload.userId)
    try:
        wipe = app_wipe_request(
            user=user, device_tag=payload.deviceTag, actor=operator, request=request
        )
    except WipeRefused as refusal:
        raise _refused(refusal) from refusal
    return 201, wipe_request_get(operator=operator, pk=wipe.pk, permission=WIPE_PERMISSION)


@router.get("/{wipeRequestId}", response={200: WipeRequestOut, 403: ErrorOut, 404: ErrorOut})
def wipe_detail(request: HttpRequest, wipeRequestId: int) -> AppWipeRequest:
    """One wipe request with the state each app reported."""
    return wipe_request_get(
        operator=operator_of(request), pk=wipeRequestId, permission=READ_PERMISSION
    )


@router.post(
    "/{wipeRequestId}/cancel",
    response={200: WipeRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def wipe_cancel(request: HttpRequest, wipeRequestId: int) -> AppWipeRequest:
    """Cancel a pending request: the apps that have not received it yet will not."""
    operator = operator_of(request)
    wipe = wipe_request_get(operator=operator, pk=wipeRequestId, permission=WIPE_PERMISSION)
    try:
        app_wipe_cancel(wipe=wipe, actor=operator, request=request)
    except WipeRefused as refusal:
        raise _refused(refusal) from refusal
    return wipe_request_get(operator=operator, pk=wipe.pk, permission=WIPE_PERMISSION)


@router.post(
    "/{wipeRequestId}/result",
    auth=ManagedAppsToken(),
    url_name="app_wipe_report",
    response={200: WipeTargetOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def wipe_result(request: HttpRequest, wipeRequestId: int, payload: WipeResultIn) -> AppWipeTarget:
    """A protected app of the signed-in user reports what it did with the wipe it received:
    ``succeeded`` (its managed data and sign-in are gone, and so is its registration) or
    ``failed`` with a ``detail``. Sending the same report again is harmless."""
    user: User = request.auth  # type: ignore[attr-defined]
    try:
        return app_wipe_report(
            user=user,
            wipe_id=wipeRequestId,
            app_identifier=payload.appIdentifier,
            state=payload.state,
            detail=payload.detail,
            request=request,
        )
    except WipeRefused as refusal:
        raise _refused(refusal) from refusal
