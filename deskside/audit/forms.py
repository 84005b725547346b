from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deskside.audit.choices import Action, Outcome
from deskside.audit.selectors import EventFilter

MAX_CHART_DAYS = 366


class EventFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Activity"), choices=[("", _("All"))] + Action.choices, required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("All"))] + Outcome.choices, required=False
    )
    actor = forms.CharField(label=_("Who"), max_length=254, required=False)
    target = forms.CharField(label=_("Target"), max_length=300, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data

    def filters(self) -> EventFilter:
        return EventFilter(**self.cleaned_data)

    def chart_range(self) -> tuple[date, date]:
        """The chart's days: the filter's range (at most a year), else the last 30 days."""
        until: date = self.cleaned_data.get("until") or timezone.localdate()
        since: date = self.cleaned_data.get("since") or until - timedelta(days=29)
        since = max(since, until - timedelta(days=MAX_CHART_DAYS - 1))
        return since, until
