from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "deskside.core"
    label = "core"
