"""``deskside compliance-sweep``: re-evaluate the compliance of devices whose state changes
without a check-in (a grace period that ran out, a "last check-in" rule whose deadline passed, a
policy edited or re-assigned). Run it every few minutes (cron or a systemd timer); see
docs/policies.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from deskside.policies.services import compliance_sweep


class Command(BaseCommand):
    help = "Re-evaluate compliance where a grace period or a check-in deadline ran out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="devices per progress line (default 500)",
        )
        parser.add_argument(
            "--now",
            help="evaluate as of this ISO 8601 time, with its offset (default: now)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}") from error
            if timezone.is_naive(now):
                raise CommandError("--now: give the offset, e.g. 2026-12-01T08:00:00+00:00")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"compliance sweep: {done}/{total} devices evaluated")
            self.stdout.flush()

        total = compliance_sweep(now=now, batch_size=options["batch_size"], progress=progress)
        self.stdout.write(f"compliance sweep: done, {total} device(s) evaluated.")
