from django.apps import AppConfig


class AppsConfig(AppConfig):
    name = "deskside.apps"
    label = "apps"
