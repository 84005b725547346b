"""The ``deskside`` command: help, createadmin, and clear errors with a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from deskside.cli import main
from deskside.directory.models import User

ROOT = Path(__file__).resolve().parents[3]


def test_help_lists_the_subcommands(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "serve", "migrate", "createadmin"):
        assert command in out


@pytest.mark.django_db
def test_createadmin_creates_the_tenant_and_an_administrator(tmp_path: Path) -> None:
    password_file = tmp_path / "pw"
    password_file.write_text("a long enough passphrase 42\n")
    # call_command, not main(): run_from_argv would close the test's database connection.
    call_command(
        "createadmin",
        tenant="Acme",
        domain="acme.test",
        email="root@acme.test",
        password_file=str(password_file),
    )
    admin = User.objects.get(email="root@acme.test")
    assert admin.check_password("a long enough passphrase 42")
    assert admin.tenant.role_assignments.get().role.builtin_key == "administrator"


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DESKSIDE_SECRET_KEY": "cli-test",
        "DESKSIDE_DATA_DIR": str(tmp_path),
        "DESKSIDE_HTTPS": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "deskside.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_createadmin_with_a_weak_password_fails_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("short")
    assert _run("migrate", "-v0", tmp_path=tmp_path).returncode == 0
    result = _run(
        "createadmin",
        "--tenant",
        "Acme",
        "--domain",
        "acme.test",
        "--email",
        "root@acme.test",
        "--password-file",
        str(tmp_path / "pw"),
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "too short" in result.stderr
    assert "Traceback" not in result.stderr


def test_createadmin_with_a_missing_password_file_fails_with_a_message(tmp_path: Path) -> None:
    result = _run(
        "createadmin",
        "--tenant=A",
        "--domain=a.test",
        "--email=x@a.test",
        f"--password-file={tmp_path / 'absent'}",
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "Cannot read the password file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_secret_key_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deskside.cli", "migrate"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DESKSIDE_DATA_DIR": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode != 0
    assert result.returncode == 2
    assert "DESKSIDE_SECRET_KEY is required" in result.stderr
    assert "Traceback" not in result.stderr


def test_loaddata_of_a_bad_fixture_fails_with_a_message(tmp_path: Path) -> None:
    fixture = tmp_path / "backup.json"
    fixture.write_text(
        '[{"model": "directory.tenant", "pk": 1,'
        ' "fields": {"name": "Acme", "created_at": "2026-12-01T00:00:00Z"}},'
        ' {"model": "accounts.identityprovider", "pk": 1, "fields": {"tenant": 1,'
        ' "display_name": "Corp", "issuer": "https://id.acme.test", "client_id": "deskside",'
        ' "client_secret": "sealed:gAAAAABsealed-elsewhere"}}]'
    )
    assert _run("migrate", "-v0", tmp_path=tmp_path).returncode == 0
    result = _run("loaddata", str(fixture), tmp_path=tmp_path)
    assert result.returncode == 1
    assert "IdentityProvider.client_secret in the fixture was sealed with a key" in result.stderr
    assert "Traceback" not in result.stderr
    fixture.write_text('[{"model": "directory.tenant", "pk": 1, "fields": {"name": "Acme"}}]')
    result = _run("loaddata", str(fixture), tmp_path=tmp_path)
    assert result.returncode == 1
    assert "NOT NULL constraint failed: directory_tenant.created_at" in result.stderr
    assert "Traceback" not in result.stderr
