"""The tenant's compliance settings: "mark devices with no compliance policy assigned as"
compliant (the default) or not compliant; Organization.Update or
DeviceCompliancePolicies.Update may change it; each change is audited."""

from __future__ import annotations

import pytest

from deskside.audit.models import AuditEvent
from deskside.policies.models import ComplianceSettings
from deskside.policies.tests.helpers import checked_in, grant


def test_the_default_is_compliant(personas, login) -> None:
    response = login(personas.admin).get("/policies/compliance/settings/")
    assert response.status_code == 200
    assert response.context["form"].initial == {"no_policy_state": "compliant"}


def test_an_administrator_changes_it_and_devices_follow(client, enrolled, personas, login) -> None:
    checked_in(client, enrolled.credential)
    response = login(personas.admin).post(
        "/policies/compliance/settings/", {"no_policy_state": "noncompliant"}
    )
    assert response.status_code == 302
    assert ComplianceSettings.objects.get(tenant=personas.tenant).no_policy_state == "noncompliant"
    assert enrolled.reload().compliance_state == "noncompliant"
    event = AuditEvent.objects.get(action="complianceSettingsUpdated")
    assert (event.actor, event.details) == (
        personas.admin,
        {"no_policy_state": ["compliant", "noncompliant"]},
    )


def test_a_policy_manager_may_change_it_too(personas, login) -> None:
    grant(personas, personas.nobody, permissions=["DeviceCompliancePolicies.Update"])
    response = login(personas.nobody).post(
        "/policies/compliance/settings/", {"no_policy_state": "noncompliant"}
    )
    assert response.status_code == 302
    assert ComplianceSettings.objects.get().no_policy_state == "noncompliant"


def test_saving_the_same_value_again_writes_nothing(personas, login) -> None:
    client = login(personas.admin)
    client.post("/policies/compliance/settings/", {"no_policy_state": "noncompliant"})
    client.post("/policies/compliance/settings/", {"no_policy_state": "noncompliant"})
    assert AuditEvent.objects.filter(action="complianceSettingsUpdated").count() == 1


def test_another_tenant_s_settings_are_its_own(personas, login) -> None:
    login(personas.outsider).post(
        "/policies/compliance/settings/", {"no_policy_state": "noncompliant"}
    )
    assert ComplianceSettings.objects.get().tenant == personas.other_tenant


def test_a_bad_value_is_a_400(personas, login) -> None:
    response = login(personas.admin).post(
        "/policies/compliance/settings/", {"no_policy_state": "maybe"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["no_policy_state"]
    assert not ComplianceSettings.objects.exists()


@pytest.mark.parametrize("persona", ["helpdesk", "reader", "role_admin"])
def test_other_roles_are_refused(personas, login, persona) -> None:
    response = login(getattr(personas, persona)).post(
        "/policies/compliance/settings/", {"no_policy_state": "noncompliant"}
    )
    assert response.status_code == 403
    assert not ComplianceSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="complianceSettingsUpdated").exists()
