"""The audit log page: the tenant's own events only, filters, a per-day chart, clear errors."""

from __future__ import annotations

from deskside.audit.choices import Action, Outcome
from deskside.audit.services import audit_record


def test_it_lists_only_the_operators_tenant(login, personas) -> None:
    audit_record(action=Action.SIGN_IN, tenant=personas.tenant, actor=personas.admin)
    audit_record(action=Action.SIGN_IN, tenant=personas.other_tenant, actor=personas.outsider)
    audit_record(action=Action.SIGN_IN_FAILED, tenant=None, actor=None, actor_label="x@y.z")
    response = login(personas.reader).get("/audit/?action=signIn")
    actors = [event.actor_label for event in response.context["page"]]
    assert actors == ["admin@lakeside.test"]


def test_filters_narrow_the_list_and_the_chart(login, personas) -> None:
    audit_record(action=Action.SIGN_IN, tenant=personas.tenant, actor=personas.admin)
    audit_record(
        action=Action.SIGN_IN_FAILED,
        outcome=Outcome.FAILURE,
        tenant=personas.tenant,
        actor=personas.reader,
    )
    response = login(personas.admin).get("/audit/?outcome=failure&actor=reader")
    assert [e.action for e in response.context["page"]] == [Action.SIGN_IN_FAILED]
    chart = response.context["chart"]
    assert (chart.total, chart.failed) == (1, 1)
    assert len(chart.bars) == 30
    assert "<svg" in response.content.decode()


def test_a_bad_date_is_a_400_that_says_so(login, personas) -> None:
    client = login(personas.admin)
    bad = client.get("/audit/?since=yesterday")
    backwards = client.get("/audit/?since=2026-05-02&until=2026-05-01")
    assert bad.status_code == backwards.status_code == 400
    assert "Enter a valid date" in bad.content.decode()
    assert "must not be after" in backwards.content.decode()


def test_the_page_is_a_bounded_number_of_queries(
    login, personas, django_assert_max_num_queries
) -> None:
    for _ in range(80):
        audit_record(action=Action.SIGN_IN, tenant=personas.tenant, actor=personas.admin)
    client = login(personas.admin)
    with django_assert_max_num_queries(8):
        response = client.get("/audit/")
    assert len(response.context["page"]) == 50
