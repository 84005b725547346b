"""Check-in through the HTTP API: facts stored in one transaction, a retry answered the same,
malformed reports refused with the field named and nothing stored, credentials checked."""

from __future__ import annotations

import pytest

from deskside.api.main import api
from deskside.fleet.actions import device_action_request
from deskside.fleet.agent_api import CheckInOut
from deskside.fleet.models import ManagedDevice
from deskside.fleet.tests.checkins import check_in, enroll, facts, report


@pytest.fixture
def device(client, enrollment) -> tuple[ManagedDevice, str]:  # type: ignore[no-untyped-def]
    device_id, credential = enroll(client)
    return ManagedDevice.objects.get(pk=device_id), credential


def test_a_check_in_stores_the_facts_and_answers_what_to_do(client, device) -> None:
    managed, credential = device
    body = report(facts=facts(isEncrypted=False, firewallEnabled=None, osVersion="12.9"))
    response = check_in(client, credential, body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["deviceId"] == managed.pk
    assert {"actions", "profiles", "apps", "checkInIntervalSeconds"} <= set(answer)
    managed.refresh_from_db()
    assert (managed.os_version, managed.is_encrypted, managed.firewall_enabled) == (
        "12.9",
        False,
        None,
    )
    assert managed.last_sync_at is not None
    assert managed.agent_version == "1.2.0"


def test_the_answer_has_the_documented_shape_quiet_or_not(client, device, personas) -> None:
    """The view renders the service's answer without validating it again: hold it to the
    OpenAPI document's CheckInOut here, for a full check-in and a quiet one, with an action."""
    managed, credential = device
    device_action_request(device=managed, action="syncDevice", parameters={}, actor=personas.admin)
    answers = [check_in(client, credential, report(inventory=None)).json() for _ in range(2)]

    for answer in answers:
        assert set(answer) == set(CheckInOut.model_fields)
        CheckInOut.model_validate(answer)
    assert [a["action"] for a in answers[1]["actions"]] == ["syncDevice"]  # until it reports
    operation = api.get_openapi_schema()["paths"]["/api/v1/agent/checkin"]["post"]
    documented = operation["responses"][200]["content"]["application/json"]["schema"]
    assert documented["$ref"].endswith("/CheckInOut")


def test_a_retry_of_the_same_report_gets_the_same_answer_and_changes_nothing(
    client, device
) -> None:
    managed, credential = device
    body = report()
    first = check_in(client, credential, body).json()
    managed.refresh_from_db()
    synced = managed.last_sync_at
    again = check_in(client, credential, body)
    assert again.status_code == 200
    assert again.json() == first
    managed.refresh_from_db()
    assert managed.last_sync_at == synced


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"facts": facts(osVersion="")}, "osVersion"),
        ({"facts": {k: v for k, v in facts().items() if k != "isEncrypted"}}, "isEncrypted"),
        ({"facts": facts(freeStorageSpaceInBytes=-1)}, "freeStorageSpaceInBytes"),
        ({"reportId": "not-a-uuid"}, "reportId"),
        ({"colour": "red"}, "colour"),
        ({"actionResults": [{"actionId": 1, "state": "exploded"}]}, "state"),
    ],
)
def test_a_malformed_report_is_a_422_that_names_the_field_and_stores_nothing(
    client, device, change, field
) -> None:
    managed, credential = device
    response = check_in(client, credential, report(**change))
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    managed.refresh_from_db()
    assert managed.last_sync_at is None


def test_another_operating_system_is_refused(client, device) -> None:
    managed, credential = device
    response = check_in(client, credential, report(facts=facts(operatingSystem="Windows")))
    assert response.status_code == 422
    assert "facts.operatingSystem" in response.json()["detail"]
    managed.refresh_from_db()
    assert managed.last_sync_at is None


@pytest.mark.parametrize("credential", ["", "not-the-credential"])
def test_an_unknown_credential_is_a_401(client, device, credential) -> None:
    response = check_in(client, credential, report())
    assert response.status_code == 401


def test_a_device_taken_out_of_management_cannot_check_in(client, device) -> None:
    managed, credential = device
    ManagedDevice.objects.filter(pk=managed.pk).update(management_state="unenrolled")
    assert check_in(client, credential, report()).status_code == 401
