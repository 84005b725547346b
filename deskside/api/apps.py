from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "deskside.api"
    label = "api"
