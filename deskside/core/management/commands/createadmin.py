"""Create a tenant (if new) and its administrator, with the Administrator role over everything."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from deskside.core.provisioning import administrator_provision


class Command(BaseCommand):
    help = "Create a tenant's administrator (and the tenant, when it does not exist yet)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="tenant name")
        parser.add_argument("--domain", required=True, help="verified domain of the tenant")
        parser.add_argument("--email", required=True, help="the administrator's e-mail address")
        parser.add_argument("--name", default="", help="display name (default: from the e-mail)")
        parser.add_argument(
            "--password-file",
            help="read the password from this file instead of asking (for scripts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_file"]:
            try:
                with open(options["password_file"], encoding="utf-8") as handle:
                    password = handle.read().strip()
            except OSError as exc:
                raise CommandError(f"Cannot read the password file: {exc.strerror}") from exc
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            with transaction.atomic():
                user = administrator_provision(
                    tenant_name=options["tenant"],
                    domain=options["domain"],
                    email=options["email"],
                    display_name=options["name"] or options["email"].split("@")[0],
                    password=password,
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Administrator {user.email} of tenant {user.tenant.name} is ready.")
