"""``deskside reseal``: seal every secret at rest again with the first of DESKSIDE_DATA_KEYS.

Rotate a data key: put the new key first in DESKSIDE_DATA_KEYS (keep the old one after it),
restart, run ``deskside reseal``, then drop the old key. See docs/design.md, "Secrets at rest".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from deskside.core.sealing import UnreadableSecret, reseal_all


class Command(BaseCommand):
    help = "Seal every stored secret again with the first key of DESKSIDE_DATA_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rewritten = reseal_all(progress=self.stdout.write)
        except UnreadableSecret as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{rewritten} sealed value(s) sealed again with the first data key.")
