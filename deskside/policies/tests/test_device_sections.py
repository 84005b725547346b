"""The device page's compliance and configuration sections (the device page contract): each
selector returns the device's statuses the operator may see — nothing without the section's
read permission or for a device out of scope — and its partial renders without a query."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory

from deskside.access.checks import operator_grants
from deskside.policies.selectors import device_compliance_statuses, device_profile_statuses
from deskside.policies.tests.helpers import PASSPHRASE, checked_in, grant, policy, wifi


def _render(template: str, operator, **context) -> str:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/devices/1/")
    request.user = operator
    context["perms_granted"] = operator_grants(operator).permissions()
    return render_to_string(template, context, request=request)


def test_an_administrator_sees_both_sections_with_their_reasons(
    client, enrolled, personas, django_assert_num_queries
) -> None:
    made = policy(personas.tenant, [personas.lyon], os_minimum_version="13")
    profile = wifi(personas.tenant, [personas.lyon])
    checked_in(client, enrolled.credential)
    device = enrolled.reload()
    operator_grants(personas.admin)
    with django_assert_num_queries(1):
        compliance = device_compliance_statuses(operator=personas.admin, device=device)
    with django_assert_num_queries(1):
        profiles = device_profile_statuses(operator=personas.admin, device=device)
    assert [(row.record.policy_id, row.record.status) for row in compliance] == [
        (made.pk, "nonCompliant")
    ]
    assert compliance[0].settings[0].explanation == "OS version 12.8 is below the minimum 13."
    assert [(row.record.profile_id, row.record.status) for row in profiles] == [
        (profile.pk, "pending")
    ]

    with django_assert_num_queries(0):
        compliance_html = _render(
            "policies/_device_compliance.html",
            personas.admin,
            device=device,
            compliance_statuses=compliance,
        )
        profiles_html = _render(
            "policies/_device_profiles.html",
            personas.admin,
            device=device,
            profile_statuses=profiles,
        )
    assert "OS version 12.8 is below the minimum 13." in compliance_html
    assert "Office Wi-Fi" in profiles_html
    assert PASSPHRASE not in profiles_html


def test_a_role_without_the_read_permission_gets_nothing(client, enrolled, personas) -> None:
    policy(personas.tenant, [personas.lyon], require_encryption=True)
    wifi(personas.tenant, [personas.lyon])
    checked_in(client, enrolled.credential)
    grant(personas, personas.nobody, role_key="applicationManager")
    device = enrolled.reload()
    assert device_compliance_statuses(operator=personas.nobody, device=device) == []
    assert len(device_profile_statuses(operator=personas.nobody, device=device)) == 1
    html = _render(
        "policies/_device_compliance.html", personas.nobody, device=device, compliance_statuses=[]
    )
    assert "Not available to your role." in html


def test_a_device_out_of_scope_or_in_another_tenant_shows_nothing(
    client, enrolled, personas
) -> None:
    policy(personas.tenant, [personas.lyon], require_encryption=True)
    wifi(personas.tenant, [personas.lyon])
    checked_in(client, enrolled.credential)
    device = enrolled.reload()
    for operator in (personas.helpdesk, personas.outsider):
        assert device_compliance_statuses(operator=operator, device=device) == []
        assert device_profile_statuses(operator=operator, device=device) == []
