from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from deskside.access.decorators import operator_view
from deskside.audit import selectors
from deskside.audit.charts import day_bars
from deskside.audit.forms import EventFilterForm
from deskside.core.requests import PortalRequest


@require_GET
@operator_view("Audit.Read")
def event_list(request: PortalRequest) -> HttpResponse:
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/event_list.html", {"form": form}, status=400)
    events = selectors.event_list(operator=request.user, filters=form.filters())
    since, until = form.chart_range()
    days = selectors.events_per_day(events=events, since=since, until=until)
    page = Paginator(events.select_related(None), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "chart": day_bars(days), "query": query.urlencode()}
    return render(request, "audit/event_list.html", context)
