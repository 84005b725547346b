from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from deskside.access.checks import operator_grants
from deskside.access.decorators import operator_view


@require_GET
@operator_view()
def home(request: HttpRequest) -> HttpResponse:
    """The operator's start page: their tenant, and the pages their roles open."""
    grants = operator_grants(request.user)  # type: ignore[arg-type]
    return render(request, "core/home.html", {"grant_count": len(grants.items)})


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
