from django.db import migrations


def sync_builtin_roles(apps, schema_editor):
    from deskside.access.catalog import BUILTIN_ROLES

    Role = apps.get_model("access", "Role")
    RolePermission = apps.get_model("access", "RolePermission")
    for key, (name, description, codes) in BUILTIN_ROLES.items():
        role, _created = Role.objects.update_or_create(
            builtin_key=key, defaults={"name": str(name), "description": str(description)}
        )
        RolePermission.objects.filter(role=role).exclude(code__in=codes).delete()
        have = set(RolePermission.objects.filter(role=role).values_list("code", flat=True))
        RolePermission.objects.bulk_create(
            RolePermission(role=role, code=code) for code in codes if code not in have
        )


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [migrations.RunPython(sync_builtin_roles, migrations.RunPython.noop)]
