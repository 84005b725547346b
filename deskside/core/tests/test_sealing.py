"""Secrets at rest: the columns hold Fernet tokens, the models give the values back; keys rotate;
a missing key is a clear error (or an empty cache); bad keys fail the system check."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import connection
from django.test import override_settings

from deskside.accounts.models import IdentityProvider
from deskside.core.checks import data_keys_check
from deskside.core.sealing import UnreadableSecret, derived_key
from deskside.directory.models import User
from deskside.fleet.models import ManagedDevice
from deskside.policies.models import ConfigurationProfile

pytestmark = pytest.mark.django_db

PASSPHRASE = "correct horse battery staple"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _raw(model: type[Any], field: str, pk: int) -> str:
    table = model._meta.db_table
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def secrets(personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    profile = ConfigurationProfile.objects.create(
        tenant=personas.tenant,
        name="Office Wi-Fi",
        platform="Linux",
        profile_type="wifi",
        settings={"ssid": "Office", "security": "wpa2Personal", "hidden": False},
        secret_settings={"passphrase": PASSPHRASE},
    )
    device = ManagedDevice.objects.create(
        tenant=personas.tenant,
        device_name="pc",
        operating_system="Linux",
        last_response={"profiles": [{"settings": {"passphrase": PASSPHRASE}}]},
    )
    provider = IdentityProvider.objects.create(
        tenant=personas.tenant,
        display_name="Sign in with Corp",
        issuer="https://id.lakeside.test",
        client_id="deskside",
        client_secret=PASSPHRASE,
    )
    user = personas.helpdesk
    user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    user.save(update_fields=["totp_secret"])
    return {"profile": profile, "device": device, "provider": provider, "user": user}


SEALED = [
    ("profile", ConfigurationProfile, "secret_settings"),
    ("device", ManagedDevice, "last_response"),
    ("provider", IdentityProvider, "client_secret"),
    ("user", User, "totp_secret"),
]


@pytest.mark.parametrize(("key", "model", "field"), SEALED)
def test_the_column_holds_a_token_and_the_model_the_value(secrets, key, model, field) -> None:
    row = secrets[key]
    raw = _raw(model, field, row.pk)
    assert raw.startswith("gAAAAA")  # a Fernet token, version byte 0x80
    assert PASSPHRASE not in raw and "JBSWY3DP" not in raw
    assert getattr(model.objects.get(pk=row.pk), field) == getattr(row, field)


def test_empty_values_are_stored_empty_and_read_back_empty(personas) -> None:
    device = ManagedDevice.objects.create(
        tenant=personas.tenant, device_name="new", operating_system="Linux"
    )
    assert _raw(ManagedDevice, "last_response", device.pk) == ""
    assert ManagedDevice.objects.get(pk=device.pk).last_response == {}
    assert User.objects.get(pk=personas.reader.pk).totp_secret == ""


def test_a_sealed_column_cannot_be_filtered_on(secrets) -> None:
    with pytest.raises(TypeError, match="sealed"):
        ConfigurationProfile.objects.filter(secret_settings={"passphrase": PASSPHRASE}).count()


def test_the_default_key_is_derived_from_the_secret_key_and_differs_per_secret_key() -> None:
    assert Fernet(derived_key("one"))  # a valid Fernet key
    assert derived_key("one") == derived_key("one") != derived_key("two")


def _command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_moving_from_the_derived_key_to_own_keys_then_rotating(secrets) -> None:
    derived = _command("newdatakey", "--derived").strip()
    profile = secrets["profile"]
    with override_settings(DESKSIDE_DATA_KEYS=[KEY_A, derived]):
        assert ConfigurationProfile.objects.get(pk=profile.pk).secret_settings == {
            "passphrase": PASSPHRASE
        }
        out = _command("reseal")
    assert "reseal: policies.ConfigurationProfile.secret_settings 1/1" in out
    assert "reseal: fleet.ManagedDevice.last_response 1/1" in out
    assert "sealed again with the first data key" in out
    for key, model, field in SEALED:
        Fernet(KEY_A.encode()).decrypt(_raw(model, field, secrets[key].pk).encode())
    with override_settings(DESKSIDE_DATA_KEYS=[KEY_B, KEY_A]):
        _command("reseal")
    with override_settings(DESKSIDE_DATA_KEYS=[KEY_B]):  # key A dropped: all still readable
        for key, model, field in SEALED:
            assert getattr(model.objects.get(pk=secrets[key].pk), field) == getattr(
                secrets[key], field
            )


def test_a_secret_no_key_opens_is_a_clear_error_naming_the_field(secrets) -> None:
    with override_settings(DESKSIDE_DATA_KEYS=[KEY_B]):
        with pytest.raises(UnreadableSecret, match="ConfigurationProfile.secret_settings"):
            ConfigurationProfile.objects.get(pk=secrets["profile"].pk)
        with pytest.raises(CommandError, match="not in DESKSIDE_DATA_KEYS"):
            call_command("reseal", stdout=StringIO())


def test_the_last_check_in_answer_no_key_opens_reads_as_empty(secrets) -> None:
    """It is a cache: the next check-in is a full one and writes it again."""
    with override_settings(DESKSIDE_DATA_KEYS=[KEY_B]):
        assert ManagedDevice.objects.get(pk=secrets["device"].pk).last_response == {}


def test_a_malformed_data_key_fails_the_system_check_by_its_place() -> None:
    with override_settings(DESKSIDE_DATA_KEYS=[KEY_A, "not-a-key"]):
        errors = data_keys_check()
    assert [error.id for error in errors] == ["deskside.E001"]
    assert "key 2 is not a Fernet key" in errors[0].msg
    with override_settings(DESKSIDE_DATA_KEYS=[KEY_A, KEY_B]):
        assert data_keys_check() == []


def test_newdatakey_prints_a_new_usable_key_each_time() -> None:
    first, second = _command("newdatakey").strip(), _command("newdatakey").strip()
    assert Fernet(first.encode()) and first != second


def test_dumpdata_writes_secrets_sealed_and_loaddata_gives_them_back(secrets, tmp_path) -> None:
    profile, user = secrets["profile"], secrets["user"]
    fixture = tmp_path / "backup.json"
    call_command("dumpdata", "policies.configurationprofile", "directory.user", output=str(fixture))
    written = fixture.read_text()
    assert PASSPHRASE not in written and "JBSWY3DPEHPK3PXP" not in written
    assert '"secret_settings": "sealed:' in written and '"totp_secret": "sealed:' in written
    ConfigurationProfile.objects.filter(pk=profile.pk).delete()
    call_command("loaddata", str(fixture), verbosity=0)
    assert ConfigurationProfile.objects.get(pk=profile.pk).secret_settings == {
        "passphrase": PASSPHRASE
    }
    assert User.objects.get(pk=user.pk).totp_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert _raw(ConfigurationProfile, "secret_settings", profile.pk).startswith("gAAAAA")


def test_a_fixture_sealed_with_another_key_is_refused_whole(secrets, tmp_path) -> None:
    profile = secrets["profile"]
    fixture = tmp_path / "profile.json"
    call_command("dumpdata", "policies.configurationprofile", output=str(fixture), verbosity=0)
    ConfigurationProfile.objects.filter(pk=profile.pk).update(name="Renamed since")
    with (
        override_settings(DESKSIDE_DATA_KEYS=[KEY_B]),
        pytest.raises(
            DeserializationError, match="ConfigurationProfile.secret_settings in the fixture"
        ),
    ):
        call_command("loaddata", str(fixture), verbosity=0)
    assert ConfigurationProfile.objects.get(pk=profile.pk).name == "Renamed since"
