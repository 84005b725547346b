"""configurationprofile.secret_settings is sealed at rest (core/sealing.py); the rows keep their values."""

from django.db import migrations

import deskside.core.sealing
from deskside.core.migration_ops import seal_column


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_status_overdue")]

    operations = seal_column(
        "policies",
        "configurationprofile",
        "secret_settings",
        deskside.core.sealing.SealedJSONField(blank=True, default=dict),
    )
