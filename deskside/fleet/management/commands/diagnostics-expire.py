"""``deskside diagnostics-expire``: delete diagnostics bundles past their retention.

Run it daily (cron or a systemd timer); see docs/device-actions.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deskside.fleet.diagnostics import diagnostics_bundles_expire


class Command(BaseCommand):
    help = "Delete diagnostics bundles (rows and files) whose retention has ended."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = diagnostics_bundles_expire()
        self.stdout.write(f"{deleted} expired diagnostics bundle(s) deleted.")
