"""Two profiles assigned to one device that set one thing differently — the same Wi-Fi SSID with
another security or passphrase, the same custom key with another value — are a conflict on
both: neither is delivered to that device, and each names the other."""

from __future__ import annotations

from deskside.policies.display import profile_reason
from deskside.policies.models import DeviceProfileStatus
from deskside.policies.tests.helpers import checked_in, custom, wifi


def test_one_ssid_with_two_passphrases_is_a_conflict_on_both(client, enrolled, personas) -> None:
    office = wifi(personas.tenant, [personas.lyon], name="Office Wi-Fi")
    other = wifi(
        personas.tenant, [personas.all_staff], name="Staff Wi-Fi", passphrase="another-phrase"
    )
    unrelated = wifi(personas.tenant, [personas.lyon], name="Guest", ssid="Lakeside Guest")
    answer = checked_in(client, enrolled.credential)
    assert [p["profileId"] for p in answer["profiles"]] == [unrelated.pk]
    rows = {row.profile_id: row for row in DeviceProfileStatus.objects.all()}
    assert rows[office.pk].status == rows[other.pk].status == "conflict"
    assert rows[office.pk].conflicts == [
        {"profileId": other.pk, "name": "Staff Wi-Fi", "setting": "ssid", "value": "Lakeside"}
    ]
    assert rows[other.pk].conflicts == [
        {"profileId": office.pk, "name": "Office Wi-Fi", "setting": "ssid", "value": "Lakeside"}
    ]
    assert rows[unrelated.pk].status == "pending"
    reason = profile_reason(rows[office.pk], enrolled.device)
    assert "Staff Wi-Fi" in reason
    assert "another-phrase" not in reason


def test_one_custom_key_with_two_values_is_a_conflict_on_both(client, enrolled, personas) -> None:
    first = custom(personas.tenant, [personas.lyon], {"proxy.host": "a", "x": "1"}, name="A")
    second = custom(personas.tenant, [personas.lyon], {"proxy.host": "b"}, name="B")
    assert checked_in(client, enrolled.credential)["profiles"] == []
    statuses = dict(DeviceProfileStatus.objects.values_list("profile_id", "status"))
    assert statuses == {first.pk: "conflict", second.pk: "conflict"}
    assert DeviceProfileStatus.objects.get(profile=first).conflicts[0]["value"] == "proxy.host"


def test_the_same_settings_twice_are_no_conflict(client, enrolled, personas) -> None:
    custom(personas.tenant, [personas.lyon], {"proxy.host": "a"}, name="A")
    custom(personas.tenant, [personas.lyon], {"proxy.host": "a", "other": "1"}, name="B")
    assert len(checked_in(client, enrolled.credential)["profiles"]) == 2


def test_a_profile_for_another_platform_does_not_conflict(client, enrolled, personas) -> None:
    office = wifi(personas.tenant, [personas.lyon], name="Office Wi-Fi")
    wifi(personas.tenant, [personas.lyon], name="Mac Wi-Fi", passphrase="x" * 10, platform="macOS")
    assert [p["profileId"] for p in checked_in(client, enrolled.credential)["profiles"]] == [
        office.pk
    ]


def test_a_resolved_conflict_delivers_the_profile_again_as_pending(
    client, enrolled, personas
) -> None:
    from deskside.policies.services import profile_delete

    office = wifi(personas.tenant, [personas.lyon], name="Office Wi-Fi")
    other = wifi(personas.tenant, [personas.lyon], name="Staff Wi-Fi", passphrase="x" * 10)
    checked_in(client, enrolled.credential)
    profile_delete(profile=other, actor=personas.admin)
    answer = checked_in(client, enrolled.credential)
    assert [p["profileId"] for p in answer["profiles"]] == [office.pk]
    row = DeviceProfileStatus.objects.get(profile=office)
    assert (row.status, row.conflicts) == ("pending", [])
