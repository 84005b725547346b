"""Importing users and groups from CSV: applied rows, rejected rows with line and reason, no half
writes, idempotent re-import, and a refused file as a whole."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.models import Group, User
from deskside.directory.selectors import user_ids_in_groups_query

USERS = (
    "email,display_name,given_name,surname,job_title,account_enabled,licensed,groups\n"
    "noor.bakker@lakeside.test,Noor Bakker,Noor,Bakker,Buyer,true,true,Sales;Lyon office\n"
    "bad-address,Someone,,,,,,\n"
    "tom@lakeside.test,Tom,,,,maybe,,\n"
    "ann@lakeside.test,Ann,,,,,,Nonexistent group\n"
    "x@elsewhere.test,Foreign,,,,,,\n"
    "ams@lakeside.test,Anton Amsterdam,,,Account director,true,false,\n"
)


def _upload(client: Client, url: str, text: str | bytes):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return client.post(url, {"file": SimpleUploadedFile("import.csv", data, "text/csv")})


def test_good_rows_are_applied_and_bad_rows_reported_with_their_line(login, personas) -> None:
    response = _upload(login(personas.admin), "/directory/users/import/", USERS)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert [line for line, _reason in report.rejected] == [3, 4, 5, 6]
    reasons = dict(report.rejected)
    assert "valid e-mail" in reasons[3]
    assert "account_enabled must be true or false" in reasons[4]
    assert "Unknown group Nonexistent group" in reasons[5]
    assert "not a verified domain" in reasons[6]
    noor = User.objects.get(email="noor.bakker@lakeside.test")
    assert set(noor.group_memberships.values_list("group__display_name", flat=True)) == {
        "Sales",
        "Lyon office",
    }
    anton = User.objects.get(pk=personas.amsterdam_user.pk)
    assert (anton.job_title, anton.has_license) == ("Account director", False)
    assert not User.objects.filter(email__in=["tom@lakeside.test", "ann@lakeside.test"]).exists()
    summary = AuditEvent.objects.get(action=Action.USERS_IMPORTED)
    assert summary.details == {"created": 1, "updated": 1, "unchanged": 0, "rejected": 4}


def test_a_rejected_row_leaves_nothing_behind(login, personas) -> None:
    """Ann's row is refused on its group: no user, and no audit event about her."""
    _upload(login(personas.admin), "/directory/users/import/", USERS)
    assert not User.objects.filter(email="ann@lakeside.test").exists()
    assert not AuditEvent.objects.filter(target_label__contains="ann@lakeside.test").exists()


def test_importing_the_same_file_again_changes_nothing(login, personas) -> None:
    client = login(personas.admin)
    _upload(client, "/directory/users/import/", USERS)
    users, events = User.objects.count(), AuditEvent.objects.count()
    report = _upload(client, "/directory/users/import/", USERS).context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events + 1  # the import's own summary


def test_a_wrong_header_refuses_the_whole_file(login, personas) -> None:
    response = _upload(login(personas.admin), "/directory/users/import/", "mail,name\na@b,c\n")
    assert response.status_code == 400
    text = response.content.decode()
    assert "missing: email, display_name" in text and "unknown: mail, name" in text
    assert not AuditEvent.objects.filter(action=Action.USERS_IMPORTED).exists()


def test_a_file_that_is_not_utf8_is_refused(login, personas) -> None:
    latin = "email,display_name\né,x\n".encode("latin-1")
    response = _upload(login(personas.admin), "/directory/users/import/", latin)
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_a_byte_order_mark_is_accepted(login, personas) -> None:
    text = "\ufeffemail,display_name\nbom@lakeside.test,Bom\n"
    response = _upload(login(personas.admin), "/directory/users/import/", text)
    assert response.context["report"].created == 1


def test_groups_import_creates_groups_and_nests_them(login, personas) -> None:
    text = (
        "group,member_type,member\n"
        "Europe,group,Amsterdam office\n"
        "Europe,group,Lyon office\n"
        "Europe,user,admin@lakeside.test\n"
        "Sales,group,Amsterdam office\n"
        "Europe,robot,x\n"
        "Europe,user,nobody@elsewhere.test\n"
    )
    report = _upload(login(personas.admin), "/directory/groups/import/", text).context["report"]
    assert [line for line, _ in report.rejected] == [5, 6, 7]
    assert "cannot be nested" in dict(report.rejected)[5]
    europe = Group.objects.get(tenant=personas.tenant, display_name="Europe")
    assert europe.child_links.count() == 2
    assert personas.amsterdam_user.pk in set(user_ids_in_groups_query(group_ids=[europe.pk]))


def test_only_administrators_may_import(login, personas) -> None:
    response = _upload(login(personas.reader), "/directory/users/import/", USERS)
    assert response.status_code == 403
    assert not User.objects.filter(email="noor.bakker@lakeside.test").exists()
