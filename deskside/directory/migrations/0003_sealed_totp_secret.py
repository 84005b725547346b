"""user.totp_secret is sealed at rest (core/sealing.py); the rows keep their values."""

from django.db import migrations

import deskside.core.sealing
from deskside.core.migration_ops import seal_column


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_assignments_revision")]

    operations = seal_column(
        "directory",
        "user",
        "totp_secret",
        deskside.core.sealing.SealedTextField(blank=True, default=""),
    )
