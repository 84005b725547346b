"""The demo tenant: realistic, idempotent, and its accounts hold the roles they are printed with."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from django.conf import settings

from deskside.access.checks import has_permission, scope
from deskside.audit.models import AuditEvent
from deskside.core.demo import demo_seed
from deskside.directory.models import Group, User


@pytest.fixture(autouse=True)
def _fresh_credentials(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)


@pytest.mark.django_db
def test_the_demo_makes_a_tenant_with_a_few_dozen_users_in_nested_groups() -> None:
    accounts = demo_seed()
    admin = User.objects.get(email=accounts[0].email)
    assert User.objects.filter(tenant=admin.tenant).count() >= 30
    assert (
        Group.objects.filter(tenant=admin.tenant, display_name="All staff")
        .get()
        .child_links.count()
        == 3
    )
    assert [a.role for a in accounts] == [
        "Administrator",
        "Help Desk Operator",
        "Read Only Operator",
    ]


@pytest.mark.django_db
def test_running_the_demo_twice_changes_nothing() -> None:
    first = demo_seed()
    users, groups, events = User.objects.count(), Group.objects.count(), AuditEvent.objects.count()
    second = demo_seed()
    assert first == second
    assert (User.objects.count(), Group.objects.count(), AuditEvent.objects.count()) == (
        users,
        groups,
        events,
    )


@pytest.mark.django_db
def test_the_printed_passwords_sign_in_and_are_kept_private(tmp_path: Path) -> None:
    accounts = demo_seed()
    for account in accounts:
        assert User.objects.get(email=account.email).check_password(account.password)
    path = tmp_path / "demo-accounts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(json.loads(path.read_text())) == 3


@pytest.mark.django_db
def test_the_demo_help_desk_operator_is_scoped_to_the_european_offices() -> None:
    demo_seed()
    operator = User.objects.get(email="helpdesk@lakeside.example")
    visible = scope(User.objects.all(), operator, "Users.Read")
    assert visible.filter(email="sanne.devries@lakeside.example").exists()
    assert visible.filter(email="camille.martin@lakeside.example").exists()
    assert not visible.filter(email="olivia.johnson@lakeside.example").exists()
    assert has_permission(operator, "RemoteTasks.RebootNow")
    assert not has_permission(operator, "Roles.Read")
