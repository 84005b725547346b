"""``deskside newdatakey``: print a new key for DESKSIDE_DATA_KEYS (core/sealing.py).

``--derived`` prints instead the key derived from the current SECRET_KEY, which seals while
DESKSIDE_DATA_KEYS is unset: to move to keys of one's own, set
``DESKSIDE_DATA_KEYS=<new key>,<derived key>`` and run ``deskside reseal``.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from deskside.core.sealing import derived_key


class Command(BaseCommand):
    help = "Print a new data key (a Fernet key) for DESKSIDE_DATA_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--derived",
            action="store_true",
            help="print the key derived from SECRET_KEY (used while DESKSIDE_DATA_KEYS is unset)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = derived_key(settings.SECRET_KEY) if options["derived"] else Fernet.generate_key()
        self.stdout.write(key.decode("ascii"))
