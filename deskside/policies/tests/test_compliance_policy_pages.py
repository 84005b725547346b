"""The compliance policy pages: create, edit, assign and delete, each audited; bad input is a
400 that names the field; roles too weak get a 403 and another tenant's policy is a 404; the
detail page lists the devices in the operator's scope with the failing setting and the value the
device reported, in a fixed number of queries."""

from __future__ import annotations

import pytest

from deskside.audit.models import AuditEvent
from deskside.policies.models import (
    CompliancePolicy,
    CompliancePolicyAssignment,
    DeviceComplianceStatus,
)
from deskside.policies.tests.helpers import device_in, grant_reports, policy

FORM = {
    "name": "Laptops",
    "description": "Company laptops",
    "platform": "Linux",
    "os_minimum_version": "12.5",
    "os_maximum_version": "",
    "require_encryption": "on",
    "minimum_agent_version": "1.0",
    "max_days_since_check_in": "14",
    "grace_period_days": "3",
}


def test_an_administrator_creates_a_policy(personas, login) -> None:
    response = login(personas.admin).post("/policies/compliance/new/", FORM)
    made = CompliancePolicy.objects.get(name="Laptops")
    assert response.status_code == 302
    assert response["Location"] == f"/policies/compliance/{made.pk}/assign/"
    assert (made.tenant, made.os_minimum_version, made.require_encryption) == (
        personas.tenant,
        "12.5",
        True,
    )
    assert (made.require_firewall, made.max_days_since_check_in, made.grace_period_days) == (
        False,
        14,
        3,
    )
    event = AuditEvent.objects.get(action="compliancePolicyCreated")
    assert (event.actor, event.target_id, event.details) == (
        personas.admin,
        str(made.pk),
        {"platform": "Linux"},
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"os_minimum_version": "thirteen"}, "os_minimum_version", "dotted version"),
        ({"os_maximum_version": "12.1"}, "os_maximum_version", "below the minimum"),
        ({"grace_period_days": "-1"}, "grace_period_days", "greater than or equal to 0"),
        ({"platform": "BeOS"}, "platform", "valid choice"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(personas, login, change, field, message) -> None:
    response = login(personas.admin).post("/policies/compliance/new/", {**FORM, **change})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not CompliancePolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="compliancePolicyCreated").exists()


def test_a_name_is_used_once_per_tenant(personas, login) -> None:
    policy(personas.tenant, [], name="Laptops")
    policy(personas.other_tenant, [], name="Elsewhere")
    client = login(personas.admin)
    assert client.post("/policies/compliance/new/", FORM).status_code == 400
    assert (
        client.post("/policies/compliance/new/", {**FORM, "name": "Elsewhere"}).status_code == 302
    )


def test_an_edit_is_audited_with_the_fields_that_changed(personas, login) -> None:
    made = policy(personas.tenant, [], name="Laptops", require_encryption=True)
    response = login(personas.admin).post(
        f"/policies/compliance/{made.pk}/edit/", {**FORM, "require_firewall": "on"}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.require_firewall, made.os_minimum_version) == (True, "12.5")
    event = AuditEvent.objects.get(action="compliancePolicyUpdated")
    assert event.details == {
        "fields": [
            "description",
            "grace_period_days",
            "max_days_since_check_in",
            "minimum_agent_version",
            "os_minimum_version",
            "require_firewall",
        ]
    }


def test_assignments_are_saved_and_audited(personas, login) -> None:
    made = policy(personas.tenant, [], name="Laptops")
    response = login(personas.admin).post(
        f"/policies/compliance/{made.pk}/assign/",
        {"include_groups": [personas.all_staff.pk], "exclude_groups": [personas.sales.pk]},
    )
    assert response.status_code == 302
    links = set(
        CompliancePolicyAssignment.objects.filter(policy=made).values_list("group", "excluded")
    )
    assert links == {(personas.all_staff.pk, False), (personas.sales.pk, True)}
    event = AuditEvent.objects.get(action="compliancePolicyAssigned")
    assert event.details == {
        "included": ["All staff"],
        "excluded": ["Sales"],
        "added": ["All staff", "Sales"],
        "removed": [],
    }


@pytest.mark.parametrize(
    "form",
    [
        {"include_groups": ["SALES"], "exclude_groups": ["SALES"]},
        {"include_groups": ["OTHER"]},
    ],
)
def test_a_group_in_both_lists_or_of_another_tenant_is_refused(personas, login, form) -> None:
    from deskside.directory.models import Group

    other = Group.objects.filter(tenant=personas.other_tenant).first()
    ids = {"SALES": personas.sales.pk, "OTHER": other.pk}
    made = policy(personas.tenant, [], name="Laptops")
    data = {key: [ids[v] for v in values] for key, values in form.items()}
    response = login(personas.admin).post(f"/policies/compliance/{made.pk}/assign/", data)
    assert response.status_code == 400
    assert not CompliancePolicyAssignment.objects.exists()


def test_a_delete_is_audited(personas, login) -> None:
    made = policy(personas.tenant, [], name="Laptops")
    response = login(personas.admin).post(f"/policies/compliance/{made.pk}/delete/")
    assert response.status_code == 302
    assert not CompliancePolicy.objects.exists()
    event = AuditEvent.objects.get(action="compliancePolicyDeleted")
    assert (event.target_id, event.target_label) == (str(made.pk), "Laptops")


@pytest.mark.parametrize(
    ("persona", "status"), [("helpdesk", 403), ("reader", 403), ("outsider", 404)]
)
@pytest.mark.parametrize("action", ["edit/", "delete/", "assign/"])
def test_writes_are_refused_to_weak_roles_and_other_tenants(
    personas, login, persona, status, action
) -> None:
    made = policy(personas.tenant, [], name="Laptops", require_encryption=True)
    response = login(getattr(personas, persona)).post(
        f"/policies/compliance/{made.pk}/{action}", {**FORM, "include_groups": [personas.sales.pk]}
    )
    assert response.status_code == status
    made.refresh_from_db()
    assert (made.name, made.os_minimum_version) == ("Laptops", "")
    assert not CompliancePolicyAssignment.objects.exists()
    assert (
        not AuditEvent.objects.filter(action__startswith="compliancePolicy")
        .exclude(action="compliancePolicyCreated")
        .exists()
    )


def test_a_weak_role_cannot_create(personas, login) -> None:
    assert login(personas.helpdesk).post("/policies/compliance/new/", FORM).status_code == 403
    assert not CompliancePolicy.objects.exists()


def test_the_detail_page_shows_the_failing_setting_and_the_reported_value(
    client, enrollment, personas, login
) -> None:
    made = policy(personas.tenant, [personas.all_staff], os_minimum_version="13.0")
    device_in(client, personas.lyon, "lyon-1", osVersion="12.6")
    response = login(personas.admin).get(f"/policies/compliance/{made.pk}/")
    assert response.status_code == 200
    (row,) = response.context["report"].rows
    (setting,) = row.settings
    assert (setting.setting, setting.expected, setting.reported) == (
        "osMinimumVersion",
        "13.0",
        "12.6",
    )
    body = response.content.decode()
    assert "OS version 12.6 is below the minimum 13.0." in body
    assert "lyon-1" in body
    assert "<svg" in body and "style=" not in body


def test_the_detail_page_lists_only_devices_in_the_operator_s_scope(
    client, enrollment, personas, login
) -> None:
    made = policy(personas.tenant, [personas.all_staff], require_encryption=True)
    device_in(client, personas.lyon, "lyon-1", isEncrypted=False)
    device_in(client, personas.amsterdam, "ams-1")
    assert DeviceComplianceStatus.objects.filter(policy=made).count() == 2

    admin = login(personas.admin).get(f"/policies/compliance/{made.pk}/")
    names = [row.record.device.device_name for row in admin.context["report"].rows]
    assert names == ["ams-1", "lyon-1"]
    grant_reports(personas.tenant, personas.helpdesk_group, [personas.amsterdam])
    helpdesk = login(personas.helpdesk).get(f"/policies/compliance/{made.pk}/")
    assert [row.record.device.device_name for row in helpdesk.context["report"].rows] == ["ams-1"]
    counts = {bar.status: bar.count for bar in helpdesk.context["report"].chart.bars}
    assert (counts["compliant"], counts["nonCompliant"]) == (1, 0)
    assert "lyon-1" not in helpdesk.content.decode()


@pytest.mark.parametrize("persona", ["helpdesk", "reader"])
def test_the_device_status_report_needs_view_reports(
    client, enrollment, personas, login, persona
) -> None:
    made = policy(personas.tenant, [personas.all_staff], require_encryption=True)
    device_in(client, personas.amsterdam, "ams-1", isEncrypted=False)
    response = login(getattr(personas, persona)).get(f"/policies/compliance/{made.pk}/")
    assert response.status_code == 200
    assert response.context["report"] is None
    body = response.content.decode()
    assert 'id="policy-devices-denied"' in body
    assert "DeviceCompliancePolicies.ViewReports" in body
    assert "ams-1" not in body and "<svg" not in body
    assert "Encryption" in body  # the policy itself is still shown


def test_the_status_filter_shows_one_status(client, enrollment, personas, login) -> None:
    made = policy(personas.tenant, [personas.all_staff], require_encryption=True)
    device_in(client, personas.lyon, "lyon-1", isEncrypted=False)
    device_in(client, personas.amsterdam, "ams-1")
    response = login(personas.admin).get(f"/policies/compliance/{made.pk}/?status=nonCompliant")
    assert [row.record.device.device_name for row in response.context["report"].rows] == ["lyon-1"]


def test_the_detail_page_costs_the_same_queries_for_more_devices(
    client, enrollment, personas, login, django_assert_max_num_queries
) -> None:
    made = policy(personas.tenant, [personas.all_staff], os_minimum_version="13")
    device_in(client, personas.lyon, "lyon-0")
    admin = login(personas.admin)
    admin.get(f"/policies/compliance/{made.pk}/")
    with django_assert_max_num_queries(12) as few:
        assert admin.get(f"/policies/compliance/{made.pk}/").status_code == 200
    budget = len(few)
    for number in range(1, 5):
        device_in(client, personas.lyon, f"lyon-{number}")
    login(personas.admin)
    with django_assert_max_num_queries(budget):
        response = admin.get(f"/policies/compliance/{made.pk}/")
    assert len(response.context["report"].rows) == 5


def test_the_list_shows_the_assignments(personas, login) -> None:
    policy(personas.tenant, [personas.lyon], name="Laptops", exclude=[personas.sales])
    policy(personas.other_tenant, [], name="Not ours")
    response = login(personas.helpdesk).get("/policies/compliance/")
    body = response.content.decode()
    assert "Laptops" in body and "Lyon office" in body and "excluded: Sales" in body
    assert "Not ours" not in body
