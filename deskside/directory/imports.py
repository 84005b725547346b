"""Import users and groups from CSV.

Semantics (documented on the import pages too):
- The whole file is read and checked for its header first; a wrong header, a file that is not UTF-8
  CSV, or one too large is refused as a whole, with a message, and nothing is written.
- Each row is applied on its own savepoint: a row is written completely or not at all. Rejected rows
  are reported with their line number and the reason; the others are applied.
- Importing the same file again changes nothing: existing users are updated in place (by e-mail),
  memberships that exist are counted as unchanged.
- The users file names existing groups only (a typo must not create a group); the groups file
  creates the groups it names.
- One audit event sums up the import, in the same transaction; each created or changed user and
  each membership change has its own event too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from deskside.audit.choices import Action
from deskside.audit.services import audit_record
from deskside.directory.models import Group, Tenant, User
from deskside.directory.services import (
    USER_FIELDS,
    group_create,
    group_member_add,
    normalize_email,
    user_create,
    user_update,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
USER_COLUMNS = (
    "email",
    "display_name",
    "given_name",
    "surname",
    "job_title",
    "account_enabled",
    "licensed",
    "groups",
)
USER_REQUIRED = ("email", "display_name")
GROUP_COLUMNS = ("group", "member_type", "member")
EXTRA = "__extra__"
TRUE = {"1", "true", "yes", "y"}
FALSE = {"0", "false", "no", "n"}


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return self.created + self.updated + self.unchanged


class RowError(Exception):
    """One row cannot be imported; the message says why."""


def _read_rows(
    upload: IO[bytes], columns: tuple[str, ...], required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """The rows with the line each ends on (the header is line 1); refuse a bad file as a whole."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 2 MB; split it."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [name for name in required if name not in header]
        unknown = [name for name in header if name not in columns]
        if missing or unknown:
            raise ImportRefused(
                _("The header must be %(expected)s; missing: %(missing)s; unknown: %(unknown)s.")
                % {
                    "expected": ",".join(columns),
                    "missing": ", ".join(missing) or "-",
                    "unknown": ", ".join(unknown) or "-",
                }
            )
        rows: list[tuple[int, dict[str, str]]] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportRefused(
                    _("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS}
                )
            row = {name: value.strip() for name, value in zip(header, values, strict=False)}
            if len(values) > len(header):
                row[EXTRA] = "1"
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ImportRefused(
            _("The file is not valid CSV near line %(line)s.") % {"line": reader.line_num}
        ) from exc
    return rows


def _flag(value: str, name: str) -> bool:
    lowered = value.lower()
    if lowered == "" or lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise RowError(
        _("%(column)s must be true or false, not %(value)s.") % {"column": name, "value": value}
    )


def _first_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def users_import(
    *, tenant: Tenant, upload: IO[bytes], actor: User, request: HttpRequest | None = None
) -> ImportReport:
    rows = _read_rows(upload, USER_COLUMNS, USER_REQUIRED)
    report = ImportReport()
    groups = {group.display_name.lower(): group for group in Group.objects.filter(tenant=tenant)}
    with transaction.atomic():
        for line, row in rows:
            try:
                with transaction.atomic():
                    outcome = _import_user(tenant, row, groups, actor, request)
            except RowError as error:
                report.rejected.append((line, str(error)))
            except ValidationError as error:
                report.rejected.append((line, _first_message(error)))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        _audit_import(Action.USERS_IMPORTED, tenant, actor, request, report)
    return report


def _import_user(
    tenant: Tenant,
    row: dict[str, str],
    groups: dict[str, Group],
    actor: User,
    request: HttpRequest | None,
) -> str:
    if EXTRA in row:
        raise RowError(_("The row has more values than the header has columns."))
    email = normalize_email(row.get("email", ""))
    if not email:
        raise RowError(_("The e-mail address is missing."))
    if not row.get("display_name"):
        raise RowError(_("The display name is missing."))
    fields: dict[str, Any] = {
        "display_name": row["display_name"],
        "given_name": row.get("given_name", ""),
        "surname": row.get("surname", ""),
        "job_title": row.get("job_title", ""),
        "account_enabled": _flag(row.get("account_enabled", ""), "account_enabled"),
        "has_license": _flag(row.get("licensed", ""), "licensed"),
    }
    assert set(fields) <= set(USER_FIELDS)
    wanted = []
    for name in filter(None, (part.strip() for part in row.get("groups", "").split(";"))):
        if name.lower() not in groups:
            raise RowError(_("Unknown group %(name)s (create it first).") % {"name": name})
        wanted.append(groups[name.lower()])
    user = User.objects.filter(email=email).first()
    if user is not None and user.tenant_id != tenant.pk:
        raise RowError(_("A user with this e-mail address already exists."))
    if user is None:
        user = user_create(tenant=tenant, email=email, actor=actor, request=request, **fields)
        outcome = "created"
    else:
        changed = any(getattr(user, key) != value for key, value in fields.items())
        user_update(user=user, actor=actor, request=request, **fields)
        outcome = "updated" if changed else "unchanged"
    have = set(user.group_memberships.values_list("group_id", flat=True))
    for group in wanted:
        if group.pk not in have:
            group_member_add(group=group, member=user, actor=actor, request=request)
            outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def groups_import(
    *, tenant: Tenant, upload: IO[bytes], actor: User, request: HttpRequest | None = None
) -> ImportReport:
    rows = _read_rows(upload, GROUP_COLUMNS, ("group",))
    report = ImportReport()
    with transaction.atomic():
        for line, row in rows:
            try:
                with transaction.atomic():
                    outcome = _import_membership(tenant, row, actor, request)
            except RowError as error:
                report.rejected.append((line, str(error)))
            except ValidationError as error:
                report.rejected.append((line, _first_message(error)))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        _audit_import(Action.GROUPS_IMPORTED, tenant, actor, request, report)
    return report


def _import_membership(
    tenant: Tenant, row: dict[str, str], actor: User, request: HttpRequest | None
) -> str:
    if EXTRA in row:
        raise RowError(_("The row has more values than the header has columns."))
    name, kind, member_key = (
        row.get("group", ""),
        row.get("member_type", "").lower(),
        row.get("member", ""),
    )
    if not name:
        raise RowError(_("The group name is missing."))
    group = Group.objects.filter(tenant=tenant, display_name=name).first()
    outcome = "unchanged"
    if group is None:
        group = group_create(tenant=tenant, display_name=name, actor=actor, request=request)
        outcome = "created"
    if kind == "" and member_key == "":
        return outcome
    member: User | Group | None
    if kind == "user":
        member = User.objects.filter(tenant=tenant, email=normalize_email(member_key)).first()
        present = member is not None and group.user_memberships.filter(user=member).exists()
    elif kind == "group":
        member = Group.objects.filter(tenant=tenant, display_name=member_key).first()
        present = member is not None and group.child_links.filter(child=member).exists()
    else:
        raise RowError(_("member_type must be user or group, not %(value)s.") % {"value": kind})
    if member is None:
        raise RowError(
            _("No %(kind)s %(member)s in this tenant.") % {"kind": kind, "member": member_key}
        )
    if present:
        return outcome
    group_member_add(group=group, member=member, actor=actor, request=request)
    return "created" if outcome == "created" else "updated"


def _audit_import(
    action: Action, tenant: Tenant, actor: User, request: HttpRequest | None, report: ImportReport
) -> None:
    audit_record(
        action=action,
        tenant=tenant,
        actor=actor,
        request=request,
        details={
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        },
    )
