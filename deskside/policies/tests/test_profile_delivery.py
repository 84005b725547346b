"""Configuration profiles at check-in: an assigned profile is delivered as the protocol says and
is pending until the agent reports; failed (with the agent's reason), succeeded and
notApplicable are stored for that version; an edit raises the version, which delivers it again
as pending; a result for an older version is ignored."""

from __future__ import annotations

from deskside.fleet.tests.checkins import check_in, report
from deskside.policies.models import DeviceProfileStatus
from deskside.policies.services import profile_assign, profile_update
from deskside.policies.tests.helpers import PASSPHRASE, PEER_KEY, checked_in, custom, wifi


def _result(profile, state="succeeded", version=1, detail=""):  # type: ignore[no-untyped-def]
    return {"profileId": profile.pk, "version": version, "state": state, "detail": detail}


def _row(profile) -> DeviceProfileStatus:  # type: ignore[no-untyped-def]
    return DeviceProfileStatus.objects.get(profile=profile)


def test_an_assigned_profile_is_delivered_and_pending(client, enrolled, personas) -> None:
    made = wifi(personas.tenant, [personas.lyon])
    answer = checked_in(client, enrolled.credential)
    assert answer["profiles"] == [
        {
            "profileId": made.pk,
            "version": 1,
            "name": "Office Wi-Fi",
            "profileType": "wifi",
            "platform": "Linux",
            "settings": {
                "ssid": "Lakeside",
                "security": "wpa2Personal",
                "passphrase": PASSPHRASE,
                "hidden": False,
            },
        }
    ]
    row = _row(made)
    assert (row.device_id, row.status, row.version) == (enrolled.device.pk, "pending", 1)


def test_a_vpn_profile_carries_its_type_s_keys_and_no_device_key(
    client, enrolled, personas
) -> None:
    from deskside.policies.services import profile_create

    made = profile_create(
        tenant=personas.tenant,
        name="Office VPN",
        platform="Linux",
        profile_type="vpn",
        settings={
            "vpnType": "wireguard",
            "server": "vpn.lakeside.test",
            "peerPublicKey": PEER_KEY,
            "allowedIps": ["10.0.0.0/8"],
            "dns": ["10.0.0.53"],
        },
        actor=None,
    )
    profile_assign(profile=made, include_groups=[personas.lyon], actor=personas.admin)
    (delivered,) = checked_in(client, enrolled.credential)["profiles"]
    assert delivered["settings"] == {
        "vpnType": "wireguard",
        "server": "vpn.lakeside.test",
        "port": 51820,
        "peerPublicKey": PEER_KEY,
        "allowedIps": ["10.0.0.0/8"],
        "dns": ["10.0.0.53"],
        "persistentKeepalive": None,
        "presharedKey": "",
    }
    assert "privateKey" not in delivered["settings"]


def test_a_failure_is_stored_with_the_agent_s_reason(client, enrolled, personas) -> None:
    made = wifi(personas.tenant, [personas.lyon])
    checked_in(client, enrolled.credential)
    answer = checked_in(
        client,
        enrolled.credential,
        profileResults=[_result(made, "failed", detail="NetworkManager is not running")],
    )
    assert [p["profileId"] for p in answer["profiles"]] == [made.pk]
    row = _row(made)
    assert (row.status, row.version, row.detail) == ("failed", 1, "NetworkManager is not running")


def test_a_success_stays_while_the_version_is_the_same(client, enrolled, personas) -> None:
    made = wifi(personas.tenant, [personas.lyon])
    checked_in(client, enrolled.credential)
    checked_in(client, enrolled.credential, profileResults=[_result(made)])
    assert _row(made).status == "succeeded"
    since = _row(made).changed_at
    checked_in(client, enrolled.credential)
    assert (_row(made).status, _row(made).changed_at) == ("succeeded", since)


def test_the_agent_may_say_a_profile_does_not_apply(client, enrolled, personas) -> None:
    made = wifi(personas.tenant, [personas.lyon])
    checked_in(
        client,
        enrolled.credential,
        profileResults=[_result(made, "notApplicable", detail="no Wi-Fi adapter")],
    )
    assert (_row(made).status, _row(made).detail) == ("notApplicable", "no Wi-Fi adapter")


def test_an_edit_raises_the_version_and_delivers_it_again_as_pending(
    client, enrolled, personas
) -> None:
    made = wifi(personas.tenant, [personas.lyon])
    checked_in(client, enrolled.credential, profileResults=[_result(made)])
    profile_update(
        profile=made,
        name=made.name,
        platform="Linux",
        settings={"ssid": "Lakeside", "security": "wpa3Personal", "hidden": False},
        actor=personas.admin,
    )
    made.refresh_from_db()
    assert made.version == 2

    answer = checked_in(client, enrolled.credential)
    (delivered,) = answer["profiles"]
    assert (delivered["version"], delivered["settings"]["security"]) == (2, "wpa3Personal")
    assert delivered["settings"]["passphrase"] == PASSPHRASE
    assert (_row(made).status, _row(made).version) == ("pending", 2)

    checked_in(client, enrolled.credential, profileResults=[_result(made, "failed", version=1)])
    assert (_row(made).status, _row(made).version) == ("pending", 2)

    checked_in(client, enrolled.credential, profileResults=[_result(made, version=2)])
    assert (_row(made).status, _row(made).version) == ("succeeded", 2)


def test_a_profile_for_another_platform_is_not_delivered(client, enrolled, personas) -> None:
    made = wifi(personas.tenant, [personas.lyon], platform="macOS")
    assert checked_in(client, enrolled.credential)["profiles"] == []
    assert _row(made).status == "notApplicable"


def test_an_unassigned_profile_leaves_the_answer_and_its_status_goes(
    client, enrolled, personas
) -> None:
    made = custom(personas.tenant, [personas.lyon], {"proxy.host": "proxy.lakeside.test"})
    assert len(checked_in(client, enrolled.credential)["profiles"]) == 1
    profile_assign(profile=made, include_groups=[personas.sales], actor=personas.admin)
    assert checked_in(client, enrolled.credential)["profiles"] == []
    assert not DeviceProfileStatus.objects.exists()


def test_an_excluded_group_keeps_the_profile_away(client, enrolled, personas) -> None:
    made = wifi(personas.tenant, [])
    profile_assign(
        profile=made,
        include_groups=[personas.all_staff],
        exclude_groups=[personas.lyon],
        actor=personas.admin,
    )
    assert checked_in(client, enrolled.credential)["profiles"] == []


def test_a_retry_of_the_last_report_changes_no_status(client, enrolled, personas) -> None:
    made = wifi(personas.tenant, [personas.lyon])
    checked_in(client, enrolled.credential)
    body = report(profileResults=[_result(made, "failed", detail="first")])
    first = check_in(client, enrolled.credential, body)
    since = _row(made).changed_at
    again = check_in(client, enrolled.credential, body)
    assert again.json() == first.json()
    assert (_row(made).status, _row(made).changed_at) == ("failed", since)
