from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "deskside.access"
    label = "access"
