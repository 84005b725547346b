"""Prepared queries (core/prepared.py): built by the ORM once, they give what the ORM gives for
the same query, with the values of each call; on PostgreSQL they run as prepared statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deskside.core.prepared import PreparedSelect, PreparedUpdate
from deskside.directory.models import Tenant
from deskside.fleet.models import ManagedDevice

pytestmark = pytest.mark.django_db


def _device(tenant: Tenant, name: str, **fields: object) -> ManagedDevice:
    return ManagedDevice.objects.create(
        tenant=tenant, device_name=name, operating_system="Linux", **fields
    )


@pytest.fixture
def devices(personas) -> list[ManagedDevice]:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return [
        _device(
            personas.tenant,
            "alpha",
            credential_hash="a" * 64,
            is_encrypted=True,
            last_sync_at=now,
            last_response={"actions": [], "deviceName": "alpha"},
        ),
        _device(personas.tenant, "beta", credential_hash="b" * 64, is_encrypted=None),
        _device(personas.other_tenant, "gamma", credential_hash="c" * 64),
    ]


BY_HASH: PreparedSelect[ManagedDevice] = PreparedSelect(
    lambda credential_hash: (
        ManagedDevice.objects.filter(credential_hash=credential_hash)
        .annotate(tenant_name=F("tenant__name"))
        .order_by("pk")[:1]
    ),
    credential_hash=str,
)


def test_a_prepared_select_gives_what_the_orm_gives_for_each_call(devices) -> None:
    for device in devices:
        found = BY_HASH.first(credential_hash=device.credential_hash)
        expected = ManagedDevice.objects.get(pk=device.pk)
        assert found is not None
        for field in ManagedDevice._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
        assert found.tenant_name == device.tenant.name  # type: ignore[attr-defined]
        assert found._state.adding is False
    assert BY_HASH.first(credential_hash="d" * 64) is None


def test_values_rows_are_converted_as_the_orm_converts_them(devices) -> None:
    rows = PreparedSelect(
        lambda tenant_id: (
            ManagedDevice.objects.filter(tenant_id=tenant_id)
            .order_by("device_name")
            .values_list("device_name", "is_encrypted", "last_sync_at", "last_response")
        ),
        tenant_id=int,
    ).rows(tenant_id=devices[0].tenant_id)
    assert rows == list(
        ManagedDevice.objects.filter(tenant_id=devices[0].tenant_id)
        .order_by("device_name")
        .values_list("device_name", "is_encrypted", "last_sync_at", "last_response")
    )
    assert rows[0][1] is True and rows[1][1] is None
    assert rows[0][2].tzinfo is not None


def test_the_query_is_built_once(devices) -> None:
    built = []

    def build(device_id: int):  # type: ignore[no-untyped-def]
        built.append(device_id)
        return ManagedDevice.objects.filter(pk=device_id)

    prepared: PreparedSelect[ManagedDevice] = PreparedSelect(build, device_id=int)
    names = [prepared.first(device_id=device.pk).device_name for device in devices]  # type: ignore[union-attr]
    assert names == ["alpha", "beta", "gamma"]
    assert len(built) == 1


def test_a_prepared_update_writes_as_queryset_update_does(devices) -> None:
    update = PreparedUpdate(
        ManagedDevice, ["device_name", "is_encrypted", "last_sync_at", "last_response"]
    )
    later = timezone.now() + timedelta(hours=1)
    values = {
        "device_name": "alpha-renamed",
        "is_encrypted": None,
        "last_sync_at": later,
        "last_response": {"profiles": [{"name": "Wi-Fi", "x": [1, 2]}], "text": 'l\'été "x"'},
    }
    assert update.run(pk=devices[0].pk, values=values) == 1
    stored = ManagedDevice.objects.get(pk=devices[0].pk)
    assert {name: getattr(stored, name) for name in values} == values
    assert ManagedDevice.objects.get(pk=devices[1].pk).device_name == "beta"  # only that row
    assert update.run(pk=0, values=values) == 0


def test_queries_it_cannot_keep_are_refused_when_first_run(devices) -> None:
    with pytest.raises(ImproperlyConfigured, match="select_related"):
        PreparedSelect(
            lambda pk: ManagedDevice.objects.select_related("tenant").filter(pk=pk), pk=int
        ).first(pk=1)
    with pytest.raises(ImproperlyConfigured, match="not in the query"):
        PreparedSelect(lambda pk: ManagedDevice.objects.filter(pk=1), pk=int).first(pk=1)
    with pytest.raises(TypeError, match="an int or a str"):
        PreparedSelect(
            lambda when: ManagedDevice.objects.filter(last_sync_at=when), when=float
        ).first(when=1.0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_they_run_as_prepared_statements(devices) -> None:
    with transaction.atomic():
        BY_HASH.first(credential_hash="a" * 64)
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            statements = [row[0] for row in cursor.fetchall()]
    assert any("credential_hash" in sql and "$1" in sql for sql in statements), statements


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept cursor: PostgreSQL")
def test_on_postgresql_one_cursor_is_kept_per_connection_and_made_again_for_a_new_one(
    devices,
) -> None:
    assert BY_HASH.first(credential_hash="a" * 64).device_name == "alpha"
    raw, kept = connection._deskside_kept_cursor
    assert raw is connection.connection
    assert BY_HASH.first(credential_hash="b" * 64).device_name == "beta"
    assert connection._deskside_kept_cursor[1] is kept
    connection._deskside_kept_cursor = (object(), kept)  # as if Django had connected again
    assert BY_HASH.first(credential_hash="c" * 64).device_name == "gamma"
    assert connection._deskside_kept_cursor[1] is not kept
    assert connection._deskside_kept_cursor[0] is connection.connection


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept cursor: PostgreSQL")
def test_on_the_kept_cursor_errors_are_djangos_and_break_the_transaction_as_usual(devices) -> None:
    rename = PreparedUpdate(ManagedDevice, ["device_name"])
    with transaction.atomic():
        with pytest.raises(IntegrityError, match="device_name"), transaction.atomic():
            rename.run(pk=devices[0].pk, values={"device_name": None})  # django.db's error
        # The savepoint was rolled back: the transaction goes on.
        assert BY_HASH.first(credential_hash="a" * 64).device_name == "alpha"
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            rename.run(pk=devices[0].pk, values={"device_name": None})
        # No savepoint: the transaction is broken, and the next statement says so first.
        with pytest.raises(TransactionManagementError, match="current transaction"):
            BY_HASH.first(credential_hash="a" * 64)
    assert BY_HASH.first(credential_hash="a" * 64).device_name == "alpha"


def test_while_queries_are_logged_they_run_through_djangos_cursor(devices) -> None:
    with CaptureQueriesContext(connection) as queries:
        BY_HASH.first(credential_hash="a" * 64)
    assert len(queries) == 1
    assert "credential_hash" in queries[0]["sql"]
