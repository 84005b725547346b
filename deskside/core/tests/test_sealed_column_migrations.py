"""The migrations that sealed a plain column (core/migration_ops.seal_column) keep the values
both ways: unapplied, the column is plain again with the clear value; applied again, it is
sealed with the same value."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from deskside.accounts.models import IdentityProvider
from deskside.directory.models import Tenant, User
from deskside.fleet.models import ManagedDevice
from deskside.policies.models import ConfigurationProfile

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: list[tuple[str, str]]) -> Any:
    """Migrate to ``target``; the historical models of the state reached."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _identity_provider(tenant: Tenant) -> Any:
    return IdentityProvider.objects.create(
        tenant=tenant,
        display_name="Lakeside SSO",
        issuer="https://sso.lakeside.test",
        client_id="deskside",
        client_secret="s3cret-value",
    )


def _user(tenant: Tenant) -> Any:
    return User.objects.create(
        tenant=tenant, email="anton@lakeside.test", totp_secret="s3cret-value"
    )


def _profile(tenant: Tenant) -> Any:
    return ConfigurationProfile.objects.create(
        tenant=tenant,
        name="Office Wi-Fi",
        platform="Linux",
        profile_type="wifi",
        secret_settings={"passphrase": "s3cret-value"},
    )


def _device(tenant: Tenant) -> Any:
    return ManagedDevice.objects.create(
        tenant=tenant,
        device_name="AMS-01",
        operating_system="Linux",
        last_response={"profiles": [{"passphrase": "s3cret-value"}]},
    )


CASES = {
    "identity provider's client secret": (
        _identity_provider,
        "accounts",
        "0001_identity_provider",
        "IdentityProvider",
        "client_secret",
        "s3cret-value",
    ),
    "user's TOTP secret": (
        _user,
        "directory",
        "0002_assignments_revision",
        "User",
        "totp_secret",
        "s3cret-value",
    ),
    "profile's secret settings": (
        _profile,
        "policies",
        "0002_status_overdue",
        "ConfigurationProfile",
        "secret_settings",
        {"passphrase": "s3cret-value"},
    ),
    "device's last check-in answer": (
        _device,
        "fleet",
        "0006_checkin_basis",
        "ManagedDevice",
        "last_response",
        {"profiles": [{"passphrase": "s3cret-value"}]},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_sealed_value_survives_unsealing_and_sealing_again(case: str) -> None:
    make, app, before, model, field, value = CASES[case]
    row = make(Tenant.objects.create(name="Lakeside"))
    latest = _latest()
    try:
        plain = _migrate([(app, before)])
        unsealed = plain.get_model(app, model).objects.get(pk=row.pk)
        assert getattr(unsealed, field) == value
    finally:
        _migrate(latest)
    row.refresh_from_db()
    assert getattr(row, field) == value
    table = type(row)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {field} FROM {table} WHERE id = %s", [row.pk])  # noqa: S608
        (stored,) = cursor.fetchone()
    assert "s3cret-value" not in str(stored)
