from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deskside.core.demo import TENANT, demo_seed


class Command(BaseCommand):
    help = "Create (idempotently) the demo tenant and print its sign-in accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_seed()
        self.stdout.write(f"Demo tenant {TENANT!r} is ready. Sign in with:")
        width = max(len(account.email) for account in accounts)
        for account in accounts:
            self.stdout.write(f"  {account.email:<{width}}  {account.password}  ({account.role})")
