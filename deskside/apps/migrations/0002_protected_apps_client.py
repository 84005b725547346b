from django.db import migrations


def create_protected_apps_client(apps, schema_editor):
    Application = apps.get_model("oauth2_provider", "Application")
    Application.objects.update_or_create(
        client_id="deskside-protected-apps",
        defaults={
            "name": "Deskside protected apps",
            "client_type": "public",
            "authorization_grant_type": "authorization-code",
            "redirect_uris": "http://127.0.0.1/callback http://[::1]/callback",
            "skip_authorization": True,
            "algorithm": "",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("apps", "0001_catalog_and_protection"),
        ("oauth2_provider", "__latest__"),
    ]

    operations = [migrations.RunPython(create_protected_apps_client, migrations.RunPython.noop)]
