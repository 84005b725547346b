"""A profile result the server cannot place — an unknown profile id, a profile not assigned to
the device, a version never given — refuses the whole check-in (422 naming the field) and
stores nothing of it."""

from __future__ import annotations

import pytest

from deskside.fleet.tests.checkins import check_in, facts, report
from deskside.policies.models import DeviceComplianceStatus, DeviceProfileStatus
from deskside.policies.tests.helpers import checked_in, policy, wifi


@pytest.fixture
def delivered(client, enrolled, personas):  # type: ignore[no-untyped-def]
    made = wifi(personas.tenant, [personas.lyon])
    policy(personas.tenant, [personas.lyon], require_firewall=True)
    checked_in(client, enrolled.credential)
    return made


def _unchanged(enrolled, before) -> None:  # type: ignore[no-untyped-def]
    device = enrolled.reload()
    assert (device.last_sync_at, device.firewall_enabled, device.compliance_state) == before
    assert DeviceProfileStatus.objects.get().status == "pending"
    assert DeviceComplianceStatus.objects.get().status == "compliant"


@pytest.mark.parametrize(
    ("result", "field"),
    [
        ({"profileId": 999999, "version": 1, "state": "succeeded"}, "profileResults.1.profileId"),
        ({"profileId": None, "version": 9, "state": "succeeded"}, "profileResults.1.version"),
    ],
)
def test_an_unplaceable_result_is_a_422_and_nothing_is_stored(
    client, enrolled, delivered, result, field
) -> None:
    device = enrolled.reload()
    before = (device.last_sync_at, device.firewall_enabled, device.compliance_state)
    if result["profileId"] is None:
        result["profileId"] = delivered.pk
    good = {"profileId": delivered.pk, "version": 1, "state": "succeeded"}
    body = report(facts=facts(firewallEnabled=False), profileResults=[good, result])
    response = check_in(client, enrolled.credential, body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")
    _unchanged(enrolled, before)


def test_a_result_for_a_profile_not_assigned_to_the_device_is_a_422(
    client, enrolled, delivered, personas
) -> None:
    elsewhere = wifi(personas.tenant, [personas.sales], name="Sales Wi-Fi", ssid="Sales")
    device = enrolled.reload()
    before = (device.last_sync_at, device.firewall_enabled, device.compliance_state)
    body = report(
        facts=facts(firewallEnabled=False),
        profileResults=[{"profileId": elsewhere.pk, "version": 1, "state": "succeeded"}],
    )
    response = check_in(client, enrolled.credential, body)
    assert response.status_code == 422
    assert "profileResults.0.profileId" in response.json()["detail"]
    _unchanged(enrolled, before)


def test_another_tenant_s_profile_id_is_refused_like_an_unknown_one(
    client, enrolled, delivered, personas
) -> None:
    theirs = wifi(personas.other_tenant, [], name="Elsewhere Wi-Fi")
    body = report(profileResults=[{"profileId": theirs.pk, "version": 1, "state": "failed"}])
    response = check_in(client, enrolled.credential, body)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "profileResults.0.profileId: "
        "No configuration profile with this id is assigned to this device."
    )
