"""Reads of the audit log: one tenant's events, filtered, and a per-day summary for the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from deskside.audit.choices import Outcome
from deskside.audit.models import AuditEvent
from deskside.directory.models import User


@dataclass(frozen=True)
class EventFilter:
    action: str = ""
    outcome: str = ""
    actor: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def event_list(*, operator: User, filters: EventFilter) -> QuerySet[AuditEvent]:
    """The tenant's events, newest first, narrowed by the filters."""
    events = AuditEvent.objects.filter(tenant_id=operator.tenant_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.actor:
        events = events.filter(actor_label__icontains=filters.actor)
    if filters.target:
        events = events.filter(target_label__icontains=filters.target)
    if filters.since:
        events = events.filter(occurred_at__gte=_day_start(filters.since))
    if filters.until:
        events = events.filter(occurred_at__lt=_day_start(filters.until + timedelta(days=1)))
    return events.order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class Day:
    day: date
    succeeded: int
    failed: int

    @property
    def total(self) -> int:
        return self.succeeded + self.failed


def events_per_day(*, events: QuerySet[AuditEvent], since: date, until: date) -> list[Day]:
    """Events per day between two dates (every day present, zero or not), in one query."""
    rows = (
        events.filter(
            occurred_at__gte=_day_start(since),
            occurred_at__lt=_day_start(until + timedelta(days=1)),
        )
        .order_by()
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            failed=Count("id", filter=~Q(outcome=Outcome.SUCCESS)),
            succeeded=Count("id", filter=Q(outcome=Outcome.SUCCESS)),
        )
    )
    counts = {row["day"]: (row["succeeded"], row["failed"]) for row in rows}
    days = []
    day = since
    while day <= until:
        succeeded, failed = counts.get(day, (0, 0))
        days.append(Day(day, succeeded, failed))
        day += timedelta(days=1)
    return days
