"""A change to what reaches devices asks their connected agents to check in at once (the fleet's
push, fleet/push.py), after the change commits: assigning a profile or a compliance policy
pushes the devices of the groups that gain or lose it, changing or deleting one pushes the
devices it is assigned to, each device once per transaction, and nothing when the change rolls
back or changes nothing."""

from __future__ import annotations

import pytest
from django.db import transaction

from deskside.fleet.tests.action_helpers import make_device
from deskside.fleet.tests.push_helpers import listening
from deskside.policies.services import (
    compliance_policy_assign,
    compliance_policy_update,
    profile_assign,
    profile_delete,
    profile_update,
)
from deskside.policies.tests.helpers import policy, wifi


@pytest.fixture
def laptops(personas):  # type: ignore[no-untyped-def]
    """Anton's laptop (his user is in the Amsterdam group) and Louise's (Lyon)."""
    anton = make_device(personas.tenant, "anton-laptop", personas.amsterdam_user)
    louise = make_device(personas.tenant, "louise-laptop", personas.lyon_user)
    with listening(anton, louise) as agents:
        yield anton, louise, agents


def test_assigning_a_profile_pushes_the_devices_of_its_groups(
    personas, laptops, django_capture_on_commit_callbacks
) -> None:
    anton, louise, agents = laptops
    with django_capture_on_commit_callbacks(execute=True):
        wifi(personas.tenant, [personas.amsterdam])
    assert agents.pushed(anton, louise) == ["anton-laptop"]


def test_moving_an_assignment_pushes_the_devices_that_lose_it_and_those_that_gain_it(
    personas, laptops, django_capture_on_commit_callbacks
) -> None:
    anton, louise, agents = laptops
    with django_capture_on_commit_callbacks(execute=True):
        profile = wifi(personas.tenant, [personas.amsterdam])
    agents.pushed(anton, louise)
    with django_capture_on_commit_callbacks(execute=True):
        profile_assign(profile=profile, include_groups=[personas.lyon], actor=personas.admin)
    assert agents.pushed(anton, louise) == ["anton-laptop", "louise-laptop"]


def test_assigning_the_same_groups_again_pushes_nothing(
    personas, laptops, django_capture_on_commit_callbacks
) -> None:
    anton, louise, agents = laptops
    with django_capture_on_commit_callbacks(execute=True):
        profile = wifi(personas.tenant, [personas.amsterdam])
    agents.pushed(anton, louise)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        profile_assign(profile=profile, include_groups=[personas.amsterdam], actor=personas.admin)
    assert callbacks == []
    assert agents.pushed(anton, louise) == []


def test_changing_or_deleting_a_profile_pushes_the_devices_it_is_assigned_to(
    personas, laptops, django_capture_on_commit_callbacks
) -> None:
    anton, louise, agents = laptops
    with django_capture_on_commit_callbacks(execute=True):
        profile = wifi(personas.tenant, [personas.lyon])
    agents.pushed(anton, louise)
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            profile=profile,
            name=profile.name,
            platform="Linux",
            settings={**profile.settings, "ssid": "Lakeside-5G"},
            actor=personas.admin,
        )
    assert agents.pushed(anton, louise) == ["louise-laptop"]
    with django_capture_on_commit_callbacks(execute=True):
        profile_delete(profile=profile, actor=personas.admin)
    assert agents.pushed(anton, louise) == ["louise-laptop"]


def test_a_compliance_policy_pushes_when_assigned_and_when_its_rules_change(
    personas, laptops, django_capture_on_commit_callbacks
) -> None:
    """So that the devices report fresh facts and the policy's status is known at once."""
    anton, louise, agents = laptops
    with django_capture_on_commit_callbacks(execute=True):
        made = policy(personas.tenant, [personas.amsterdam], require_firewall=True)
    assert agents.pushed(anton, louise) == ["anton-laptop"]
    with django_capture_on_commit_callbacks(execute=True):
        compliance_policy_update(policy=made, actor=personas.admin, require_encryption=True)
    assert agents.pushed(anton, louise) == ["anton-laptop"]
    with django_capture_on_commit_callbacks(execute=True):
        compliance_policy_assign(policy=made, include_groups=[], actor=personas.admin)
    assert agents.pushed(anton, louise) == ["anton-laptop"]


def test_several_changes_in_one_transaction_push_each_device_once(
    personas, laptops, django_capture_on_commit_callbacks
) -> None:
    anton, louise, agents = laptops
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        wifi(personas.tenant, [personas.amsterdam], name="Office")
        wifi(personas.tenant, [personas.amsterdam, personas.lyon], name="Guest")
        policy(personas.tenant, [personas.amsterdam], require_firewall=True)
    assert len(callbacks) == 1
    assert agents.pushed(anton, louise) == ["anton-laptop", "louise-laptop"]
    assert agents.pushed(anton, louise) == [], "one message each"


def test_a_change_that_rolls_back_pushes_nothing(
    personas, laptops, django_capture_on_commit_callbacks
) -> None:
    anton, louise, agents = laptops
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        wifi(personas.tenant, [personas.amsterdam])
        raise RuntimeError("the request failed after the assignment")
    assert callbacks == []
    assert agents.pushed(anton, louise) == []
