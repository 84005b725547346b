"""The JSON API under /api/v1: one ninja router per part; its OpenAPI document at
/api/v1/openapi.json. No Swagger page: it would load scripts from a CDN, which the CSP forbids."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from deskside.apps.api import router as app_protection_router
from deskside.apps.wipe_api import router as app_wipe_router
from deskside.fleet.agent_api import router as agent_router
from deskside.fleet.api import router as fleet_router
from deskside.fleet.devices_api import router as devices_router

api = NinjaAPI(
    title="Deskside API",
    version="1",
    description="Operators' and agents' API. Field names and enum values follow Microsoft "
    "Graph's Intune names where a counterpart exists.",
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/enrollment", fleet_router)
api.add_router("/agent", agent_router)
api.add_router("/devices", devices_router)
api.add_router("/app-protection", app_protection_router)
api.add_router("/app-protection/wipe-requests", app_wipe_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, denied: PermissionDenied) -> HttpResponse:
    """The access check's refusal of a target in scope: 403 with its message."""
    return api.create_response(request, {"detail": str(denied)}, status=403)
