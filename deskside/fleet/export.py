"""The device list as a CSV file, for spreadsheets and other tools.

The rows are ``selectors.device_export`` (the list's filters and order, over the devices the
operator may read and report on), written as they are read: the file streams in chunks of rows,
so its size costs no memory. Choices are written as the portal shows them, in the operator's
language; times in ISO 8601, UTC. A cell that a spreadsheet would take for a formula starts with
an apostrophe (see ``safe_cell``). See docs/device-list.md.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import islice

from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deskside.apps.selectors import devices_app_install_attach
from deskside.directory.models import User
from deskside.fleet.models import ManagedDevice

# What a spreadsheet reads as the start of a formula (or, for tab and carriage return, may strip
# before reading one): OWASP's list for CSV injection.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CHUNK_ROWS = 2000


def safe_cell(value: str) -> str:
    """``value`` as a cell a spreadsheet shows as text: prefixed with ``'`` when it starts like
    a formula (a device name or serial number is whatever the agent reported)."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def _known(value: bool | None) -> str:
    if value is None:
        return str(_("Unknown"))
    return str(_("Yes") if value else _("No"))


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _user(device: ManagedDevice, attribute: str) -> str:
    user = device.primary_user
    return getattr(user, attribute) if user is not None else ""


# The file's columns, in order: the device list's columns first, then the facts behind them.
COLUMNS: tuple[tuple[Promise, Callable[[ManagedDevice], str]], ...] = (
    (_("Device id"), lambda d: str(d.pk)),
    (_("Device name"), lambda d: d.device_name),
    (_("Primary user"), lambda d: _user(d, "display_name")),
    (_("Primary user e-mail"), lambda d: _user(d, "email")),
    (_("Managed by"), lambda d: str(d.get_management_agent_display())),
    (_("Join type"), lambda d: str(d.get_join_type_display())),
    (_("Ownership"), lambda d: str(d.get_owner_type_display())),
    (_("Compliance"), lambda d: str(d.get_compliance_state_display())),
    # apps_*: set by apps.selectors.devices_app_install_attach (empty out of its scope)
    (_("Apps failed"), lambda d: _number(d.apps_failed)),  # type: ignore[attr-defined]
    (_("Apps installed"), lambda d: _number(d.apps_installed)),  # type: ignore[attr-defined]
    (_("Management state"), lambda d: str(d.get_management_state_display())),
    (_("OS"), lambda d: str(d.get_operating_system_display())),
    (_("OS version"), lambda d: d.os_version),
    (_("Serial number"), lambda d: d.serial_number),
    (_("Manufacturer"), lambda d: d.manufacturer),
    (_("Model"), lambda d: d.model),
    (_("Agent version"), lambda d: d.agent_version),
    (_("Encrypted"), lambda d: _known(d.is_encrypted)),
    (_("Firewall on"), lambda d: _known(d.firewall_enabled)),
    (_("Screen lock"), lambda d: _known(d.screen_lock_enabled)),
    (_("Free storage (bytes)"), lambda d: _number(d.free_storage_bytes)),
    (_("Total storage (bytes)"), lambda d: _number(d.total_storage_bytes)),
    (_("Enrolled"), lambda d: _when(d.enrolled_at)),
    (_("Last check-in"), lambda d: _when(d.last_sync_at)),
    # is_stale: annotated by the selector (selectors._with_contact)
    (_("Not responding"), lambda d: _known(bool(d.is_stale))),  # type: ignore[attr-defined]
)


class _Line:
    """A file-like object whose ``write`` hands back the line the csv writer formats."""

    def write(self, value: str) -> str:
        return value


def device_csv_lines(devices: QuerySet[ManagedDevice], *, operator: User) -> Iterator[str]:
    """The file, line by line: a byte order mark (so spreadsheets read UTF-8), the header, one
    line per device. Read in chunks of ``CHUNK_ROWS`` (a server-side cursor on PostgreSQL; one
    more query a chunk for the app install counts), in the language active now, even when the
    lines are sent after the view has returned."""
    return _lines(devices, operator, translation.get_language())


def _lines(devices: QuerySet[ManagedDevice], operator: User, language: str | None) -> Iterator[str]:
    writer = csv.writer(_Line())
    rows = devices.iterator(chunk_size=CHUNK_ROWS)
    with translation.override(language):
        yield "\ufeff" + writer.writerow([str(title) for title, _cell in COLUMNS])
        while chunk := list(islice(rows, CHUNK_ROWS)):
            devices_app_install_attach(operator=operator, devices=chunk)
            for device in chunk:
                yield writer.writerow([safe_cell(cell(device)) for _title, cell in COLUMNS])


def device_csv_name(now: datetime) -> str:
    """The file name an operator's browser saves the export as."""
    return f"devices-{now.astimezone(UTC):%Y%m%d-%H%M%S}.csv"
