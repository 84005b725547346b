from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deskside.core.demo import TENANT, demo_seed
from deskside.core.demo_fleet import demo_fleet_seed
from deskside.directory.models import User


class Command(BaseCommand):
    help = "Create (idempotently) the demo tenant and print its sign-in accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo_seed()
        admin = User.objects.select_related("tenant").get(email=accounts[0].email)
        fleet = demo_fleet_seed(tenant=admin.tenant, admin=admin, progress=self.stdout.write)
        self.stdout.write(
            f"Demo fleet: {fleet.devices} devices, {fleet.failures} refused enrollments."
        )
        self.stdout.write(f"Demo tenant {TENANT!r} is ready. Sign in with:")
        width = max(len(account.email) for account in accounts)
        for account in accounts:
            self.stdout.write(f"  {account.email:<{width}}  {account.password}  ({account.role})")
