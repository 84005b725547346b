"""manageddevice.last_response is sealed at rest (core/sealing.py); the rows keep their values."""

from django.db import migrations

import deskside.core.sealing
from deskside.core.migration_ops import seal_column


class Migration(migrations.Migration):
    dependencies = [("fleet", "0006_checkin_basis")]

    operations = seal_column(
        "fleet",
        "manageddevice",
        "last_response",
        deskside.core.sealing.SealedJSONField(blank=True, default=dict, unreadable_is_empty=True),
    )
