"""Operations the parts' migrations share."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _copier(app_label: str, model_name: str, source: str, target: str) -> Any:
    def copy(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        batch = []
        for row in model.objects.only("pk", source).iterator(chunk_size=500):
            setattr(row, target, getattr(row, source))
            batch.append(row)
            if len(batch) == 500:
                model.objects.bulk_update(batch, [target])
                batch = []
        model.objects.bulk_update(batch, [target])

    return copy


def seal_column(
    app_label: str, model_name: str, field: str, sealed: Any, plain: Any = None
) -> list[Any]:
    """Operations that turn a plain column into a sealed one (core/sealing.py), keeping its data:
    add the sealed column beside it, copy every row through the sealed field (which seals with
    the first data key), drop the plain column and give the sealed one its name. Reversed, the
    values are copied back in clear.

    Reversed, the plain column is added back to rows that exist: it needs a default. When the
    plain field has none, pass ``plain``, the same field with one; it is set first, so that the
    reversal re-adds the column with it (and then restores the field as it was)."""
    staging = f"{field}_sealed"
    first = [] if plain is None else [migrations.AlterField(model_name, field, plain)]
    return [
        *first,
        migrations.AddField(model_name=model_name, name=staging, field=sealed),
        migrations.RunPython(
            _copier(app_label, model_name, field, staging),
            _copier(app_label, model_name, staging, field),
            elidable=False,
        ),
        migrations.RemoveField(model_name=model_name, name=field),
        migrations.RenameField(model_name=model_name, old_name=staging, new_name=field),
    ]
