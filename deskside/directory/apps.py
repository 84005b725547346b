from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "deskside.directory"
    label = "directory"
