"""identityprovider.client_secret is sealed at rest (core/sealing.py); the rows keep their values."""

from django.db import migrations, models

import deskside.core.sealing
from deskside.core.migration_ops import seal_column


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_identity_provider")]

    operations = seal_column(
        "accounts",
        "identityprovider",
        "client_secret",
        deskside.core.sealing.SealedTextField(verbose_name="client secret", default=""),
        plain=models.CharField(max_length=500, verbose_name="client secret", default=""),
    )
