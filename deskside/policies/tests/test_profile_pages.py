"""The configuration profile pages: create (Wi-Fi, VPN, custom), edit (a new version), assign and
delete, each audited; a secret (passphrase, key) is write-only: the pages show that one is set,
an empty field keeps it, and neither a page nor an audit event ever holds its value."""

from __future__ import annotations

import json

import pytest

from deskside.audit.models import AuditEvent
from deskside.policies.models import ConfigurationProfile, ProfileAssignment
from deskside.policies.tests.helpers import PASSPHRASE, PEER_KEY, device_in, grant_reports, wifi

SECRET = "s3cret-passphrase-never-shown"
PRESHARED = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE="

WIFI_FORM = {
    "name": "Office Wi-Fi",
    "description": "",
    "platform": "Linux",
    "ssid": "Lakeside",
    "security": "wpa2Personal",
    "passphrase": SECRET,
}
WIREGUARD_FORM = {
    "name": "Office VPN",
    "description": "",
    "platform": "Linux",
    "vpnType": "wireguard",
    "server": "vpn.lakeside.test",
    "port": "",
    "protocol": "udp",
    "peerPublicKey": PEER_KEY,
    "allowedIps": "10.0.0.0/8, fd00::/8",
    "dns": "10.0.0.53",
    "persistentKeepalive": "25",
    "presharedKey": PRESHARED,
}


def _no_secret_anywhere(*pages: bytes) -> None:
    for page in pages:
        assert SECRET.encode() not in page
        assert PRESHARED.encode() not in page
    events = json.dumps(list(AuditEvent.objects.values("details", "target_label")))
    assert SECRET not in events
    assert PRESHARED not in events


def test_a_wifi_profile_is_created_and_its_passphrase_never_shown(personas, login) -> None:
    client = login(personas.admin)
    response = client.post("/policies/profiles/new/wifi/", WIFI_FORM)
    made = ConfigurationProfile.objects.get()
    assert response.status_code == 302
    assert (made.profile_type, made.version, made.settings, made.secret_settings) == (
        "wifi",
        1,
        {"ssid": "Lakeside", "security": "wpa2Personal", "hidden": False},
        {"passphrase": SECRET},
    )
    event = AuditEvent.objects.get(action="configurationProfileCreated")
    assert event.details == {
        "profileType": "wifi",
        "platform": "Linux",
        "settings": ["hidden", "security", "ssid"],
        "secretsSet": ["passphrase"],
    }
    detail = client.get(f"/policies/profiles/{made.pk}/")
    edit = client.get(f"/policies/profiles/{made.pk}/edit/")
    listed = client.get("/policies/profiles/")
    assert b"passphrase" in detail.content and b"Set. Leave empty to keep it." in edit.content
    _no_secret_anywhere(response.content, detail.content, edit.content, listed.content)


def test_an_empty_secret_keeps_it_and_an_edit_raises_the_version(personas, login) -> None:
    made = wifi(personas.tenant, [], passphrase=SECRET)
    client = login(personas.admin)
    form = {**WIFI_FORM, "passphrase": "", "hidden": "on"}
    assert client.post(f"/policies/profiles/{made.pk}/edit/", form).status_code == 302
    made.refresh_from_db()
    assert (made.version, made.secret_settings, made.settings["hidden"]) == (
        2,
        {"passphrase": SECRET},
        True,
    )
    event = AuditEvent.objects.get(action="configurationProfileUpdated")
    assert event.details == {"fields": ["hidden"], "version": 2}

    assert client.post(f"/policies/profiles/{made.pk}/edit/", form).status_code == 302
    made.refresh_from_db()
    assert made.version == 2
    assert AuditEvent.objects.filter(action="configurationProfileUpdated").count() == 1


def test_a_new_passphrase_is_audited_by_name_only(personas, login) -> None:
    made = wifi(personas.tenant, [], passphrase="the-old-passphrase")
    form = {**WIFI_FORM, "passphrase": SECRET}
    response = login(personas.admin).post(f"/policies/profiles/{made.pk}/edit/", form)
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.version, made.secret_settings) == (2, {"passphrase": SECRET})
    event = AuditEvent.objects.get(action="configurationProfileUpdated")
    assert event.details == {"fields": ["passphrase"], "version": 2}
    _no_secret_anywhere(response.content)


def test_a_refused_form_does_not_echo_the_secret(personas, login) -> None:
    response = login(personas.admin).post(
        "/policies/profiles/new/wifi/", {**WIFI_FORM, "ssid": "x" * 40}
    )
    assert response.status_code == 400
    assert "at most 32 bytes" in " ".join(response.context["form"].errors["ssid"])
    _no_secret_anywhere(response.content)
    assert not ConfigurationProfile.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"security": "wpa2Personal", "passphrase": "short"}, "passphrase"),
        ({"security": "wep"}, "security"),
    ],
)
def test_bad_wifi_settings_are_a_400_naming_the_field(personas, login, change, field) -> None:
    response = login(personas.admin).post("/policies/profiles/new/wifi/", {**WIFI_FORM, **change})
    assert response.status_code == 400
    assert response.context["form"].errors[field]


def test_a_wireguard_profile_is_created(personas, login) -> None:
    client = login(personas.admin)
    response = client.post("/policies/profiles/new/vpn/", WIREGUARD_FORM)
    assert response.status_code == 302
    made = ConfigurationProfile.objects.get()
    assert made.settings == {
        "vpnType": "wireguard",
        "server": "vpn.lakeside.test",
        "port": 51820,
        "peerPublicKey": PEER_KEY,
        "allowedIps": ["10.0.0.0/8", "fd00::/8"],
        "dns": ["10.0.0.53"],
        "persistentKeepalive": 25,
    }
    assert made.secret_settings == {"presharedKey": PRESHARED}
    detail = client.get(f"/policies/profiles/{made.pk}/")
    assert PEER_KEY.encode() in detail.content
    _no_secret_anywhere(response.content, detail.content)


def test_the_preshared_key_can_be_removed(personas, login) -> None:
    client = login(personas.admin)
    client.post("/policies/profiles/new/vpn/", WIREGUARD_FORM)
    made = ConfigurationProfile.objects.get()
    form = {**WIREGUARD_FORM, "presharedKey": "", "clear_secrets": "on"}
    assert client.post(f"/policies/profiles/{made.pk}/edit/", form).status_code == 302
    made.refresh_from_db()
    assert (made.secret_settings, made.version) == ({}, 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"peerPublicKey": "not-a-key"}, "peerPublicKey"),
        ({"allowedIps": "10.0.0.0/8, everything"}, "allowedIps"),
        ({"server": "vpn lakeside"}, "server"),
        ({"presharedKey": "too-short"}, "presharedKey"),
        ({"dns": "dns.example"}, "dns"),
    ],
)
def test_bad_vpn_settings_are_a_400_naming_the_field(personas, login, change, field) -> None:
    response = login(personas.admin).post(
        "/policies/profiles/new/vpn/", {**WIREGUARD_FORM, **change}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not ConfigurationProfile.objects.exists()


def test_an_openvpn_profile_keeps_only_its_own_keys(personas, login) -> None:
    form = {
        **WIREGUARD_FORM,
        "vpnType": "openvpn",
        "protocol": "tcp",
        "caCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "tlsAuthKey": "static-key-text",
    }
    assert login(personas.admin).post("/policies/profiles/new/vpn/", form).status_code == 302
    made = ConfigurationProfile.objects.get()
    assert set(made.settings) == {"vpnType", "server", "port", "protocol", "caCertificate"}
    assert (made.settings["port"], made.secret_settings) == (
        1194,
        {"tlsAuthKey": "static-key-text"},
    )


def test_a_custom_profile_takes_key_value_lines(personas, login) -> None:
    form = {
        "name": "Proxy",
        "platform": "Linux",
        "settings": "proxy.host = p.lakeside\n\nport=3128",
    }
    assert login(personas.admin).post("/policies/profiles/new/custom/", form).status_code == 302
    assert ConfigurationProfile.objects.get().settings == {
        "proxy.host": "p.lakeside",
        "port": "3128",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [("no equals sign", "Line 1"), ("a=1\na=2", "appears twice"), ("bad key!=1", "valid key")],
)
def test_bad_custom_settings_are_a_400(personas, login, text, message) -> None:
    form = {"name": "Proxy", "platform": "Linux", "settings": text}
    response = login(personas.admin).post("/policies/profiles/new/custom/", form)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["settings"])


def test_an_unknown_kind_of_profile_is_a_404(personas, login) -> None:
    assert login(personas.admin).get("/policies/profiles/new/email/").status_code == 404


def test_assignments_and_delete_are_audited(personas, login) -> None:
    made = wifi(personas.tenant, [])
    client = login(personas.admin)
    response = client.post(
        f"/policies/profiles/{made.pk}/assign/", {"include_groups": [personas.lyon.pk]}
    )
    assert response.status_code == 302
    assert list(ProfileAssignment.objects.values_list("group", "excluded")) == [
        (personas.lyon.pk, False)
    ]
    assert AuditEvent.objects.get(action="configurationProfileAssigned").details["added"] == [
        "Lyon office"
    ]
    assert client.post(f"/policies/profiles/{made.pk}/delete/").status_code == 302
    assert not ConfigurationProfile.objects.exists()
    assert AuditEvent.objects.get(action="configurationProfileDeleted").target_label == (
        "Office Wi-Fi"
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("helpdesk", 403), ("reader", 403), ("outsider", 404)]
)
@pytest.mark.parametrize("action", ["edit/", "delete/", "assign/"])
def test_writes_are_refused_to_weak_roles_and_other_tenants(
    personas, login, persona, status, action
) -> None:
    made = wifi(personas.tenant, [])
    response = login(getattr(personas, persona)).post(
        f"/policies/profiles/{made.pk}/{action}",
        {**WIFI_FORM, "name": "Renamed", "include_groups": [personas.sales.pk]},
    )
    assert response.status_code == status
    made.refresh_from_db()
    assert (made.name, made.version) == ("Office Wi-Fi", 1)
    assert not ProfileAssignment.objects.exists()


def test_the_detail_page_shows_each_device_s_status_and_reason(
    client, enrolled, personas, login
) -> None:
    from deskside.policies.tests.helpers import checked_in

    made = wifi(personas.tenant, [personas.all_staff])
    device_in(client, personas.amsterdam, "ams-1")
    result = {"profileId": made.pk, "version": 1, "state": "failed", "detail": "no Wi-Fi adapter"}
    checked_in(client, enrolled.credential, profileResults=[result])

    admin = login(personas.admin).get(f"/policies/profiles/{made.pk}/")
    assert [
        (row.record.device.device_name, row.record.status, row.reason)
        for row in admin.context["report"].rows
    ] == [
        ("ams-1", "pending", "Delivered; no result from the device yet for version 1."),
        ("lyon-laptop", "failed", "no Wi-Fi adapter"),
    ]
    assert "no Wi-Fi adapter" in admin.content.decode()
    assert PASSPHRASE not in admin.content.decode()

    helpdesk = login(personas.helpdesk).get(f"/policies/profiles/{made.pk}/")
    assert helpdesk.context["report"] is None  # the Help Desk Operator role has no reports
    body = helpdesk.content.decode()
    assert 'id="profile-devices-denied"' in body and "DeviceConfigurations.ViewReports" in body
    assert "ams-1" not in body and "no Wi-Fi adapter" not in body

    grant_reports(personas.tenant, personas.helpdesk_group, [personas.amsterdam])
    helpdesk = login(personas.helpdesk).get(f"/policies/profiles/{made.pk}/")
    assert [row.record.device.device_name for row in helpdesk.context["report"].rows] == ["ams-1"]
    counts = {bar.status: bar.count for bar in helpdesk.context["report"].chart.bars}
    assert (counts["pending"], counts["failed"]) == (1, 0)
